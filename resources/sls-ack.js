// Editor code of sls-ack: defaults, validators, labels and dialog behaviour. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-ack.js; nodes/sls-ack.html loads it and registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-ack"] = {
    defaults: {
      name: { value: "" },
      version: { value: 1 }
    },
    label: function () {
      return this.name || "sls ack";
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    }
  };
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
