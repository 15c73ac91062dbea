// The modules on a log's path (syslog formatting and sending, mapping encoders) keep their exports
// object in V8's fast mode. A re-export (`export { x } from "./y"`, or exporting an imported name)
// compiles to `exports.x = void 0` and then a getter defined over it; changing a data property into
// an accessor turns the whole exports object into a dictionary. Every call from another module to
// any of its functions (`header_field_1.putHeaderField(...)`) then goes through a generic property
// load instead of a constant: four such loads per message in the RFC 5424 formatter cost ~3 % of
// bench:syslog's instructions. Barrels (index.ts) are read once at load time and are left out.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";

const LIB = path.join(__dirname, "..", "..", "lib");

function modules(dir: string): string[] {
  return fs
    .readdirSync(path.join(LIB, dir))
    .filter((f) => f.endsWith(".js") && f !== "index.js")
    .map((f) => path.join(LIB, dir, f));
}

test("the syslog and mapping modules keep their exports objects in fast mode (no re-exports)", () => {
  v8.setFlagsFromString("--allow-natives-syntax");
  // V8's %HasFastProperties is only reachable through code compiled after the flag is set.
  // eslint-disable-next-line no-new-func
  const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;
  v8.setFlagsFromString("--no-allow-natives-syntax");
  const files = [...modules("syslog"), ...modules("mapping")];
  assert.ok(files.length > 20, `found the compiled modules (${files.length})`);
  // The check itself: an exports object with a getter over a data property is not fast.
  const probe: Record<string, unknown> = {};
  probe.a = undefined;
  probe.b = 1;
  Object.defineProperty(probe, "a", { enumerable: true, get: () => 2 });
  assert.equal(hasFastProperties(probe), false, "the probe detects dictionary mode");
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module objects themselves, by path
  const slow = files.filter((f) => !hasFastProperties(require(f) as object)).map((f) => path.relative(LIB, f));
  assert.deepEqual(slow, [], "modules whose exports are a dictionary (import the re-exported name from its own module instead)");
});
