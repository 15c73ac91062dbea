// The editor as a user meets it, in real Chromium against the `npm start` demo: our palette entries
// and icons, every edit dialog (fields, validation messages, help), Import > Examples, Deploy, and
// records arriving in the Debug sidebar. Screenshots go to test-artifacts/editor/ (git-ignored);
// with UPDATE_DOCS_SCREENSHOTS=1 the README's screenshot in docs/ is refreshed too.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { launchBrowser, artifactPath } from "../support/browser";
import { packageRoot, startDemo } from "../support/demo-process";
import { SLS_SYSLOG_SERVER, currentVersion } from "../../lib/config";

const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  name: string;
  "node-red": { nodes: Record<string, string> };
};
const TYPES = Object.keys(pkg["node-red"].nodes);

/** The example imported through Import > Examples (file name under examples/, without .json). */
const IMPORTED_EXAMPLE = "SLS to Splunk (JSON)";

/** Form fields whose id is not node-input-<prop> / node-input-<prop>-container (editable lists). */
const FIELD_IDS: Record<string, Record<string, string>> = {
  "sls-syslog-map": { preset: "#sls-syslog-map-preset" },
  // Format 1's failover receiver: shown (and saved) as the first row of the targets list.
  "sls-syslog-server": { secondaryHost: "#node-config-input-moreTargets-container", secondaryPort: "#node-config-input-moreTargets-container" },
};

/**
 * Bad values the dialogs must flag (red field), and the message shown on hover: the runtime's own
 * (lib/config). `set` chooses other fields first (a start time is checked only with start = time).
 * One value per field: the hover message is read once per field.
 */
const BAD_VALUES: Array<{ type: string; prop: string; bad: string; message?: RegExp; set?: Record<string, string> }> = [
  { type: "sls-consumer", prop: "maxInFlight", bad: "0", message: /maxInFlight "0": must be a whole number from 1 to 100000/ },
  { type: "sls-consumer", prop: "startTime", bad: "yesterday", set: { start: "time" }, message: /startTime "yesterday": must be an ISO 8601 time/ },
  { type: "sls-consumer", prop: "project", bad: "", message: /project: required/ },
  { type: "sls-connection", prop: "endpoint", bad: "", message: /endpoint: required/ },
  { type: "sls-syslog-map", prop: "kvSeparator", bad: "a=", message: /the separator contains =/ },
  { type: "sls-syslog-server", prop: "port", bad: "70000", message: /port "70000": must be a whole number from 1 to 65535/ },
  { type: "sls-syslog-out", prop: "appName", bad: "two words", message: /appName "two words": printable US-ASCII/ },
  { type: "sls-syslog-out", prop: "hostname", bad: "my host", message: /US-ASCII|ASCII/i },
];

/**
 * Saved settings a dialog cannot produce (a select has no such option), as an imported flow brings
 * them: the editor marks the node invalid, naming the property, as the runtime refuses it.
 */
const BAD_IMPORTS: Array<{ node: Record<string, unknown>; prop: string }> = [
  { node: { type: "sls-syslog-server", host: "siem", port: "6514", protocol: "ssl" }, prop: "protocol" },
  // Saved by this release (format 2; an older flow's TLS settings under tcp, ignored then, are cleared by the upgrade).
  {
    node: { type: "sls-syslog-server", host: "siem", port: "6514", protocol: "tcp", caFile: "/etc/ca.pem", version: currentVersion(SLS_SYSLOG_SERVER) },
    prop: "protocol",
  },
  { node: { type: "sls-consumer", project: "p", logstore: "l", consumerGroup: "g", start: "time", startTime: "next tuesday" }, prop: "startTime" },
  { node: { type: "sls-syslog-out", facility: "local9" }, prop: "facility" },
];

/** What the test needs from the editor's registration of a type (functions cannot cross to Node). */
interface TypeInfo {
  type: string;
  category: string;
  icon: string;
  defaults: Record<string, { type?: string; required: boolean }>;
  credentials: string[];
  help: string;
}

/** The part of the editor's global RED object this test calls inside the page. */
interface EditorRed {
  nodes: {
    getType(t: string): {
      category: string;
      icon?: string;
      defaults: Record<string, { type?: string; required?: boolean }>;
      credentials?: Record<string, unknown>;
    } | null;
    getNodeHelp(t: string): string | undefined;
    filterNodes(f: { type?: string; z?: string }): Array<{ id: string; type: string; z: string; validationErrors?: string[] }>;
    node(id: string): { id: string; validationErrors?: string[]; valid?: boolean } | null;
    import(nodes: object[]): unknown;
    remove(id: string): unknown;
  };
  workspaces: { active(): string };
  actions: { invoke(name: string): void };
  sidebar: { help: { show(type: string): void }; show(id: string): void };
}

