// Editor code of sls-consumer: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-consumer.js; nodes/sls-consumer.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-consumer"] = {
    outputLabels: function (i) {
      if (i === 1) {
        return "done: per shard and when the whole range is read";
      }
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
      $("#node-input-start")
        .on("change", function () {
          $(".sls-consumer-start-time").toggle($(this).val() === "time");
        })
        .trigger("change");
      // A time range (backfill) reads in a consumer group of its own, so the live group's
      // checkpoints are untouched: when an end time is first typed, propose such a group.
      var hadEnd = !!String(node.to || "").trim();
      $("#node-input-to")
        .on("change keyup", function () {
          var end = String($(this).val() || "").trim();
          $("#sls-consumer-to-hint").toggle(end !== "");
          // Node-RED reads the number of outputs from this field when the dialog is saved.
          $("#node-input-outputs").val(end ? 2 : 1);
          if (end === "" || hadEnd) {
            return;
          }
          hadEnd = true;
          var group = $("#node-input-consumerGroup");
          var g = String(group.val() || "").trim();
          if (g === "" || groupOfAnotherConsumer(g)) {
            group.val(backfillGroup(g, end)).trigger("change");
          }
        })
        .trigger("change");
      resetDialog(node);
      function groupOfAnotherConsumer(g) {
        var used = false;
        RED.nodes.eachNode(function (n) {
          if (n.type === "sls-consumer" && n.id !== node.id && n.consumerGroup === g && !String(n.to || "").trim()) {
            used = true;
          }
        });
        return used;
      }
    },
  };

  /**
   * "Reset checkpoints": asks the runtime for each shard's lag (the deployed node's group), shows a
   * confirmation naming the group, then resets. The runtime refuses a dialog that shows settings
   * other than the deployed ones (lib/sls/reset-request.ts).
   */
  function resetDialog(node) {
    var out = $("#sls-consumer-reset-result");
    var confirm = $("#sls-consumer-reset-confirm");
    // The same positions as "Start at" (begin, end, time).
    var position = $("#sls-consumer-reset-position").append($("#node-input-start option").clone().prop("selected", false));
    position.find("option[value=end]").text(node._("sls-consumer.reset.end"));
    position.on("change", function () {
      $("#sls-consumer-reset-time").toggle(position.val() === "time");
      confirm.hide();
    });
    function request() {
      return {
        id: node.id,
        connection: $("#node-input-connection").val(),
        project: $("#node-input-project").val(),
        logstore: $("#node-input-logstore").val(),
        consumerGroup: $("#node-input-consumerGroup").val(),
        position: position.val(),
        time: $("#sls-consumer-reset-time").val(),
      };
    }
    function post(path, body, done) {
      $.ajax({ url: path, type: "POST", contentType: "application/json", data: JSON.stringify(body) })
        .done(function (r) {
          if (r.ok) {
            done(r);
          } else {
            out.text(r.code + ": " + r.message);
          }
        })
        .fail(function (xhr) {
          out.text(xhr.status + " " + xhr.statusText);
        });
    }
    function target(body) {
      return body.position === "time" ? body.time : node._("sls-consumer.reset.to-" + body.position);
    }
    $("#sls-consumer-reset-button").on("click", function () {
      var body = request();
      confirm.hide();
      out.text(node._("sls-consumer.reset.checking"));
      post("sls-consumer/checkpoints", body, function (r) {
        out.text("");
        $("#sls-consumer-reset-question").text(
          node._("sls-consumer.reset.question", { group: r.consumerGroup, project: r.project, logstore: r.logstore, to: target(body) }),
        );
        var rows = $("#sls-consumer-reset-lag tbody").empty();
        r.shards.forEach(function (s) {
          $("<tr>")
            .append(
              $("<td>").text(s.shard + (s.status === "readonly" ? " (readonly)" : "")),
              $("<td>").text(s.checkpoint ? s.consumer || "reset" : node._("sls-consumer.reset.none")),
              $("<td>").text(s.behind === undefined ? "?" : String(s.behind)),
              $("<td>").text(s.lagSec === undefined ? "?" : s.lagSec + " s"),
            )
            .appendTo(rows);
        });
        $("#sls-consumer-reset-go")
          .text(node._("sls-consumer.reset.confirm", { group: r.consumerGroup }))
          .data("request", body);
        confirm.show();
      });
    });
    $("#sls-consumer-reset-cancel").on("click", function () {
      confirm.hide();
    });
    $("#sls-consumer-reset-go").on("click", function () {
      var body = $(this).data("request");
      confirm.hide();
      out.text(node._("sls-consumer.reset.running"));
      post("sls-consumer/reset", body, function (r) {
        out.text(
          node._("sls-consumer.reset.done", { group: r.consumerGroup, count: r.shards.length, to: target(body) }) +
            (r.repaired ? " " + node._("sls-consumer.reset.repaired", { count: r.repaired }) : ""),
        );
      });
    });
  }

  /** e.g. siem-backfill-20261128: the live group's name, "backfill" and the end's day (SLS group names: letters, digits, _ and -). */
  function backfillGroup(live, end) {
    var day = /^\d{1,12}$/.test(end) ? new Date(Number(end) * 1000).toISOString() : end;
    var stamp = String(day)
      .replace(/[^0-9]/g, "")
      .slice(0, 8);
    return (live || "cg") + "-backfill" + (stamp ? "-" + stamp : "");
  }
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
