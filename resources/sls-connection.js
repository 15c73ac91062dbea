// Editor code of sls-connection: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-connection.js; nodes/sls-connection.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-connection"] = {
    label: function () {
      return this.name || this.endpoint || "sls connection";
    },
    oneditprepare: function () {
      var node = this;
      // Older connections have no source: the STS token field decides, as it does at run time.
      if (!node.auth) node.auth = node.credentials && node.credentials.has_securityToken ? "sts" : "access_key";
      var auth = $("#node-config-input-auth").val(node.auth);
      var show = function () {
        var a = auth.val();
        $(".sls-auth-row").each(function () {
          var row = $(this);
          row.toggle((" " + row.attr("data-auth") + " ").indexOf(" " + a + " ") >= 0);
        });
      };
      auth.on("change", show);
      show();
      $("#node-config-test-button").on("click", function () {
        var out = $("#node-config-test-result").text(node._("sls-connection.test.running"));
        $.ajax({
          url: "sls-connection/test",
          type: "POST",
          contentType: "application/json",
          data: JSON.stringify({
            id: node.id,
            endpoint: $("#node-config-input-endpoint").val(),
            cname: $("#node-config-input-cname").val(),
            accessKeyId: $("#node-config-input-accessKeyId").val(),
            accessKeySecret: $("#node-config-input-accessKeySecret").val(),
            securityToken: $("#node-config-input-securityToken").val(),
            auth: auth.val(),
            roleArn: $("#node-config-input-roleArn").val(),
            roleSessionName: $("#node-config-input-roleSessionName").val(),
            durationSeconds: $("#node-config-input-durationSeconds").val(),
            policy: $("#node-config-input-policy").val(),
            stsEndpoint: $("#node-config-input-stsEndpoint").val(),
            roleName: $("#node-config-input-roleName").val(),
            metadataEndpoint: $("#node-config-input-metadataEndpoint").val(),
            imdsV2Only: $("#node-config-input-imdsV2Only").prop("checked"),
            oidcProviderArn: $("#node-config-input-oidcProviderArn").val(),
            oidcTokenFile: $("#node-config-input-oidcTokenFile").val(),
            credentialsFile: $("#node-config-input-credentialsFile").val(),
            profile: $("#node-config-input-profile").val(),
            project: $("#node-config-test-project").val(),
            logstore: $("#node-config-test-logstore").val(),
          }),
        })
          .done(function (r) {
            if (r.ok) {
              out.text(
                node._("sls-connection.test.ok", { count: r.shards.length, host: r.host }) +
                  " " +
                  r.shards
                    .map(function (s) {
                      return s.shard + " (" + s.status + ")";
                    })
                    .join(", "),
              );
            } else {
              out.text(r.message);
            }
          })
          .fail(function (xhr) {
            out.text(xhr.status + " " + xhr.statusText);
          });
      });
    },
  };
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
