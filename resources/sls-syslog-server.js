// Editor code of sls-syslog-server: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-syslog-server.js; nodes/sls-syslog-server.html registers the type.
(function (editor) {
  "use strict";
  editor.types["sls-syslog-server"] = {
    label: function () {
      return this.name || (this.protocol || "tcp") + "://" + (this.host || "?") + ":" + (this.port || "?");
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
      var ph = function (k) {
        return RED._("node-red-contrib-sls-syslog/sls-syslog-server:sls-syslog-server." + k);
      };
      list.css("min-height", "80px").editableList({
        addItem: function (row, i, t) {
          $("<input>", { type: "text", class: "sls-target-host", style: "width: 45%" })
            .attr("placeholder", ph("placeholder.host"))
            .val(t.host || "")
            .appendTo(row);
          $("<input>", { type: "text", class: "sls-target-port", style: "width: 70px; margin-left: 6px" })
            .attr("placeholder", ph("label.port"))
            .val(t.port === undefined ? "" : t.port)
            .appendTo(row);
          $("<input>", { type: "text", class: "sls-target-servername", style: "width: 30%; margin-left: 6px" })
            .attr("placeholder", ph("placeholder.targetServername"))
            .val(t.servername || "")
            .appendTo(row);
        },
        removable: true,
        sortable: true,
      });
      var more = Array.isArray(node.moreTargets) ? node.moreTargets.slice() : [];
      // Saved in format 1: its one failover receiver is the first further target.
      if (more.length === 0 && node.secondaryHost) {
        more.push({ host: node.secondaryHost, port: node.secondaryPort || "", servername: "" });
      }
      more.forEach(function (t) {
        list.editableList("addItem", t);
      });
      $("#node-config-input-mode").on("change", refresh);
      $("#node-config-input-protocol").on("change", function () {
        var p = $(this).val();
        var port = $("#node-config-input-port");
        // Suggest the well-known port when the user has not chosen one of their own.
        if (["", "514", "6514", "20514"].indexOf(port.val()) >= 0) {
          port.val(p === "tls" ? "6514" : p === "relp" ? "20514" : "514");
        }
        // The default size of the other protocol, or none, follows the protocol.
        var size = $("#node-config-input-maxMessageBytes");
        var sizes = slsSyslogEditor.settings.messageBytes;
        if (size.val() === "" || size.val() === String(sizes.udp) || size.val() === String(sizes.stream)) {
          size.val(String(p === "udp" ? sizes.udp : sizes.stream));
        }
        refresh();
      });
      $("#node-config-input-rejectUnauthorized, #node-config-input-relpTls").on("change", refresh);
      if (node.rejectUnauthorized === undefined) {
        $("#node-config-input-rejectUnauthorized").prop("checked", true);
      }
      refresh();
      // One RFC 5424 message to each target with the settings as shown (the runtime uses the
      // stored key and passphrase only for the deployed node's targets: lib/syslog/test-event-request.ts).
      $("#sls-syslog-test-button").on("click", function () {
        var out = $("#sls-syslog-test-result").empty().text(node._("sls-syslog-server.test.running"));
        var body = editor.settings.current("sls-syslog-server", node);
        body.id = node.id;
        body.name = $("#node-config-input-name").val();
        body.moreTargets = moreTargets();
        $.ajax({ url: "sls-syslog-server/test", type: "POST", contentType: "application/json", data: JSON.stringify(body) })
          .done(function (r) {
            showTest(node, out, r);
          })
          .fail(function (xhr) {
            out.text(xhr.status + " " + xhr.statusText);
          });
      });
    },
    oneditsave: function () {
      this.moreTargets = moreTargets();
    },
  };

  /** The more targets as the list shows them (rows without a host are left out). */
  function moreTargets() {
    var targets = [];
    $("#node-config-input-moreTargets-container")
      .editableList("items")
      .each(function () {
        var host = $(this).find(".sls-target-host").val().trim();
        if (host) {
          targets.push({ host: host, port: $(this).find(".sls-target-port").val().trim(), servername: $(this).find(".sls-target-servername").val().trim() });
        }
      });
    return targets;
  }

  /** One line per target: what happened (connected, TLS verified, bytes, acknowledged) or the error. */
  function showTest(node, out, r) {
    out.empty();
    if (!r.results) {
      $("<div>")
        .addClass("sls-syslog-test-error")
        .text(r.code + ": " + r.message)
        .appendTo(out);
      return;
    }
    r.results.forEach(function (t) {
      var parts = [];
      if (t.ok) {
        parts.push(node._("sls-syslog-server.test.connected", { address: t.connected.address + ":" + t.connected.port }));
        if (t.tls) {
          parts.push(
            t.tls.verified
              ? node._("sls-syslog-server.test.verified", { protocol: t.tls.protocol, subject: t.tls.subject || "?", issuer: t.tls.issuer || "?" })
              : node._("sls-syslog-server.test.unverified", { why: t.tls.authorizationError || "" }),
          );
        }
        parts.push(node._("sls-syslog-server.test.bytes", { bytes: t.bytes }));
        if (t.acknowledged) {
          parts.push(node._("sls-syslog-server.test.acknowledged"));
        }
      } else {
        parts.push(t.error.message);
      }
      $("<div>")
        .addClass(t.ok ? "sls-syslog-test-ok" : "sls-syslog-test-error")
        .css("color", t.ok ? "" : "#c00")
        .text((t.ok ? "✓ " : "✗ ") + t.via + ": " + parts.join(" · "))
        .appendTo(out);
    });
    if (r.id) {
      $("<div>")
        .addClass("form-tips")
        .text(node._("sls-syslog-server.test.lookup", { id: r.id }))
        .appendTo(out);
    }
  }
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
