// Editor code of sls-ack: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-ack.js; nodes/sls-ack.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-ack"] = {
    label: function () {
      return this.name || "sls ack";
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    },
  };
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
