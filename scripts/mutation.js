// Mutation testing of the modules where a silent bug loses or corrupts logs (docs/testing.md,
// "Mutation testing"). Stryker puts one small bug at a time into a module ("mutant") and runs that
// module's fast unit tests against it; a mutant no test notices shows behaviour nothing checks.
//
//   npm run test:mutation                          every module below, one after another
//   npm run test:mutation -- --module framing      one module (repeat --module for several)
//   npm run test:mutation -- --list                the modules, their files and tests
//   npm run test:mutation -- --draft --module X    entries for X's unexplained survivors (last report)
//   npm run test:mutation -- --reports [--module X] the summary again from the last reports (no run),
//                                                  e.g. after editing mutation-equivalents.js
//
// Each module runs with only its own unit tests (compiled by a build in Stryker's sandbox), at
// concurrency 1 and nice 15: it is a habit for a shared 2-core machine, not a CI job. Reports go
// to reports/mutation/: <module>.json (Stryker's mutation-testing-report schema) and
// reports/mutation/summary.md (the table docs/testing.md shows). Equivalent mutants (listed with their
// reasons in scripts/mutation-equivalents.js) are left out of the kill rate. Exit status 1 when a
// module is below BREAK_AT, when a survivor is neither detected nor listed as equivalent, or when a
// listed mutant was detected.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { keyOf, same, staleEntries } = require("./mutation-match.js");
const EQUIVALENT = require("./mutation-equivalents.js");

const root = path.resolve(__dirname, "..");
const BREAK_AT = 90;

// name → the files mutated and the unit test files (test/unit/<name>.test.ts) that guard them.
// "file#a,b" mutates only the functions, classes or methods named a and b of the file (found by
// name with the TypeScript parser, so edits elsewhere in the file do not matter).
// Files move and split: keep this list in step with lib/ (the run stops on a missing file or name).
const MODULES = {
  delivery: { mutate: ["lib/delivery.ts"], tests: ["delivery"] },
  checkpoint: { mutate: ["lib/sls/checkpoint-tracker.ts"], tests: ["sls-backoff-tracker"] },
  framing: { mutate: ["lib/syslog/framing.ts", "lib/syslog/frame-encoder.ts", "lib/syslog/byte-writer.ts"], tests: ["syslog-framing", "syslog-byte-writer"] },
  // The sender's delivery path: confirmation, replay after reconnect, reconnect and backoff.
  sender: {
    mutate: ["lib/syslog/sender.ts#pump,written,confirmed,settle,finishBatch,connect,requeue,lost"],
    tests: ["syslog-sender", "syslog-sender-tls", "syslog-relp"],
  },
  // Its replay after reconnect and its reconnect backoff alone (a run of minutes, where the whole
  // delivery path above takes an hour on two loaded cores).
  "sender-reconnect": { mutate: ["lib/syslog/sender.ts#requeue,lost"], tests: ["syslog-sender"] },
  replay: { mutate: ["lib/syslog/replay-window.ts"], tests: ["syslog-replay-window", "syslog-sender"] },
  backoff: { mutate: ["lib/backoff.ts"], tests: ["sls-backoff-tracker", "syslog-sender"] },
  // The decoders (the compressor serves the emulator only).
  lz4: { mutate: ["lib/sls/lz4.ts#copyBytes,lz4DecompressBlock,lz4DecompressAfterScratch"], tests: ["lz4"] },
  // The consumer's PullLogs decoder and the protobuf reader under it. Left out: log-group-codec.ts
  // (the emulator's codec, and the tests' reference decoder) and pull-decoder's toRecordGroup and
  // decodeLogGroupListRecords (the reference's record form, and a test helper).
  "log-group": {
    mutate: [
      "lib/sls/protobuf.ts",
      "lib/sls/pull-decoder.ts#logsIn,logsInAll,factoryFor,shapesFor,isAscii,usualValueStart,usualPair,decodeRecord,build,checkLog,detachWhenReleased,groupMeta,hashBytes,sameBytes,metaFor,TEXT_CHUNK,PulledGroup,scanGroupAt,checkPair,readMeta,PulledGroupList,scanLogGroupList",
    ],
    tests: ["pull-decoder", "pull-decoder-scan", "log-group-codec"],
  },
  cef: { mutate: ["lib/mapping/cef.ts"], tests: ["mapping-encoders"] },
  leef: { mutate: ["lib/mapping/leef.ts", "lib/mapping/leef-delimiter.ts"], tests: ["mapping-encoders"] },
  kv: { mutate: ["lib/mapping/kv.ts"], tests: ["mapping-encoders"] },
  "syslog-sd": { mutate: ["lib/syslog/structured-data.ts", "lib/syslog/sd-id.ts"], tests: ["syslog-structured-data", "syslog-format"] },
  "mapping-sd": { mutate: ["lib/mapping/structured-data.ts"], tests: ["mapping-structured-data", "mapping-encoders"] },
};

