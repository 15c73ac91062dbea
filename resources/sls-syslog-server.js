// Editor code of sls-syslog-server: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-syslog-server.js; nodes/sls-syslog-server.html loads it and registers the type.
(function (editor) {
    "use strict";
    function portOk(v, allowBlank) {
        if (allowBlank && (v === "" || v === undefined)) { return true; }
        if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(String(v))) { return true; }
        var n = Number(v);
        return Number.isInteger(n) && n >= 1 && n <= 65535;
    }
    function sizeOk(v) {
        return v === "" || v === undefined || /^\d+$/.test(String(v));
    }
    editor.types["sls-syslog-server"] = {
        defaults: {
            name: { value: "" },
            host: { value: "", required: true },
            port: { value: "6514", required: true, validate: function (v, opt) { return portOk(v, false) || RED._("node-red-contrib-sls-syslog/sls-syslog-server:sls-syslog-server.errors.port"); } },
            protocol: { value: "tls", required: true, validate: function (v) { return /^(udp|tcp|tls|\$\{[A-Za-z_][A-Za-z0-9_]*\})$/.test(v); } },
            framing: { value: "octet", validate: function (v) { return v === "octet" || v === "lf"; } },
            rejectUnauthorized: { value: true },
            servername: { value: "" },
            caFile: { value: "" },
            certFile: { value: "" },
            keyFile: { value: "" },
            secondaryHost: { value: "" },
            secondaryPort: { value: "", validate: function (v) { return portOk(v, true); } },
            maxQueueMessages: { value: "10000", validate: sizeOk },
            maxQueueMB: { value: "16", validate: sizeOk },
            maxMessageBytes: { value: "8192", validate: sizeOk },
            version: { value: 1 }
        },
        credentials: {
            ca: { type: "text" },
            cert: { type: "text" },
            key: { type: "password" },
            passphrase: { type: "password" }
        },
        label: function () {
            return this.name || ((this.protocol || "tcp") + "://" + (this.host || "?") + ":" + (this.port || "?"));
        },
        oneditprepare: function () {
            var node = this;
            function refresh() {
                var p = $("#node-config-input-protocol").val();
                $(".sls-syslog-tls").toggle(p === "tls");
                $(".sls-syslog-framing").toggle(p === "tcp");
                $("#sls-syslog-verify-warning").toggle(p === "tls" && !$("#node-config-input-rejectUnauthorized").prop("checked"));
            }
            $("#node-config-input-protocol").on("change", function () {
                var p = $(this).val();
                var port = $("#node-config-input-port");
                // Suggest the well-known port when the user has not chosen one of their own.
                if (port.val() === "" || port.val() === "514" || port.val() === "6514") { port.val(p === "tls" ? "6514" : "514"); }
                var size = $("#node-config-input-maxMessageBytes");
                if (size.val() === "" || size.val() === "1400" || size.val() === "8192") { size.val(p === "udp" ? "1400" : "8192"); }
                refresh();
            });
            $("#node-config-input-rejectUnauthorized").on("change", refresh);
            if (node.rejectUnauthorized === undefined) { $("#node-config-input-rejectUnauthorized").prop("checked", true); }
            refresh();
        }
    };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
