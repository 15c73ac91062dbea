// Editor code of sls-connection: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-connection.js; nodes/sls-connection.html loads it and registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-connection"] = {
    defaults: {
      name: { value: "" },
      endpoint: { value: "", required: true },
      cname: { value: "auto" },
      version: { value: 1 }
    },
    credentials: {
      accessKeyId: { type: "text" },
      accessKeySecret: { type: "password" },
      securityToken: { type: "password" }
    },
    label: function () {
      return this.name || this.endpoint || "sls connection";
    },
    oneditprepare: function () {
      var node = this;
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
