// Editor code of sls-consumer: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-consumer.js; nodes/sls-consumer.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-consumer"] = {
    outputLabels: function (i) {
      if (i === 1) { return "done: per shard and when the whole range is read"; }
      return this.output === "batch" ? "batches of logs" : "one message per log";
    },
    /** The settings' defaults plus Node-RED's `outputs`: a second output ("done") with an end time. */
    withOutputs: function (defaults) {
      defaults.outputs = { value: 1 };
      return defaults;
    },
    label: function () {
      return this.name || (this.logstore ? this.logstore + (this.consumerGroup ? " / " + this.consumerGroup : "") : "sls consumer");
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    },
    oneditprepare: function () {
      var node = this;
      $("#node-input-start").on("change", function () {
        $(".sls-consumer-start-time").toggle($(this).val() === "time");
      }).trigger("change");
      // A time range (backfill) reads in a consumer group of its own, so the live group's
      // checkpoints are untouched: when an end time is first typed, propose such a group.
      var hadEnd = !!String(node.to || "").trim();
      $("#node-input-to").on("change keyup", function () {
        var end = String($(this).val() || "").trim();
        $("#sls-consumer-to-hint").toggle(end !== "");
        // Node-RED reads the number of outputs from this field when the dialog is saved.
        $("#node-input-outputs").val(end ? 2 : 1);
        if (end === "" || hadEnd) { return; }
        hadEnd = true;
        var group = $("#node-input-consumerGroup");
        var g = String(group.val() || "").trim();
        if (g === "" || groupOfAnotherConsumer(g)) { group.val(backfillGroup(g, end)).trigger("change"); }
      }).trigger("change");
      function groupOfAnotherConsumer(g) {
        var used = false;
        RED.nodes.eachNode(function (n) {
          if (n.type === "sls-consumer" && n.id !== node.id && n.consumerGroup === g && !String(n.to || "").trim()) { used = true; }
        });
        return used;
      }
    }
  };

  /** e.g. siem-backfill-20261128: the live group's name, "backfill" and the end's day (SLS group names: letters, digits, _ and -). */
  function backfillGroup(live, end) {
    var day = /^\d{1,12}$/.test(end) ? new Date(Number(end) * 1000).toISOString() : end;
    var stamp = String(day).replace(/[^0-9]/g, "").slice(0, 8);
    return (live || "cg") + "-backfill" + (stamp ? "-" + stamp : "");
  }
})(window.slsSyslogEditor = window.slsSyslogEditor || { types: {} });
