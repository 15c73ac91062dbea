// The editor's checks and admin actions of issue 19, in real Chromium against the `npm start` demo:
// the sls-consumer dialog's "Reset checkpoints…" (a confirmation that names the group and shows a
// lag row per shard, then the reset) and the sls-syslog-server dialog's "Send test event" (the
// outcome per target, and the event in the demo receiver's log). Screenshots go to
// test-artifacts/backfill-editor/ (git-ignored).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, artifactPath } from "../support/browser";
import { startDemo } from "../support/demo-process";

/** Ids of the nodes of a type in the editor's workspace. */
function nodesOf(page: Page, type: string): Promise<string[]> {
  return page.evaluate(
    (t) => (window as unknown as { RED: { nodes: { filterNodes(f: object): Array<{ id: string }> } } }).RED.nodes.filterNodes({ type: t }).map((n) => n.id),
    type,
  );
}

test("editor: reset a consumer group's checkpoints after a confirmation; send a test event to the syslog receiver", { timeout: 180_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-e2e-backfill-"));
  const demo = await startDemo(["--data-dir", dataDir, "--quiet", "--rate", "20"]);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(demo.ready.editor);
    await page.locator('#red-ui-palette .red-ui-palette-node[data-palette-type="debug"]').waitFor();
    // The demo's consumer is running once its status shows shards.
    const [consumer] = await nodesOf(page, "sls-consumer");
    assert.ok(consumer, "the demo flow has a consumer");
    await page
      .locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${consumer}"] .red-ui-flow-node-status-label`, { hasText: /shards/ })
      .waitFor({ timeout: 60_000 });

    await t.test("Reset checkpoints…: confirmation naming the group with one lag row per shard, then the reset", async () => {
      await page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${consumer}"]`).dblclick();
      await page.locator("#node-dialog-ok").waitFor({ state: "visible" });
      await page.selectOption("#sls-consumer-reset-position", "end");
      await page.locator("#sls-consumer-reset-button").click();
      const confirm = page.locator("#sls-consumer-reset-confirm");
      await confirm.waitFor({ state: "visible", timeout: 20_000 });
      const question = await page.locator("#sls-consumer-reset-question").textContent();
      assert.match(question ?? "", /consumer group node-red-demo \(demo-project \/ rds-audit\) to the end\?/);
      assert.equal(await page.locator("#sls-consumer-reset-lag tbody tr").count(), 2, "one row per shard");
      const go = page.locator("#sls-consumer-reset-go");
      assert.equal(await go.textContent(), "Reset group node-red-demo");
      await page.screenshot({ path: artifactPath("backfill-editor", "01-reset-confirmation.png") });
      await go.click();
      await page
        .locator("#sls-consumer-reset-result", { hasText: "Consumer group node-red-demo: 2 shard checkpoints moved to the end." })
        .waitFor({ timeout: 60_000 });
      await page.screenshot({ path: artifactPath("backfill-editor", "02-reset-done.png") });
      await page.locator("#node-dialog-cancel").click();
      await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
    });

    await t.test("Send test event: connected, bytes written, and the event in the receiver's log", async () => {
      const [out] = await nodesOf(page, "sls-syslog-out");
      await page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${out}"]`).dblclick();
      await page.locator("#node-input-btn-server-edit").click();
      await page.locator("#node-config-dialog-ok").waitFor({ state: "visible" });
      await page.locator("#sls-syslog-test-button").click();
      const ok = page.locator("#sls-syslog-test-result .sls-syslog-test-ok");
      await ok.waitFor({ timeout: 20_000 });
      assert.match((await ok.textContent()) ?? "", /^✓ TCP 127\.0\.0\.1:\d+: connected to 127\.0\.0\.1:\d+ · \d+ bytes written$/);
      const lookup = (await page.locator("#sls-syslog-test-result .form-tips").textContent()) ?? "";
      const id = /test event ([0-9a-f-]{36})/.exec(lookup)?.[1];
      assert.ok(id, `the result names the event's id: ${lookup}`);
      await page.screenshot({ path: artifactPath("backfill-editor", "03-test-event.png") });
      const log = demo.ready.receivedLog!;
      const t0 = Date.now();
      while (!(fs.existsSync(log) && fs.readFileSync(log, "utf8").includes(`test event ${id}`))) {
        assert.ok(Date.now() - t0 < 20_000, "the test event reached the demo receiver");
        await new Promise((r) => setTimeout(r, 100));
      }
      await page.locator("#node-config-dialog-cancel").click();
      await page.locator("#node-dialog-cancel").click();
      await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
    });

    assert.deepEqual(pageErrors, [], "no exceptions in the editor");
  } finally {
    await browser.close();
    assert.equal(await demo.stop(), 0, "the demo stops cleanly on SIGINT");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
