// Workload matrix (npm run bench -- --matrix [--json] [--cells LIST] [--size MB] [--runs N]
// [--ab DIR] [--charts DIR]): CPU µs per log, MB raw per CPU-second and peak RSS of the Node-RED
// process over the log shapes and flows users have.
//
// Axes: the log kind (each generator kind, or all four mixed), logs per log group (1, 10, 100,
// 1000), the flow (linear; branched: an inactive debug node beside syslog out; after-out: the
// debug node on syslog out's output, as the examples have it; see flows.ts), the output
// (perLog, batch) and the body (kv, cef). The default cells are the baseline (rds-audit, groups of
// 10, linear, kv) and every other value of each axis with the others at the baseline, each in both
// outputs. One emulator process holds one backlog of --size MB (default 1000) per kind and group
// size, loaded when a cell first needs it and drained again by every later cell of that shape
// through a new consumer group; every drain runs in a fresh Node-RED process.
//
// --cells: comma-separated; each a variation name (baseline, waf, "groups of 1", branched, CEF,
// ...), an id kind/groupSize/flow/output/body (any cell, also outside the default set), or a glob
// of ids with `*` ("*/batch/*", "rds-audit/*"). --runs N drains each cell N times and reports the
// median by µs per log. --ab DIR alternates every drain with one that loads the nodes from another
// build of the package (a checkout with `npm run build` done and node_modules linked) on the same
// backlog: before/after figures that share the machine's state. --ab-flags="FLAGS" does the same
// with this build and extra Node flags (e.g. --ab-flags=--max-old-space-size=512; with "=" since they start with --) for the B drains.
// --stats-ab S alternates every drain with one of the same build whose flow also has an sls-stats
// node sending every S seconds (A: with it, B: without): what reading the figures costs.
import { chart } from "./support/chart";
import { startEmulatorProcess, type Preloaded } from "../support/processes/emulator-process";
import type { FlowShape, MapFormat } from "../support/processes/flows";
import { drain } from "./support/pipeline";
import { startReceiverProcess } from "../support/processes/receiver-process";
import { logger, machine, round1 } from "./support/report";
import { GENERATOR_KINDS, type GeneratorKind } from "../emulator/generator";

export type Kind = GeneratorKind | "mixed";
export type Output = "perLog" | "batch";

export interface Cell {
  kind: Kind;
  groupSize: number;
  flow: FlowShape;
  output: Output;
  body: MapFormat;
}

/** One cell's figures, as the JSON line carries them. */
export interface CellResult extends Cell {
  usPerLog: number;
  mbPerCpuSec: number;
  peakRssMb: number;
}

const KINDS: readonly Kind[] = [...GENERATOR_KINDS, "mixed"];
const GROUP_SIZES = [1, 10, 100, 1000] as const;
const FLOWS: readonly FlowShape[] = ["linear", "branched", "after-out"];
const OUTPUTS: readonly Output[] = ["perLog", "batch"];
const BODIES: readonly MapFormat[] = ["kv", "cef"];
const SHARDS = 8;

export const BASELINE = { kind: "rds-audit", groupSize: 10, flow: "linear", body: "kv" } as const satisfies Omit<Cell, "output">;

export const cellId = (c: Cell): string => `${c.kind}/${c.groupSize}/${c.flow}/${c.output}/${c.body}`;

/** What sets a cell apart from the baseline of its output ("baseline" when nothing does). */
export function variation(c: Cell): string {
  const parts: string[] = [];
  if (c.kind !== BASELINE.kind) parts.push(c.kind);
  if (c.groupSize !== BASELINE.groupSize) parts.push(`groups of ${c.groupSize}`);
  if (c.flow !== BASELINE.flow) parts.push(c.flow);
  if (c.body !== BASELINE.body) parts.push(c.body.toUpperCase());
  return parts.length > 0 ? parts.join(", ") : "baseline";
}