/** Runs fn in the page with the editor's RED object; fn must be self-contained (it is sent as source). */
function inEditor<A, R>(page: Page, fn: (red: EditorRed, arg: A) => R, arg: A): Promise<R> {
  return page.evaluate(
    // eslint-disable-next-line no-new-func -- runs in the browser page: the test's own function, sent as source
    ([src, a]) => (new Function(`return (${src})`)() as (red: unknown, arg: unknown) => R)((window as unknown as { RED: unknown }).RED, a),
    [fn.toString(), arg] as const,
  );
}

test("editor: palette, dialogs, help, Import > Examples, deploy, Debug sidebar", { timeout: 120_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sls-e2e-editor-"));
  const demo = await startDemo(["--data-dir", dataDir, "--quiet", "--rate", "20"]);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(demo.ready.editor);
    await page.locator('#red-ui-palette .red-ui-palette-node[data-palette-type="debug"]').waitFor();

    const infos = await inEditor(
      page,
      (R, types: string[]) =>
        types.map((type) => {
          const d = R.nodes.getType(type);
          if (!d) return null;
          const defaults: Record<string, { type?: string; required: boolean }> = {};
          for (const [k, v] of Object.entries(d.defaults)) defaults[k] = { type: v.type, required: !!v.required };
          return {
            type,
            category: d.category,
            icon: d.icon ?? "",
            defaults,
            credentials: Object.keys(d.credentials ?? {}),
            help: R.nodes.getNodeHelp(type) ?? "",
          };
        }),
      TYPES,
    );

    await t.test("every node type of the package is registered in the editor", () => {
      assert.deepEqual(
        infos.map((i, n) => (i ? i.type : `missing ${TYPES[n]}`)),
        TYPES,
      );
    });
    const types = infos.filter((i): i is TypeInfo => i !== null);
    const configTypes = types.filter((i) => i.category === "config");
    const flowTypes = types.filter((i) => i.category !== "config");

    await t.test("palette shows every non-config node, in our category, with its own icon", async () => {
      for (const info of flowTypes) {
        const entry = page.locator(`#red-ui-palette .red-ui-palette-node[data-palette-type="${info.type}"]`);
        await entry.waitFor({ state: "visible" });
        assert.equal(info.category, "Alibaba SLS", `${info.type} category`);
        const bg = await entry.locator(".red-ui-palette-icon").evaluate((el) => getComputedStyle(el).backgroundImage);
        const m = /url\("?([^")]+)"?\)/.exec(bg);
        assert.ok(m, `${info.type}: palette icon has an image (${bg})`);
        assert.match(m[1], new RegExp(`/icons/${pkg.name}/[^/]+\\.svg$`), `${info.type}: icon is one of ours`);
        const res = await page.request.get(m[1]);
        assert.equal(res.status(), 200, `${info.type}: icon ${m[1]} loads`);
        assert.match(res.headers()["content-type"] ?? "", /svg/);
      }
      await page.screenshot({ path: artifactPath("editor", "01-palette-and-demo-flow.png") });
    });

    await t.test("every edit dialog has a field per property, flags bad values with a message, and has help", async () => {
      for (const info of types) {
        assert.match(info.help, /<h3>\s*Details\s*<\/h3>|### Details/, `${info.type}: help has a Details section`);
        assert.ok(info.help.replace(/<[^>]+>/g, "").trim().length > 200, `${info.type}: help says more than a line`);
      }
      await inEditor(page, (R) => R.actions.invoke("core:add-flow"), null);
      const seenConfig = new Set<string>();
      const canvas = page.locator("#red-ui-workspace-chart");
      let slot = 0;
      for (const info of flowTypes) {
        const id = await dropFromPalette(page, canvas, info.type, slot++);
        await page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`).dblclick();
        await page.locator("#node-dialog-ok").waitFor({ state: "visible" });
        await expectFields(page, "node-input", info);
        for (const [prop, def] of Object.entries(info.defaults)) {
          const cfg = configTypes.find((c) => c.type === def.type);
          if (!cfg) continue;
          // The "+" button beside the config select opens a new config node's own dialog.
          await page.locator(`#node-input-btn-${prop}-add`).click();
          await page.locator("#node-config-dialog-ok").waitFor({ state: "visible" });
          await expectFields(page, "node-config-input", cfg);
          await checkBadValues(page, "node-config-input", cfg.type);
          await page.screenshot({ path: artifactPath("editor", `03-dialog-${cfg.type}.png`) });
          await page.locator("#node-config-dialog-cancel").click();
          await page.locator("#node-config-dialog-ok").waitFor({ state: "detached" });
          seenConfig.add(cfg.type);
        }
        await checkBadValues(page, "node-input", info.type);
        await page.screenshot({ path: artifactPath("editor", `02-dialog-${info.type}.png`) });
        await page.locator("#node-dialog-cancel").click();
        await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
        await inEditor(page, (R, type) => R.sidebar.help.show(type), info.type);
        // Node-RED 5 may put the help in either sidebar (#red-ui-sidebar-left is new in 5).
        const help = page.locator("#red-ui-sidebar .red-ui-help, #red-ui-sidebar-left .red-ui-help").filter({ hasText: "Details" }).first();
        await help.waitFor({ state: "visible" });
      }
      assert.deepEqual([...seenConfig].sort(), configTypes.map((c) => c.type).sort(), "every config node is reachable from a node's dialog");
      await page.screenshot({ path: artifactPath("editor", "04-help.png") });
      // Leave nothing half-configured behind: delete the scratch tab's nodes before deploying.
      await canvas.click({ position: { x: 600, y: 600 } });
      await page.keyboard.press("Control+a");
      await page.keyboard.press("Delete");
    });

    await t.test("imported nodes with settings the runtime refuses are marked invalid, naming the property", async () => {
      for (const c of BAD_IMPORTS) {
        const id = `bad${BAD_IMPORTS.indexOf(c)}`;
        const got = await inEditor(
          page,
          (R, a: { id: string; node: Record<string, unknown> }) => {
            R.nodes.import([{ ...a.node, id: a.id, z: a.node.type === "sls-syslog-server" ? undefined : R.workspaces.active(), x: 100, y: 100 }]);
            const n = R.nodes.node(a.id);
            const seen = { valid: n?.valid, errors: n?.validationErrors ?? [] };
            // Nothing invalid may stay behind for the deploys below.
            R.nodes.remove(a.id);
            return seen;
          },
          { id, node: c.node },
        );
        assert.equal(got.valid, false, `${JSON.stringify(c.node)} is invalid`);
        // Node-RED lists the validators' messages; ours start with the property, as the runtime's error does.
        assert.ok(
          got.errors.some((e) => e.startsWith(`${c.prop} `) || e.startsWith(`${c.prop}:`)),
          `${JSON.stringify(c.node)}: ${got.errors.join(", ")} names ${c.prop}`,
        );
      }
    });

    await t.test("Import > Examples brings in an example that deploys and shows records in the Debug sidebar", async () => {
      await inEditor(page, (R) => R.actions.invoke("core:show-examples-import-dialog"), null);
      const lib = page.locator("#red-ui-clipboard-dialog-import-tab-examples");
      await lib.locator(".red-ui-treeList-label", { hasText: pkg.name }).click();
      await lib.locator(".red-ui-treeList-label", { hasText: IMPORTED_EXAMPLE }).click();
      await page.locator("#red-ui-clipboard-dialog-import-opt-new").click();
      await page.screenshot({ path: artifactPath("editor", "05-import-example.png") });
      const consumersBefore = await inEditor(page, (R) => R.nodes.filterNodes({ type: "sls-consumer" }).length, null);
      await page.locator("#red-ui-clipboard-dialog-ok").click();
      // The editor fetches the example from the runtime, then adds it on a new tab.
      await page.waitForFunction((n) => (window as unknown as { RED: EditorRed }).RED.nodes.filterNodes({ type: "sls-consumer" }).length > n, consumersBefore);
      // Imported nodes follow the mouse until a click places them.
      await page.locator("#red-ui-workspace-chart").click({ position: { x: 120, y: 80 } });
      const imported = await inEditor(page, (R) => R.nodes.filterNodes({ z: R.workspaces.active() }).map((n) => ({ id: n.id, type: n.type })), null);
      assert.ok(imported.length > 0, "the example was imported into a new flow");
      const debugNode = imported.find((n) => n.type === "debug");
      const consumer = imported.find((n) => n.type === "sls-consumer");
      assert.ok(debugNode && consumer, "the example has a consumer and a debug node");

      // Examples carry no credentials: enter them as the README says, as references to the environment.
      await page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${consumer.id}"]`).dblclick();
      await page.locator("#node-input-btn-connection-edit").click();
      await page.locator("#node-config-input-accessKeyId").fill("${SLS_AK_ID}");
      await page.locator("#node-config-input-accessKeySecret").fill("${SLS_AK_KEY}");
      await page.locator("#node-config-dialog-ok").click();
      await page.locator("#node-config-dialog-ok").waitFor({ state: "detached" });
      // Its own consumer group: it gets every log at once instead of waiting for the demo flow's
      // group to hand it a shard (a rebalance takes a heartbeat or two).
      await page.locator("#node-input-consumerGroup").fill("editor-e2e");
      await page.locator("#node-dialog-ok").click();
      await page.locator("#node-dialog-ok").waitFor({ state: "detached" });

      await page.locator("#red-ui-header-button-deploy").click();
      await page.locator(".red-ui-notification", { hasText: /deployed/i }).waitFor();
      await page.locator("#red-ui-header-button-deploy.disabled").waitFor();
      await showDebugSidebar(page);
      const fromImported = page.locator(`#red-ui-sidebar .red-ui-debug-msg-node-${debugNode.id.replace(/\./g, "_")}`);
      await fromImported.first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: artifactPath("editor", "06-debug-sidebar.png") });
    });

    await t.test("the demo flow as the README shows it", async () => {
      await page.locator("#red-ui-workspace-tabs .red-ui-tab", { hasText: "SLS demo" }).click();
      await showDebugSidebar(page);
      await page.locator("#red-ui-sidebar .red-ui-debug-msg").first().waitFor();
      // Notifications close on click; the README picture shows the flow, not "Successfully deployed".
      for (const n of await page.locator(".red-ui-notification").all()) await n.click().catch(() => undefined);
      await page.locator(".red-ui-notification").first().waitFor({ state: "detached" });
      await page
        .locator('#red-ui-palette-base-category-Alibaba_SLS, #red-ui-palette .red-ui-palette-node[data-palette-type="sls-consumer"]')
        .first()
        .scrollIntoViewIfNeeded();
      const shot = artifactPath("editor", "07-demo-flow.png");
      await page.screenshot({ path: shot });
      if (process.env.UPDATE_DOCS_SCREENSHOTS === "1") fs.copyFileSync(shot, path.join(packageRoot, "docs", "demo-flow.png"));
    });

    assert.deepEqual(pageErrors, [], "no exceptions in the editor");
  } finally {
    await browser.close();
    assert.equal(await demo.stop(), 0, "the demo stops cleanly on SIGINT");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * Opens the Debug sidebar as a user does: its tab (Node-RED 4), or its button in the sidebar's tab
 * bar (Node-RED 5, where clicking the button of the tab already shown hides it).
 */
async function showDebugSidebar(page: Page): Promise<void> {
  const nr4Tab = page.locator("#red-ui-tab-debug-link-button");
  const nr5Button = page.locator('.red-ui-sidebar-tab-bar button[data-tab-id="debug"]');
  await nr4Tab.or(nr5Button).first().waitFor();
  if (await nr4Tab.count()) await nr4Tab.click();
  else if (!(await nr5Button.evaluate((b) => b.classList.contains("selected")))) await nr5Button.click();
}

/** Drags a palette entry onto the canvas like a user; returns the new node's id. */
async function dropFromPalette(page: Page, canvas: Locator, type: string, slot: number): Promise<string> {
  const ids = (R: EditorRed, t: string): string[] => R.nodes.filterNodes({ type: t }).map((n) => n.id);
  const before = await inEditor(page, ids, type);
  await page.locator(`#red-ui-palette .red-ui-palette-node[data-palette-type="${type}"]`).dragTo(canvas, {
    targetPosition: { x: 200 + (slot % 3) * 220, y: 120 + Math.floor(slot / 3) * 100 },
  });
  const after = await inEditor(page, ids, type);
  const added = after.filter((id) => !before.includes(id));
  assert.equal(added.length, 1, `dragging ${type} from the palette adds one node`);
  return added[0];
}

async function expectFields(page: Page, prefix: string, info: TypeInfo): Promise<void> {
  for (const prop of [...Object.keys(info.defaults), ...info.credentials]) {
    if (prop === "version") continue; // migration marker, never edited
    const selector = FIELD_IDS[info.type]?.[prop] ?? `#${prefix}-${prop}, #${prefix}-${prop}-container`;
    // The tray's buttons appear before its form is built: give the form a moment on a busy machine.
    const present = await page
      .locator(selector)
      .first()
      .waitFor({ state: "attached", timeout: 5000 })
      .then(
        () => true,
        () => false,
      );
    assert.ok(present, `${info.type} dialog has a field for "${prop}"`);
    assert.equal(await page.locator(selector).count(), 1, `${info.type} dialog has one field for "${prop}"`);
  }
}

async function checkBadValues(page: Page, prefix: string, type: string): Promise<void> {
  for (const c of BAD_VALUES.filter((b) => b.type === type)) {
    for (const [k, v] of Object.entries(c.set ?? {})) await page.selectOption(`#${prefix}-${k}`, v);
    const input = page.locator(`#${prefix}-${c.prop}`);
    await input.fill(c.bad);
    await input.dispatchEvent("change");
    await page.locator(`#${prefix}-${c.prop}.input-error`).waitFor();
    if (c.message) {
      // The message is a tooltip shown on mouseenter: come from outside the field.
      await page.mouse.move(1, 1);
      await input.hover();
      await page.locator(".red-ui-popover", { hasText: c.message }).first().waitFor({ state: "visible" });
    }
  }
}
