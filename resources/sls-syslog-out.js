// Editor code of sls-syslog-out: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-syslog-out.js; nodes/sls-syslog-out.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-syslog-out"] = {
    label: function () {
      return this.name || "syslog out";
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    },
    inputLabels: "record(s)",
    outputLabels: "written",
    oneditprepare: function () {
      var f = $("#node-input-facility"),
        s = $("#node-input-severity");
      var FACILITIES = slsSyslogEditor.settings.lists.FACILITIES,
        SEVERITIES = slsSyslogEditor.settings.lists.SEVERITIES;
      FACILITIES.forEach(function (n, i) {
        f.append(
          $("<option>")
            .val(n)
            .text(n + " (" + i + ")"),
        );
      });
      SEVERITIES.forEach(function (n, i) {
        s.append(
          $("<option>")
            .val(n)
            .text(n + " (" + i + ")"),
        );
      });
      // Stored numeric codes map to their names.
      if (/^\d+$/.test(this.facility)) {
        f.val(FACILITIES[Number(this.facility)]);
      } else {
        f.val(this.facility || "user");
      }
      if (/^\d$/.test(this.severity)) {
        s.val(SEVERITIES[Number(this.severity)]);
      } else {
        s.val(this.severity || "info");
      }
      function refresh() {
        var rfc5424 = $("#node-input-format").val() === "rfc5424";
        $(".sls-syslog-5424").toggle(rfc5424);
      }
      $("#node-input-format").on("change", refresh);
      refresh();
    },
  };
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
