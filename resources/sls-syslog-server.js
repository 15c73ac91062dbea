// Editor code of sls-syslog-server: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-syslog-server.js; nodes/sls-syslog-server.html registers the type.
(function (editor) {
    "use strict";
    editor.types["sls-syslog-server"] = {
        label: function () {
            return this.name || ((this.protocol || "tcp") + "://" + (this.host || "?") + ":" + (this.port || "?"));
        },
        oneditprepare: function () {
            var node = this;
            function refresh() {
                var p = $("#node-config-input-protocol").val();
                var tls = p === "tls" || (p === "relp" && $("#node-config-input-relpTls").prop("checked"));
                $(".sls-syslog-tls").toggle(tls);
                $(".sls-syslog-relp").toggle(p === "relp");
                $(".sls-syslog-framing").toggle(p === "tcp");
                $("#sls-syslog-verify-warning").toggle(tls && !$("#node-config-input-rejectUnauthorized").prop("checked"));
            }
            $("#node-config-input-protocol").on("change", function () {
                var p = $(this).val();
                var port = $("#node-config-input-port");
                // Suggest the well-known port when the user has not chosen one of their own.
                if (["", "514", "6514", "20514"].indexOf(port.val()) >= 0) { port.val(p === "tls" ? "6514" : p === "relp" ? "20514" : "514"); }
                var size = $("#node-config-input-maxMessageBytes");
                if (size.val() === "" || size.val() === "1400" || size.val() === "8192") { size.val(p === "udp" ? "1400" : "8192"); }
                refresh();
            });
            $("#node-config-input-rejectUnauthorized, #node-config-input-relpTls").on("change", refresh);
            if (node.rejectUnauthorized === undefined) { $("#node-config-input-rejectUnauthorized").prop("checked", true); }
            refresh();
        }
    };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
