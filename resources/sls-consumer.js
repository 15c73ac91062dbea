// Editor code of sls-consumer: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-consumer.js; nodes/sls-consumer.html loads it and registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-consumer"] = {
    defaults: {
      name: { value: "" },
      connection: { value: "", type: "sls-connection", required: true },
      project: { value: "", required: true },
      logstore: { value: "", required: true },
      consumerGroup: { value: "", required: true },
      consumerName: { value: "" },
      start: { value: "begin" },
      startTime: { value: "" },
      query: { value: "" },
      output: { value: "log" },
      ackMode: { value: "delivery" },
      maxInFlight: { value: 1000, required: true, validate: RED.validators.number() },
      heartbeat: { value: 20, required: true, validate: RED.validators.number() },
      timeout: { value: 60, required: true, validate: RED.validators.number() },
      commitInterval: { value: 10, required: true, validate: RED.validators.number() },
      claimTimeout: { value: 30, required: true, validate: RED.validators.number() },
      order: { value: false },
      version: { value: 1 }
    },
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