/** The documented subset: every value of every axis at least once, the other axes at the baseline. */
export function defaultCells(): Cell[] {
  const rest: Array<Omit<Cell, "output">> = [
    BASELINE,
    ...KINDS.filter((k) => k !== BASELINE.kind).map((kind) => ({ ...BASELINE, kind })),
    ...GROUP_SIZES.filter((g) => g !== BASELINE.groupSize).map((groupSize) => ({ ...BASELINE, groupSize })),
    ...FLOWS.filter((f) => f !== BASELINE.flow).map((flow) => ({ ...BASELINE, flow })),
    ...BODIES.filter((b) => b !== BASELINE.body).map((body) => ({ ...BASELINE, body })),
  ];
  return OUTPUTS.flatMap((output) => rest.map((c) => ({ ...c, output })));
}

/** A full id (kind/groupSize/flow/output/body) as a cell, or undefined. */
function parseId(s: string): Cell | undefined {
  const [kind, g, flow, output, body, extra] = s.split("/");
  const groupSize = Number(g);
  if (extra !== undefined || !KINDS.includes(kind as Kind) || !(GROUP_SIZES as readonly number[]).includes(groupSize)) return undefined;
  if (!FLOWS.includes(flow as FlowShape) || !OUTPUTS.includes(output as Output) || !BODIES.includes(body as MapFormat)) return undefined;
  return { kind: kind as Kind, groupSize, flow: flow as FlowShape, output: output as Output, body: body as MapFormat };
}

/** The cells --cells names, in the order given (the default cells when empty). */
export function selectCells(spec: string): Cell[] {
  const all = defaultCells();
  if (!spec.trim()) return all;
  const out: Cell[] = [];
  const add = (c: Cell): void => {
    if (!out.some((o) => cellId(o) === cellId(c))) out.push(c);
  };
  for (const raw of spec.split(",")) {
    const p = raw.trim();
    if (!p) continue;
    const exact = parseId(p);
    if (exact) {
      add(exact);
      continue;
    }
    const glob = new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^,]*")}$`, "i");
    const hits = all.filter((c) => glob.test(cellId(c)) || glob.test(variation(c)));
    if (hits.length === 0)
      throw new Error(
        `--cells: "${p}" names no cell (ids are kind/groupSize/flow/output/body, e.g. ${cellId(all[0])}; names: ${[...new Set(all.map(variation))].join(", ")})`,
      );
    hits.forEach(add);
  }
  return out;
}

export interface MatrixOptions {
  json: boolean;
  cells: string;
  sizeMb: number;
  runs: number;
  maxInFlight: number;
  /** Package root of a second build, drained alternately with this one. */
  ab?: string;
  /** Node flags for B drains of this build, alternating with drains without them (--ab-flags). */
  abFlags?: string;
  /** Seconds between stats messages of an sls-stats node in the A drains only (B: none). */
  statsAb?: number;
  charts?: string;
}

interface Drained {
  usPerLog: number;
  mbPerCpuSec: number;
  peakRssMb: number;
  wallSec: number;
}

const median = (xs: Drained[]): Drained => [...xs].sort((a, b) => a.usPerLog - b.usPerLog)[Math.floor((xs.length - 1) / 2)];

