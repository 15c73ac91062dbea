// The mapping node's dialog in a real editor and browser: presets fill the form, the preview tab
// shows what the engine makes of the sample, and Done saves the rules.

import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser } from "../support/browser";
import { startNodeRed } from "../support/embedded-node-red";

test("sls-syslog-map dialog: preset, preview through the admin endpoint, save", async () => {
  const nr = await startNodeRed([
    { id: "t1", type: "tab", label: "Flow" },
    { id: "m1", z: "t1", type: "sls-syslog-map", name: "", version: 1, format: "kv", x: 300, y: 100, wires: [["o1"]] },
    // The preview takes the line's remaining settings from the syslog out the map node feeds.
    {
      id: "o1",
      z: "t1",
      type: "sls-syslog-out",
      name: "to SIEM",
      server: "s1",
      format: "rfc5424",
      facility: "user",
      severity: "info",
      hostname: "fwd-01",
      appName: "aliyun-sls",
      procId: "",
      msgId: "AUDIT",
      bom: "never",
      version: 1,
      x: 550,
      y: 100,
      wires: [],
    },
    {
      id: "s1",
      type: "sls-syslog-server",
      host: "127.0.0.1",
      port: "9",
      protocol: "tcp",
      framing: "octet",
      rejectUnauthorized: true,
      maxMessageBytes: "65536",
      version: 1,
    },
  ]);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(60_000); // CI machines are shared; the editor bundle is large
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(nr.url);
    await page.locator('.red-ui-palette-node[data-palette-type="sls-syslog-map"]').waitFor({ timeout: 60_000 });
    await page.evaluate(() =>
      (globalThis as unknown as { RED: { editor: { edit(n: unknown): void }; nodes: { node(id: string): unknown } } }).RED.editor.edit(
        (globalThis as unknown as { RED: { nodes: { node(id: string): unknown } } }).RED.nodes.node("m1"),
      ),
    );
    await page.locator('#sls-syslog-map-preset option[value="arcsight-cef"]').waitFor({ state: "attached" });
    await page.selectOption("#sls-syslog-map-preset", "recipe");
    assert.equal(await page.locator("#node-input-kvOrder").inputValue(), "sls-first");
    assert.equal(await page.locator("#node-input-kvEscape").inputValue(), "none");
    await page.selectOption("#sls-syslog-map-preset", "arcsight-cef");
    assert.equal(await page.locator("#node-input-format").inputValue(), "cef");
    assert.equal(await page.locator("#node-input-attributes-container li").count(), 6);

    await page.locator("#red-ui-tab-sls-syslog-map-tab-preview a").click();
    await page.locator("#sls-syslog-map-sample").fill(
      JSON.stringify({
        payload: { __time__: 1714979289, __source__: "10.0.0.5", user: "alice", note: "a=b|c" },
        sls: { project: "p1", logstore: "audit", shard: 2, time: 1714979289, timeNs: 0 },
      }),
    );
    const cef = "CEF:0|Alibaba Cloud|SLS|1.0|audit|SLS log|1|rt=1714979289000 cs1Label=project cs1=p1 cs2Label=logstore cs2=audit user=alice note=a\\=b|c";
    const line = page.locator("#sls-syslog-map-preview-out pre.sls-syslog-map-preview-line").first();
    await line.filter({ hasText: "note=a\\=b|c" }).waitFor();
    assert.equal(await line.textContent(), `<14>1 2024-05-06T07:08:09Z 10.0.0.5 audit - AUDIT - ${cef}`);
    assert.equal(await page.locator("#sls-syslog-map-preview-out pre.sls-syslog-map-preview-body").first().textContent(), cef);
    await page.selectOption("#sls-syslog-map-preview-format", "rfc3164");
    await line.filter({ hasText: "<14>May  6 07:08:09 10.0.0.5 audit: CEF:0|" }).waitFor();

    await page.locator("#node-dialog-ok").click();
    const saved = await page.evaluate(() => {
      const n = (globalThis as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> } } }).RED.nodes.node("m1");
      return { format: n.format, preset: n.preset, attributes: n.attributes, valid: n.valid, version: n.version };
    });
    assert.deepEqual(saved.format, "cef");
    assert.equal(saved.preset, "arcsight-cef");
    assert.equal(saved.valid, true);
    assert.equal(saved.version, 1);
    assert.deepEqual(
      (saved.attributes as { key: string }[]).map((a) => a.key),
      ["rt", "src", "cs1Label", "cs1", "cs2Label", "cs2"],
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await nr.stop();
  }
});
