// Equivalent mutants: mutants that survive because no input can tell them from the original code
// (they change only speed or memory, or a value nothing reads). docs/testing.md, "Surviving
// mutants", explains them by kind; each entry here names one mutant and says why it is equivalent.
// scripts/mutation.js leaves them out of a module's kill rate, fails a run whose survivors are not
// all listed here, and fails when a listed mutant is detected (the entry was wrong: delete it).
// test/unit/mutation-equivalents.test.ts fails when an entry's line is no longer in its file: the
// code changed, so the mutant must be judged again.
//
// An entry: file, code (its line, trimmed), at (the mutated code, whitespace collapsed, cut at 80
// characters), mutator and replacement as Stryker names them, why. To draft entries for a run's
// survivors: npm run test:mutation -- --draft --module NAME (reads reports/mutation/NAME.json).
"use strict";

// One section per module of scripts/mutation.js (the sender's holds sender-reconnect's too).
const delivery = [];

const checkpoint = [];

const framing = [];

const sender = [];

const replay = [];

const backoff = [];

const lz4 = [];

// log-group
const logGroup = [];

const cef = [];

const leef = [];

const kv = [];

// syslog-sd
const syslogSd = [];

// mapping-sd
const mappingSd = [];

module.exports = [
  ...delivery,
  ...checkpoint,
  ...framing,
  ...sender,
  ...replay,
  ...backoff,
  ...lz4,
  ...logGroup,
  ...cef,
  ...leef,
  ...kv,
  ...syslogSd,
  ...mappingSd,
];