export async function runMatrix(o: MatrixOptions): Promise<void> {
  const log = logger(o.json);
  const cells = selectCells(o.cells);
  if ([o.ab, o.abFlags, o.statsAb].filter(Boolean).length > 1) throw new Error("--ab, --ab-flags and --stats-ab: one at a time");
  const flagsB = o.abFlags?.split(" ").filter(Boolean);
  const variants: Array<{ name: string; root?: string; execArgv?: string[]; statsEvery?: number }> = o.ab
    ? [{ name: "A" }, { name: "B", root: o.ab }]
    : flagsB
      ? [{ name: "A" }, { name: "B", execArgv: flagsB }]
      : o.statsAb
        ? [{ name: "A", statsEvery: o.statsAb }, { name: "B" }]
        : [{ name: "" }];
  const other = o.ab
    ? "each against the build in " + o.ab
    : flagsB
      ? `each against a drain with ${o.abFlags}`
      : o.statsAb
        ? `each with an sls-stats node every ${o.statsAb} s (A) and without (B)`
        : "";
  const m = machine();
  log(`machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGb} GB, Node.js ${m.node}, load average ${m.loadAvg1}`);
  log(`matrix: ${cells.length} cells × ${o.runs} run(s)${other ? ", " + other : ""}, ${o.sizeMb} MB backlog per kind and group size, ${SHARDS} shards`);
  const emu = await startEmulatorProcess();
  const { proc: receiver, port } = await startReceiverProcess();
  const stores = new Map<string, Preloaded>();
  const results: CellResult[] = [];
  const resultsB: CellResult[] = [];
  let seq = 0;
  try {
    for (const cell of cells) {
      const logstore = `${cell.kind}-g${cell.groupSize}`;
      let pre = stores.get(logstore);
      if (!pre) {
        pre = await emu.proc.call<Preloaded>("preload", {
          logstore,
          shards: SHARDS,
          mb: o.sizeMb,
          groupSize: cell.groupSize,
          kinds: cell.kind === "mixed" ? undefined : [cell.kind],
        });
        stores.set(logstore, pre);
        log(
          `  backlog ${logstore}: ${(pre.bytes / 1e6).toFixed(1)} MB raw, ${pre.logs} logs, ${Math.round(pre.bytes / pre.logs)} bytes per log (${pre.ms} ms)`,
        );
      }
      const runs: Drained[][] = variants.map(() => []);
      for (let r = 0; r < o.runs; r++) {
        for (const [vi, v] of variants.entries()) {
          const group = `matrix-${seq++}-${cellId(cell).replace(/\//g, "-")}${v.name ? "-" + v.name : ""}`;
          const d = await drain({
            emu: emu.info,
            receiver,
            receiverPort: port,
            logstore,
            group,
            logs: pre.logs,
            maxInFlight: o.maxInFlight,
            output: cell.output === "batch" ? "batch" : "log",
            format: cell.body,
            flow: cell.flow,
            root: v.root,
            execArgv: v.execArgv,
            statsEvery: v.statsEvery,
          });
          await emu.proc.call("deleteGroup", { logstore, group });
          const one: Drained = { usPerLog: (d.cpuSec * 1e6) / pre.logs, mbPerCpuSec: pre.bytes / 1e6 / d.cpuSec, peakRssMb: d.peakRssMb, wallSec: d.wallSec };
          runs[vi].push(one);
          const p = d.atPeak;
          log(
            `  ${cellId(cell).padEnd(34)} ${v.name.padEnd(1)} ${one.usPerLog.toFixed(2).padStart(6)} µs/log ${one.mbPerCpuSec.toFixed(1).padStart(6)} MB/CPU-s ${String(Math.round(one.peakRssMb)).padStart(4)} MB peak RSS` +
              ` (${one.wallSec.toFixed(1)} s; RSS ${d.startRssMb} MB at the start; at the sampled peak: heap ${p.heapUsed}/${p.heapTotal} MB, external ${p.external} MB)`,
          );
        }
      }
      const fig = (d: Drained): CellResult => ({
        ...cell,
        usPerLog: Math.round(d.usPerLog * 100) / 100,
        mbPerCpuSec: round1(d.mbPerCpuSec),
        peakRssMb: Math.round(d.peakRssMb),
      });
      results.push(fig(median(runs[0])));
      if (variants.length > 1) {
        resultsB.push(fig(median(runs[1])));
        // Pair by pair (A then B on the same backlog), so that the machine's drift cancels out.
        const ratios = runs[0].map((a, i) => a.usPerLog / runs[1][i].usPerLog).sort((x, y) => x - y);
        log(
          `  ${cellId(cell)}: µs/log A/B per pair ${ratios.map((r) => r.toFixed(3)).join(" ")}, median ${ratios[Math.floor((ratios.length - 1) / 2)].toFixed(3)}`,
        );
      }
    }
  } finally {
    await receiver.close();
    await emu.proc.close();
  }
  const sides = o.ab ? "this build (the --ab build)" : o.abFlags ? `default flags (${o.abFlags})` : "with sls-stats (without)";
  for (const line of table(results, variants.length > 1 ? resultsB : undefined, sides)) log(line);
  for (const line of flowRatios(results)) log(line);
  if (o.charts) for (const f of await charts(o.charts, results)) log(`chart: ${f}`);
  if (o.json) console.log(JSON.stringify({ cells: results.map(jsonCell) }));
}

