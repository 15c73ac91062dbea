// Editor code of sls-consumer: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-consumer.js; nodes/sls-consumer.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-consumer"] = {
    outputLabels: function () {
      return this.output === "batch" ? "batches of logs" : "one message per log";
    },
    label: function () {
      return this.name || (this.logstore ? this.logstore + (this.consumerGroup ? " / " + this.consumerGroup : "") : "sls consumer");
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    },
    oneditprepare: function () {
      $("#node-input-start").on("change", function () {
        $(".sls-consumer-start-time").toggle($(this).val() === "time");
      }).trigger("change");
    }
  };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
