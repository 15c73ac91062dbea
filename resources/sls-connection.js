// Editor code of sls-connection: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-connection.js; nodes/sls-connection.html loads it and registers the type.
(function (editor) {
  "use strict";
  var authOf = function () {
    return $("#node-config-input-auth").val() || this.auth || "access_key";
  };
  /** Required (and matching `re`) when the chosen source is one of `sources`. */
  var needs = function (sources, re) {
    return function (v) {
      if (sources.indexOf(authOf.call(this)) < 0) return true;
      return typeof v === "string" && re.test(v.trim());
    };
  };
  var optional = function (re) {
    return function (v) {
      return !v || re.test(String(v).trim());
    };
  };
  var optionalRange = function (lo, hi) {
    return function (v) {
      if (v === "" || v === undefined || v === null) return true;
      var n = Number(v);
      return Number.isInteger(n) && n >= lo && n <= hi;
    };
  };
  editor.types["sls-connection"] = {
    defaults: {
      name: { value: "" },
      endpoint: { value: "", required: true },
      cname: { value: "auto" },
      auth: { value: "access_key" },
      roleArn: { value: "", validate: needs(["ram_role_arn"], /^acs:ram::\d+:role\/.+$/) },
      roleSessionName: { value: "", validate: optional(/^[\w.@-]{2,64}$/) },
      durationSeconds: { value: "", validate: optionalRange(900, 43200) },
      policy: { value: "" },
      stsEndpoint: { value: "" },
      roleName: { value: "" },
      metadataEndpoint: { value: "", validate: optional(/^https?:\/\/\S+$/) },
      imdsV2Only: { value: false },
      oidcProviderArn: { value: "", validate: optional(/^acs:ram::\d+:oidc-provider\/.+$/) },
      oidcTokenFile: { value: "" },
      credentialsFile: { value: "" },
      profile: { value: "" },
      version: { value: 1 }
    },
    credentials: {
      accessKeyId: { type: "text" },
      accessKeySecret: { type: "password" },
      securityToken: { type: "password" },
      externalId: { type: "password" }
    },
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
            logstore: $("#node-config-test-logstore").val()
          })
        }).done(function (r) {
          if (r.ok) {
            out.text(node._("sls-connection.test.ok", { count: r.shards.length, host: r.host }) + " " +
              r.shards.map(function (s) { return s.shard + " (" + s.status + ")"; }).join(", "));
          } else {
            out.text(r.message);
          }
        }).fail(function (xhr) {
          out.text(xhr.status + " " + xhr.statusText);
        });
      });
    }
  };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
