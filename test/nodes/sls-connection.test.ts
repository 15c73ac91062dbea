// sls-connection: the dialog's "test connection" endpoint lists shards with the edited values,
// falls back to the deployed credentials for untouched password fields, and reports SLS codes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, type Emulator } from "../../emulator/index";
import { helper } from "../support/red-helper";
import connNode = require("../../nodes/sls-connection");

let emu: Emulator;
before(async () => {
  emu = await start({ port: 0, logstore: "store", shards: 3 });
  await helper.startServer();
});
after(async () => {
  await helper.unload();
  await helper.stopServer();
  await emu.close();
});

test("test connection lists shards, uses stored secrets for unchanged fields, reports SLS codes", async () => {
  await helper.load([connNode], [{ id: "c1", type: "sls-connection", endpoint: emu.url, cname: "auto", version: 1 }], {
    c1: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
  });
  const post = (body: object) => helper.request().post("/sls-connection/test").send(body);
  const ok = await post({ id: "c1", endpoint: emu.url, cname: "auto", accessKeyId: emu.accessKeyId, accessKeySecret: "__PWRD__", project: emu.project, logstore: "store" });
  assert.equal(ok.status, 200);
  const b = ok.body as { ok: boolean; host: string; shards: Array<{ shard: number; status: string }> };
  assert.equal(b.ok, true, JSON.stringify(b));
  assert.equal(b.host, emu.endpoint);
  assert.deepEqual(b.shards.map((s) => [s.shard, s.status]), [[0, "readwrite"], [1, "readwrite"], [2, "readwrite"]]);
  const bad = await post({ id: "c1", endpoint: emu.url, accessKeyId: emu.accessKeyId, accessKeySecret: "nope", project: emu.project, logstore: "store" });
  const e = bad.body as { ok: boolean; code: string; message: string };
  assert.equal(e.ok, false);
  assert.equal(e.code, "SignatureNotMatch");
  assert.doesNotMatch(JSON.stringify(e), /nope|emulator-access-key-secret/);
  const missing = await post({ id: "c1", endpoint: emu.url, accessKeySecret: "__PWRD__", accessKeyId: emu.accessKeyId, project: emu.project, logstore: "nothere" });
  assert.equal((missing.body as { code: string }).code, "LogStoreNotExist");
  const conn = helper.getNode("c1") as unknown as { getClient(): { hostFor(p: string): string } };
  assert.equal(conn.getClient(), conn.getClient(), "one shared client per connection");
});
