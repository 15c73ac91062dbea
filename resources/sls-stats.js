// Editor code of sls-stats: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-stats.js; nodes/sls-stats.html loads it and registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-stats"] = {
    defaults: {
      name: { value: "" },
      interval: {
        value: 10,
        required: true,
        validate: function (v) {
          var n = Number(v);
          return /^\s*\d+(\.\d+)?\s*$/.test(String(v)) && (n === 0 || (n >= 1 && n <= 86400));
        },
      },
      prometheus: { value: false },
      metricsPath: {
        value: "/metrics",
        validate: function (v) {
          return !$("#node-input-prometheus").is(":checked") && !this.prometheus ? true : /^\/[A-Za-z0-9._~\-/]{0,200}$/.test(String(v).trim());
        },
      },
      version: { value: 1 },
    },
    outputLabels: function () {
      return "figures of every consumer and syslog target";
    },
    label: function () {
      return this.name || (this.prometheus ? "sls stats " + this.metricsPath : "sls stats");
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    },
    oneditprepare: function () {
      $("#node-input-prometheus")
        .on("change", function () {
          $(".sls-stats-prometheus").toggle($(this).is(":checked"));
        })
        .trigger("change");
    },
  };
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
