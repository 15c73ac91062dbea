// Editor code of sls-syslog-map: labels and dialog behaviour; its settings (defaults, checks) are
// lib/config's, via resources/config.js. Served by Node-RED as
// resources/node-red-contrib-sls-syslog/sls-syslog-map.js; nodes/sls-syslog-map.html registers the type.
(function (editor) {
  "use strict";
  // The lists and the form's fields by kind come from the settings (lib/config, resources/config.js);
  // the ids are node-input-<name> (typed inputs keep <name>Type beside them).
  function lists() {
    return slsSyslogEditor.settings.lists;
  }
  function form() {
    return slsSyslogEditor.settings.mappingForm();
  }

  function refTypes() {
    return [
      { value: "field", label: "field", icon: "fa fa-columns" },
      { value: "meta", label: "msg.sls", icon: "fa fa-info-circle", options: lists().META_KEYS },
      "str",
      { value: "none", label: "none", icon: "fa fa-ban", hasValue: false },
    ];
  }
  function fixedType(options) {
    return { value: "fixed", label: "fixed", icon: "fa fa-thumb-tack", options: options };
  }

  function readForm(node) {
    var c = {};
    form().typed.forEach(function (k) {
      c[k] = $("#node-input-" + k).typedInput("value");
      c[k + "Type"] = $("#node-input-" + k).typedInput("type");
    });
    form().checks.forEach(function (k) {
      c[k] = $("#node-input-" + k).prop("checked");
    });
    form().plain.forEach(function (k) {
      c[k] = $("#node-input-" + k).val();
    });
    c.fieldRules = $("#node-input-fieldRules-container")
      .editableList("items")
      .map(function () {
        var row = $(this);
        return { action: row.find(".rule-action").val(), pattern: row.find(".rule-pattern").val(), to: row.find(".rule-to").val() };
      })
      .get();
    c.severityTable = $("#node-input-severityTable-container")
      .editableList("items")
      .map(function () {
        var row = $(this);
        return { values: row.find(".sev-values").val(), severity: row.find(".sev-target").val() };
      })
      .get();
    c.attributes = $("#node-input-attributes-container")
      .editableList("items")
      .map(function () {
        var row = $(this);
        var v = row.find(".attr-value");
        return { key: row.find(".attr-key").val(), type: v.typedInput("type"), value: v.typedInput("value") };
      })
      .get();
    c.preset = $("#sls-syslog-map-preset").val() || node.preset || "";
    return c;
  }

  function fillForm(c) {
    form().typed.forEach(function (k) {
      if (c[k + "Type"] !== undefined) $("#node-input-" + k).typedInput("type", c[k + "Type"]);
      if (c[k] !== undefined) $("#node-input-" + k).typedInput("value", c[k]);
    });
    form().checks.forEach(function (k) {
      if (c[k] !== undefined) $("#node-input-" + k).prop("checked", !!c[k]);
    });
    form().plain.forEach(function (k) {
      if (c[k] !== undefined) $("#node-input-" + k).val(String(c[k]));
    });
    $("#node-input-fieldRules-container")
      .editableList("empty")
      .editableList("addItems", c.fieldRules || []);
    $("#node-input-severityTable-container")
      .editableList("empty")
      .editableList("addItems", c.severityTable || []);
    $("#node-input-attributes-container")
      .editableList("empty")
      .editableList("addItems", c.attributes || []);
    $("#node-input-format, #node-input-timestampSource, #node-input-leefVersion, #node-input-sdEnabled").trigger("change");
  }

  editor.types["sls-syslog-map"] = {
    inputLabels: "SLS record(s)",
    outputLabels: "msg.syslog",
    label: function () {
      return (
        this.name ||
        "syslog map: " +
          ({ kv: "key=value", json: "JSON", cef: "CEF", leef: "LEEF", template: "template", field: "field", none: "header only" }[this.format] || "key=value")
      );
    },
    labelStyle: function () {
      return this.name ? "node_label_italic" : "";
    },
    oneditprepare: function () {
      var node = this;
      var tabs = RED.tabs.create({
        id: "sls-syslog-map-tabs",
        onchange: function (tab) {
          $("#sls-syslog-map-tabs-content").children().hide();
          $("#" + tab.id).show();
          if (tab.id === "sls-syslog-map-tab-preview") runPreview();
        },
      });
      tabs.addTab({ id: "sls-syslog-map-tab-body", label: node._("sls-syslog-map.tabs.body") });
      tabs.addTab({ id: "sls-syslog-map-tab-header", label: node._("sls-syslog-map.tabs.header") });
      tabs.addTab({ id: "sls-syslog-map-tab-fields", label: node._("sls-syslog-map.tabs.fields") });
      tabs.addTab({ id: "sls-syslog-map-tab-preview", label: node._("sls-syslog-map.tabs.preview") });

      ["hostname", "appName", "procId", "msgId", "vendor", "product", "productVersion", "eventId", "eventName"].forEach(function (k) {
        $("#node-input-" + k).typedInput({ default: "str", types: refTypes(), typeField: "#node-input-" + k + "Type" });
      });
      $("#node-input-facility").typedInput({
        default: "fixed",
        types: [fixedType(lists().FACILITIES), { value: "field", label: "field", icon: "fa fa-columns" }],
        typeField: "#node-input-facilityType",
      });
      $("#node-input-severity").typedInput({
        default: "fixed",
        types: [fixedType(lists().SEVERITIES), { value: "field", label: "field", icon: "fa fa-columns" }],
        typeField: "#node-input-severityType",
      });
      $("#node-input-cefSeverity").typedInput({
        default: "auto",
        types: [
          { value: "auto", label: node._("sls-syslog-map.label.fromSeverity"), hasValue: false },
          { value: "field", label: "field", icon: "fa fa-columns" },
          "str",
        ],
        typeField: "#node-input-cefSeverityType",
      });

      $("#node-input-fieldRules-container")
        .css("min-height", "120px")
        .editableList({
          addItem: function (row, i, r) {
            var action = $(
              '<select class="rule-action" style="width:110px">' +
                '<option value="include">' +
                node._("sls-syslog-map.rule.include") +
                "</option>" +
                '<option value="exclude">' +
                node._("sls-syslog-map.rule.exclude") +
                "</option>" +
                '<option value="rename">' +
                node._("sls-syslog-map.rule.rename") +
                "</option></select>",
            ).appendTo(row);
            var pattern = $('<input type="text" class="rule-pattern" style="width:calc(50% - 80px); margin-left:5px">')
              .attr("placeholder", node._("sls-syslog-map.placeholder.pattern"))
              .appendTo(row);
            var to = $('<input type="text" class="rule-to" style="width:calc(50% - 80px); margin-left:5px">')
              .attr("placeholder", node._("sls-syslog-map.placeholder.renameTo"))
              .appendTo(row);
            action.on("change", function () {
              to.toggle(action.val() === "rename");
            });
            action.val(r.action || "include").trigger("change");
            pattern.val(r.pattern || "");
            to.val(r.to || "");
          },
          removable: true,
          sortable: true,
        });
      $("#node-input-severityTable-container")
        .css("min-height", "100px")
        .editableList({
          addItem: function (row, i, r) {
            $('<input type="text" class="sev-values" style="width:calc(100% - 140px)">')
              .attr("placeholder", "ERROR|error|E|3")
              .val(r.values || "")
              .appendTo(row);
            var target = $('<select class="sev-target" style="width:120px; margin-left:5px"></select>').appendTo(row);
            lists().SEVERITIES.forEach(function (s, n) {
              $("<option>")
                .val(s)
                .text(n + " " + s)
                .appendTo(target);
            });
            target.val(r.severity === undefined ? "err" : typeof r.severity === "number" ? lists().SEVERITIES[r.severity] : r.severity);
          },
          removable: true,
          sortable: true,
        });
      $("#node-input-attributes-container")
        .css("min-height", "120px")
        .editableList({
          addItem: function (row, i, r) {
            $('<input type="text" class="attr-key" style="width:120px">')
              .attr("placeholder", "suser")
              .val(r.key || "")
              .appendTo(row);
            var v = $('<input type="text" class="attr-value" style="width:calc(100% - 130px); margin-left:5px">').appendTo(row);
            v.typedInput({ default: "field", types: refTypes() });
            v.typedInput("type", r.type || "field");
            v.typedInput("value", r.value || "");
          },
          removable: true,
          sortable: true,
        });
      $("#node-input-fieldRules-container").editableList("addItems", node.fieldRules || []);
      $("#node-input-severityTable-container").editableList("addItems", node.severityTable || []);
      $("#node-input-attributes-container").editableList("addItems", node.attributes || []);

      // Show only what the chosen format and sources use.
      $("#node-input-format").on("change", function () {
        var f = $(this).val();
        $(".sls-syslog-map-kv").toggle(f === "kv");
        $(".sls-syslog-map-json").toggle(f === "json");
        $(".sls-syslog-map-cefleef").toggle(f === "cef" || f === "leef");
        $(".sls-syslog-map-cef").toggle(f === "cef");
        $(".sls-syslog-map-leef").toggle(f === "leef");
        $(".sls-syslog-map-template").toggle(f === "template");
        $(".sls-syslog-map-field").toggle(f === "field");
      });
      $("#node-input-timestampSource").on("change", function () {
        $(".sls-syslog-map-tsfield").toggle($(this).val() === "field");
      });
      $("#node-input-leefVersion").on("change", function () {
        $(".sls-syslog-map-leef2").toggle($(this).val() === "2.0");
      });
      $("#node-input-sdEnabled").on("change", function () {
        $(".sls-syslog-map-sd").toggle($(this).prop("checked"));
      });
      $("#node-input-severity").on("change", function () {
        $(".sls-syslog-map-sevtable").toggle($("#node-input-severity").typedInput("type") === "field");
      });
      $("#node-input-format, #node-input-timestampSource, #node-input-leefVersion, #node-input-sdEnabled, #node-input-severity").trigger("change");

      // Presets: served by the runtime from lib/mapping/presets.ts, applied to the form on choice.
      var presets = {};
      var select = $("#sls-syslog-map-preset");
      $.getJSON("sls-syslog-map/presets", function (data) {
        presets = data;
        Object.keys(data).forEach(function (name) {
          $("<option>").val(name).text(data[name].label).appendTo(select);
        });
        select.val(node.preset && data[node.preset] ? node.preset : "");
      });
      select.on("change", function () {
        var p = presets[select.val()];
        $("#sls-syslog-map-preset-info").text(p ? p.description : "");
        if (p) fillForm(p.config);
      });

      // Live preview through the node's admin endpoint: the same engine the flow runs.
      var sample = $("#sls-syslog-map-sample");
      if (!sample.val()) {
        sample.val(
          JSON.stringify(
            {
              __time__: 1714979289,
              __topic__: "login",
              __source__: "10.0.0.5",
              "__tag__:__hostname__": "web-01",
              "__tag__:__client_ip__": "203.0.113.7",
              user: "alice",
              action: "login",
              result: "failure",
              level: "ERROR",
              detail: '{"ip":"203.0.113.7","mfa":false}',
            },
            null,
            2,
          ),
        );
      }
      // The line depends on the sls-syslog-out node the message goes to: offer the ones wired
      // to this node (and their server's size limit), then sls-syslog-out's defaults.
      var formatSelect = $("#sls-syslog-map-preview-format");
      RED.nodes.filterLinks({ source: node }).forEach(function (link) {
        var t = link.target;
        if (t && t.type === "sls-syslog-out") {
          $("<option>")
            .val("node:" + t.id)
            .text(node._("sls-syslog-map.label.asNode", { name: t.name || "syslog out" }))
            .prependTo(formatSelect);
        }
      });
      formatSelect.prop("selectedIndex", 0);
      function outSettings(choice) {
        if (choice === "rfc5424" || choice === "rfc3164") return { format: choice };
        var o = RED.nodes.node(String(choice).slice(5));
        if (!o) return {};
        var srv = RED.nodes.node(o.server);
        return {
          format: o.format,
          facility: o.facility,
          severity: o.severity,
          hostname: o.hostname,
          appName: o.appName,
          procId: o.procId,
          msgId: o.msgId,
          bom: o.bom,
          hostnameChars: o.hostnameChars,
          maxMessageBytes: srv ? srv.maxMessageBytes : undefined,
        };
      }
      var timer = null;
      function runPreview() {
        var out = $("#sls-syslog-map-preview-out");
        $.ajax({
          url: "sls-syslog-map/preview",
          type: "POST",
          contentType: "application/json",
          data: JSON.stringify({ config: readForm(node), sample: sample.val(), out: outSettings($("#sls-syslog-map-preview-format").val()) }),
          success: function (r) {
            showPreview(r);
          },
          error: function (xhr) {
            showPreview(xhr.responseJSON || { error: xhr.statusText });
          },
        });
        function showPreview(r) {
          out.empty();
          if (r.error) $('<div class="sls-syslog-map-preview-error">').text(r.error).appendTo(out);
          (r.syslog || []).forEach(function (s, n) {
            var line = r.lines && r.lines[n];
            if (line) {
              $('<div class="sls-syslog-map-preview-label">').text(node._("sls-syslog-map.label.line")).appendTo(out);
              // The BOM is invisible: show where it is.
              $('<pre class="sls-syslog-map-preview-line">')
                .text(line.replace(/\ufeff/g, "\u27e8BOM\u27e9"))
                .appendTo(out);
            }
            if (s.message !== undefined) {
              $('<div class="sls-syslog-map-preview-label">').text(node._("sls-syslog-map.label.body")).appendTo(out);
              $('<pre class="sls-syslog-map-preview-body">').text(s.message).appendTo(out);
            }
            $('<div class="sls-syslog-map-preview-label">').text("msg.syslog").appendTo(out);
            $("<pre>")
              .text(JSON.stringify(s, null, 1))
              .appendTo(out);
          });
          (r.warnings || []).forEach(function (w) {
            $('<div class="sls-syslog-map-preview-warning">').text(w).appendTo(out);
          });
        }
      }
      sample.on("input", function () {
        clearTimeout(timer);
        timer = setTimeout(runPreview, 400);
      });
      $("#sls-syslog-map-preview-run").on("click", function (e) {
        e.preventDefault();
        runPreview();
      });
      $("#sls-syslog-map-preview-format").on("change", runPreview);
    },
    oneditsave: function () {
      var c = readForm(this);
      this.fieldRules = c.fieldRules;
      this.severityTable = c.severityTable;
      this.attributes = c.attributes;
      this.preset = c.preset;
    },
    oneditresize: function (size) {
      $("#sls-syslog-map-sample").css("height", Math.max(100, Math.min(200, size.height - 500)) + "px");
    },
  };
})((window.slsSyslogEditor = window.slsSyslogEditor || { types: {} }));