/** Exactly the keys the issue fixes for the JSON line, in its order. */
function jsonCell(r: CellResult): CellResult {
  const { kind, groupSize, flow, output, body, usPerLog, mbPerCpuSec, peakRssMb } = r;
  return { kind, groupSize, flow, output, body, usPerLog, mbPerCpuSec, peakRssMb };
}

/** Markdown: a row per variation, per-log and batch side by side; with B, "A (B)". */
function table(rs: CellResult[], bs?: CellResult[], sides = ""): string[] {
  const rows = [...new Set(rs.map(variation))];
  const at = (list: CellResult[] | undefined, v: string, output: Output): CellResult | undefined =>
    list?.find((r) => variation(r) === v && r.output === output);
  const cellText = (v: string, output: Output): string[] => {
    const a = at(rs, v, output);
    if (!a) return ["", "", ""];
    const b = at(bs, v, output);
    const both = (x: number, y: number | undefined): string => (y === undefined ? String(x) : `${x} (${y})`);
    return [both(a.usPerLog, b?.usPerLog), both(a.mbPerCpuSec, b?.mbPerCpuSec), both(a.peakRssMb, b?.peakRssMb)];
  };
  const lines = [
    `| cell${bs ? ` — ${sides}` : ""} | per log µs/log | MB/CPU-s | peak RSS MB | batch µs/log | MB/CPU-s | peak RSS MB |`,
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const v of rows) lines.push(`| ${v} | ${[...cellText(v, "perLog"), ...cellText(v, "batch")].join(" | ")} |`);
  return lines;
}

/**
 * What a debug node costs: each flow's µs per log over the linear baseline's of the same output
 * (the issue's target for the branched flow is 1.25×).
 */
export function flowRatios(rs: CellResult[]): string[] {
  const lines: string[] = [];
  for (const flow of FLOWS.filter((f) => f !== "linear")) {
    const parts: string[] = [];
    for (const output of OUTPUTS) {
      const base = rs.find((r) => variation(r) === "baseline" && r.output === output);
      const cell = rs.find((r) => variation(r) === flow && r.output === output);
      if (base && cell)
        parts.push(`${output === "perLog" ? "per log" : "batch"} ${(cell.usPerLog / base.usPerLog).toFixed(2)}× (${cell.usPerLog} / ${base.usPerLog} µs)`);
    }
    if (parts.length > 0) lines.push(`${flow} / linear: ${parts.join(", ")}`);
  }
  return lines;
}

async function charts(dir: string, rs: CellResult[]): Promise<string[]> {
  const names = [...new Set(rs.map(variation))];
  const series = (key: "usPerLog" | "peakRssMb") =>
    OUTPUTS.map((output) => ({
      name: output === "perLog" ? "per log" : "batch",
      points: rs.filter((r) => r.output === output).map((r): [number, number] => [names.indexOf(variation(r)), r[key]]),
    })).filter((s) => s.points.length > 0);
  const us = await chart(`${dir}/matrix-us-per-log.png`, {
    title: "CPU µs per log in the Node-RED process (baseline: rds-audit, groups of 10, linear, key=value)",
    kind: "bar",
    xLabel: "",
    yLabel: "CPU µs per log",
    categories: names,
    series: series("usPerLog"),
    marks: [
      { y: 8, label: "target per log (baseline) 8 µs" },
      { y: 4, label: "target batch (baseline) 4 µs" },
    ],
  });
  const rss = await chart(`${dir}/matrix-peak-rss.png`, {
    title: "Peak RSS of the Node-RED process, 1 GB backlog",
    kind: "bar",
    xLabel: "",
    yLabel: "MB",
    categories: names,
    series: series("peakRssMb"),
    marks: [{ y: 256, label: "target 256 MB" }],
  });
  return [us, rss];
}