function parseArgs(argv) {
  const picked = [];
  let list = false;
  let draft = false;
  let reports = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--module" || argv[i] === "-m") picked.push(argv[++i]);
    else if (argv[i].startsWith("--module=")) picked.push(argv[i].slice(9));
    else if (argv[i] === "--list") list = true;
    else if (argv[i] === "--draft") draft = true;
    else if (argv[i] === "--reports") reports = true;
    else throw new Error(`unknown argument ${argv[i]} (use --module NAME, --list, --draft or --reports)`);
  }
  for (const m of picked) if (!MODULES[m]) throw new Error(`unknown module ${m}; modules: ${Object.keys(MODULES).join(", ")}`);
  if (draft && !picked.length) throw new Error("--draft needs --module NAME");
  return { modules: picked.length ? picked : Object.keys(MODULES), list, draft, reports };
}

function check(name) {
  const m = MODULES[name];
  const missing = [...m.mutate.map((f) => f.split("#")[0]), ...m.tests.map((t) => `test/unit/${t}.test.ts`)].filter((f) => !fs.existsSync(path.join(root, f)));
  if (missing.length) throw new Error(`module ${name}: ${missing.join(", ")} not found: update MODULES in scripts/mutation.js`);
}

/** Stryker's mutate entries for "file" or "file#name,name": whole files, or `file:from-to` line ranges. */
function mutateSpecs(entries) {
  const ts = require("typescript");
  const out = [];
  for (const entry of entries) {
    const [file, names] = entry.split("#");
    if (!names) {
      out.push(file);
      continue;
    }
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const found = new Map();
    const visit = (node) => {
      const n = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
      const named =
        ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isVariableDeclaration(node) ||
        ts.isGetAccessor(node);
      if (named && n !== undefined && !found.has(n)) {
        const from = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const to = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
        found.set(n, `${file}:${from}-${to}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    for (const n of names.split(",")) {
      if (!found.has(n)) throw new Error(`${file} has no function, class or method ${n}: update MODULES in scripts/mutation.js`);
      out.push(found.get(n));
    }
  }
  return out;
}

/**
 * Each result's place in the tally: "detected" (killed or timed out), "equivalent" (listed in
 * mutation-equivalents.js, and survived, not covered or timed out: a mutant that only costs speed
 * may run past the time limit on a loaded machine), "unexplained" (survived or not covered, not
 * listed), "wrongly listed" (listed, yet a test failed on it: the entry is wrong), or null (did
 * not compile: not counted).
 */
function classify(results) {
  const sources = new Map();
  const sourceOf = (file) => {
    if (!sources.has(file)) sources.set(file, fs.readFileSync(path.join(root, file), "utf8"));
    return sources.get(file);
  };
  return results.map((r) => {
    const file = path.isAbsolute(r.fileName) ? path.relative(root, r.fileName) : r.fileName;
    const key = keyOf(file, r.source ?? sourceOf(file), r); // a report's mutant carries the source it was made from
    const listed = EQUIVALENT.some((e) => same(e, key));
    let kind = null;
    if (r.status === "Killed") kind = listed ? "wrongly listed" : "detected";
    else if (r.status === "Timeout") kind = listed ? "equivalent" : "detected";
    else if (r.status === "Survived" || r.status === "NoCoverage") kind = listed ? "equivalent" : "unexplained";
    return { result: r, key, kind };
  });
}

/**
 * Kill rate: detected (killed or timed out) over the valid mutants (those that compiled) that are
 * not equivalent; `raw` counts the equivalent ones too, as Stryker does.
 */
function tally(classified) {
  const by = {};
  for (const c of classified) {
    by[c.result.status] = (by[c.result.status] ?? 0) + 1;
    if (c.kind) by[c.kind] = (by[c.kind] ?? 0) + 1;
  }
  const wronglyListed = by["wrongly listed"] ?? 0;
  const detected = (by.detected ?? 0) + wronglyListed;
  const equivalent = by.equivalent ?? 0;
  const unexplained = by.unexplained ?? 0;
  const valid = detected + equivalent + unexplained;
  const counted = valid - equivalent;
  const strykerDetected = (by.Killed ?? 0) + (by.Timeout ?? 0);
  return {
    ...by,
    detected,
    valid,
    equivalent,
    unexplained,
    wronglyListed,
    score: counted ? (100 * detected) / counted : 100,
    raw: valid ? (100 * strykerDetected) / valid : 100,
  };
}

const failed = (t) => t.score < BREAK_AT || t.unexplained > 0 || t.wronglyListed > 0;

async function runModule(name) {
  const { Stryker } = await import("@stryker-mutator/core");
  const m = MODULES[name];
  const reportFile = path.join("reports", "mutation", `${name}.json`);
  const stryker = new Stryker({
    mutate: mutateSpecs(m.mutate),
    testRunner: "tap",
    tap: {
      testFiles: m.tests.map((t) => `dist/test/unit/${t}.test.js`),
      // --test-force-exit: a mutant that leaves a socket open must not keep the file running.
      nodeArgs: ["--test-reporter=tap", "--test-force-exit", "-r", "{{hookFile}}", "{{testFile}}"],
    },
    // The sandbox holds mutated sources with every mutant compiled in (switched on by an
    // environment variable per run); --noCheck because mutants need not type-check.
    buildCommand: "tsc -p tsconfig.json --noCheck",
    coverageAnalysis: "perTest",
    concurrency: 1,
    // A mutant that loops for ever is a kill; 4 s over the unmutated run time is plenty for these
    // unit files, even on a loaded machine.
    timeoutMS: 4_000,
    ignorePatterns: ["dist", "reports", "docs", "examples", "icons", ".ci", ".data", ".demo", "test-artifacts", "*.tgz"],
    reporters: ["json", "progress"],
    jsonReporter: { fileName: reportFile },
    thresholds: { high: BREAK_AT, low: 80, break: null },
    logLevel: "warn",
    fileLogLevel: "off",
    cleanTempDir: "always",
  });
  const t0 = Date.now();
  const results = await stryker.runMutationTest();
  const classified = classify(results);
  return { name, files: m.mutate, classified, tally: tally(classified), seconds: (Date.now() - t0) / 1000 };
}

function table(runs) {
  const rows = [
    "| module | files | mutants | killed | timeout | survived | no coverage | equivalent | not explained | kill rate | with equivalents | run time |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of runs) {
    const t = r.tally;
    rows.push(
      `| ${r.name} | ${r.files.map((f) => `\`${f}\``).join(", ")} | ${t.valid} | ${t.Killed ?? 0} | ${t.Timeout ?? 0} | ${t.Survived ?? 0} | ${t.NoCoverage ?? 0} | ${t.equivalent} | ${t.unexplained} | ${t.score.toFixed(1)} % | ${t.raw.toFixed(1)} % | ${Number.isNaN(r.seconds) ? "(report)" : `${Math.round(r.seconds)} s`} |`,
    );
  }
  return rows.join("\n");
}

/** Lines for the results of one kind: module, place, status, mutator, replacement. */
function listed(runs, kind) {
  const out = [];
  for (const r of runs) {
    for (const c of r.classified) {
      if (c.kind !== kind) continue;
      const x = c.result;
      out.push(
        `${r.name}  ${c.key.file}:${x.location.start.line}:${x.location.start.column}  ${x.status}  ${x.mutatorName}  ${JSON.stringify(x.replacement ?? "")}`,
      );
    }
  }
  return out.map((s) => `    ${s}`).join("\n") || "    none";
}

/** The results of a module's last report (reports/mutation/NAME.json), each with the source it was made from; null when there is none. */
function lastReport(name) {
  const file = path.join(root, "reports", "mutation", `${name}.json`);
  if (!fs.existsSync(file)) return null;
  const results = [];
  for (const [f, { source, mutants }] of Object.entries(JSON.parse(fs.readFileSync(file, "utf8")).files))
    for (const m of mutants) results.push({ ...m, fileName: f, source });
  return results;
}

/** Entries, in mutation-equivalents.js's form, for a module's unexplained survivors in its last report. */
function draft(name) {
  const results = lastReport(name);
  if (!results) throw new Error(`no report for ${name}: run npm run test:mutation -- --module ${name} first`);
  const printed = [];
  for (const { key, result, kind } of classify(results)) {
    if (kind !== "unexplained") continue;
    // One entry covers every mutant with the same key (the same line written twice in a function).
    if (printed.some((e) => same(e, key))) continue;
    printed.push(key);
    const fields = Object.entries(key).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    console.log(`  { ${fields.join(", ")}, why: "" }, // ${key.file}:${result.location.start.line}`);
  }
}

async function main() {
  process.chdir(root);
  const { modules, list, draft: drafting, reports } = parseArgs(process.argv.slice(2));
  if (list) {
    for (const name of modules)
      console.log(`${name}: ${mutateSpecs(MODULES[name].mutate).join(", ")}  <-  ${MODULES[name].tests.map((t) => `test/unit/${t}.test.ts`).join(", ")}`);
    return;
  }
  if (drafting) return modules.forEach(draft);
  const stale = staleEntries(EQUIVALENT, (f) => fs.readFileSync(path.join(root, f), "utf8"));
  if (stale.length)
    throw new Error(
      `scripts/mutation-equivalents.js: lines no longer in their files (judge those mutants again): ${stale.map((e) => `${e.file}: ${e.code}`).join("; ")}`,
    );
  modules.forEach(check);
  try {
    os.setPriority(0, Math.max(os.getPriority(0), 15)); // children (builds, test files) inherit it
  } catch {
    // not permitted here: run at the current priority
  }
  fs.mkdirSync(path.join(root, "reports", "mutation"), { recursive: true });
  const runs = [];
  if (reports) {
    for (const name of modules) {
      const results = lastReport(name);
      if (!results) continue;
      const classified = classify(results);
      runs.push({ name, files: MODULES[name].mutate, classified, tally: tally(classified), seconds: NaN });
    }
  } else
    for (const name of modules) {
      console.log(`\n== ${name}: ${MODULES[name].mutate.join(", ")}`);
      const run = await runModule(name);
      runs.push(run);
      const t = run.tally;
      console.log(
        `== ${name}: ${t.detected} of ${t.valid - t.equivalent} mutants detected (${t.score.toFixed(1)} %; ${t.equivalent} equivalent left out, ${t.unexplained} survivors not explained) in ${Math.round(run.seconds)} s`,
      );
    }
  const summary = [
    table(runs),
    "Survivors not explained: a test should detect them, or, when no input can, scripts/mutation-equivalents.js lists them with the reason (module, place, status, mutator, replacement):",
    listed(runs, "unexplained"),
    "Detected, yet listed as equivalent (delete their entries):",
    listed(runs, "wrongly listed"),
    "Equivalent (listed in scripts/mutation-equivalents.js):",
    listed(runs, "equivalent"),
  ].join("\n\n");
  fs.writeFileSync(path.join(root, "reports", "mutation", "summary.md"), `${summary}\n`);
  console.log(`\n${summary}`);
  const bad = runs.filter((r) => failed(r.tally)).map((r) => r.name);
  if (bad.length) {
    console.log(`below ${BREAK_AT} %, or with survivors not explained, or with equivalents detected: ${bad.join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
