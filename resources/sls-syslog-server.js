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
                $(".sls-syslog-failback").toggle($("#node-config-input-mode").val() === "failover");
            }
            // More targets: host, port (empty: the first target's), TLS name (empty: the server name).
            var list = $("#node-config-input-moreTargets-container");
            var ph = function (k) { return RED._("node-red-contrib-sls-syslog/sls-syslog-server:sls-syslog-server." + k); };
            list.css("min-height", "80px").editableList({
                addItem: function (row, i, t) {
                    $("<input>", { type: "text", class: "sls-target-host", style: "width: 45%" }).attr("placeholder", ph("placeholder.host")).val(t.host || "").appendTo(row);
                    $("<input>", { type: "text", class: "sls-target-port", style: "width: 70px; margin-left: 6px" }).attr("placeholder", ph("label.port")).val(t.port === undefined ? "" : t.port).appendTo(row);
                    $("<input>", { type: "text", class: "sls-target-servername", style: "width: 30%; margin-left: 6px" }).attr("placeholder", ph("placeholder.targetServername")).val(t.servername || "").appendTo(row);
                },
                removable: true,
                sortable: true
            });
            var more = Array.isArray(node.moreTargets) ? node.moreTargets.slice() : [];
            // Saved in format 1: its one failover receiver is the first further target.
            if (more.length === 0 && node.secondaryHost) { more.push({ host: node.secondaryHost, port: node.secondaryPort || "", servername: "" }); }
            more.forEach(function (t) { list.editableList("addItem", t); });
            $("#node-config-input-mode").on("change", refresh);
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
        },
        oneditsave: function () {
            var targets = [];
            $("#node-config-input-moreTargets-container").editableList("items").each(function () {
                var host = $(this).find(".sls-target-host").val().trim();
                if (host) { targets.push({ host: host, port: $(this).find(".sls-target-port").val().trim(), servername: $(this).find(".sls-target-servername").val().trim() }); }
            });
            this.moreTargets = targets;
        }
    };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
