// Editor code of sls-syslog-out: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-syslog-out.js; nodes/sls-syslog-out.html loads it and registers the type.
(function (editor) {
    "use strict";
    var FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock2",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];
    var SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
    function ascii(v) {
        return v === "" || v === undefined || /^[\x21-\x7e]+$/.test(v) || RED._("node-red-contrib-sls-syslog/sls-syslog-out:sls-syslog-out.errors.ascii");
    }
    editor.types["sls-syslog-out"] = {
        defaults: {
            name: { value: "" },
            server: { value: "", type: "sls-syslog-server", required: true },
            format: { value: "rfc5424", validate: function (v) { return v === "rfc5424" || v === "rfc3164"; } },
            facility: { value: "user", validate: function (v) { return FACILITIES.indexOf(v) >= 0 || (/^\d+$/.test(v) && Number(v) <= 23); } },
            severity: { value: "info", validate: function (v) { return SEVERITIES.indexOf(v) >= 0 || (/^\d$/.test(v) && Number(v) <= 7); } },
            // Two parameters: Node-RED shows a returned string as the message only for (v, opt) validators.
            hostname: { value: "", validate: function (v, opt) { return ascii(v); } },
            appName: { value: "aliyun-sls", validate: function (v) { return ascii(v) === true && (v || "").length <= 48; } },
            procId: { value: "", validate: function (v) { return ascii(v) === true && (v || "").length <= 128; } },
            msgId: { value: "", validate: function (v) { return ascii(v) === true && (v || "").length <= 32; } },
            bom: { value: "auto", validate: function (v) { return v === "auto" || v === "always" || v === "never"; } },
            version: { value: 1 }
        },
        label: function () {
            return this.name || "syslog out";
        },
        labelStyle: function () {
            return this.name ? "node_label_italic" : "";
        },
        inputLabels: "record(s)",
        outputLabels: "written",
        oneditprepare: function () {
            var f = $("#node-input-facility"), s = $("#node-input-severity");
            FACILITIES.forEach(function (n, i) { f.append($("<option>").val(n).text(n + " (" + i + ")")); });
            SEVERITIES.forEach(function (n, i) { s.append($("<option>").val(n).text(n + " (" + i + ")")); });
            // Stored numeric codes map to their names.
            if (/^\d+$/.test(this.facility)) { f.val(FACILITIES[Number(this.facility)]); } else { f.val(this.facility || "user"); }
            if (/^\d$/.test(this.severity)) { s.val(SEVERITIES[Number(this.severity)]); } else { s.val(this.severity || "info"); }
            function refresh() {
                var rfc5424 = $("#node-input-format").val() === "rfc5424";
                $(".sls-syslog-5424").toggle(rfc5424);
            }
            $("#node-input-format").on("change", refresh);
            refresh();
        }
    };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
