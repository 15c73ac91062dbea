// Preloaded (--require) into a bench's Node-RED processes when BENCH_HEAP_SAMPLE=DIR is set: which
// allocation sites make the garbage that survives the young-generation GC. V8's sampling heap
// profiler keeps samples collected by a major GC but drops those a scavenge collects, so what is
// left is what was promoted (plus what is still alive). Promoted garbage is what grows the old
// generation between mark-compacts, and with it peak RSS, so this is the profile to read when
// RSS is too high. Writes DIR/promoted-<pid>.heapprofile (Chrome DevTools → Memory → Load) and
// prints the top allocation sites to stderr.
//   BENCH_HEAP_SAMPLE_AFTER  ms after start-up before sampling starts (default 3000)
//   BENCH_HEAP_SAMPLE_FOR    ms of sampling (default 4000)
//   BENCH_HEAP_SAMPLE_ALL=1  every allocation instead, the garbage scavenges collect included:
//                            what a log costs to allocate, by site
import fs from "node:fs";
import inspector from "node:inspector";
import path from "node:path";

interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

/** Bytes per allocation site (function, file and line, then its two callers). */
export function topSites(head: SampleNode, n: number): Array<{ site: string; mb: number }> {
  const bySite = new Map<string, number>();
  const walk = (node: SampleNode, callers: string[]): void => {
    const f = node.callFrame;
    const root = f.functionName === "(root)" && !f.url;
    const stack = root ? callers : [`${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`, ...callers].slice(0, 3);
    const site = stack.join(" < ");
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c, stack);
  };
  walk(head, []);
  return [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([site, bytes]) => ({ site, mb: bytes / 1e6 }));
}

function start(dir: string): void {
  const after = Number(process.env.BENCH_HEAP_SAMPLE_AFTER ?? 3000);
  const span = Number(process.env.BENCH_HEAP_SAMPLE_FOR ?? 4000);
  const all = process.env.BENCH_HEAP_SAMPLE_ALL === "1";
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object): Promise<T> =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
  const run = async (): Promise<void> => {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: all });
    await new Promise((r) => setTimeout(r, span).unref());
    const { profile } = await post<{ profile: { head: SampleNode } }>("HeapProfiler.stopSampling");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${all ? "allocated" : "promoted"}-${process.pid}.heapprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    const lines = topSites(profile.head, all ? 30 : 15).map((s) => `${s.mb.toFixed(1).padStart(8)} MB  ${s.site}`);
    process.stderr.write(`${all ? "all" : "promoted or live"} allocations over ${span} ms (pid ${process.pid}, ${file}):\n${lines.join("\n")}\n`);
  };
  setTimeout(() => void run().catch((e: unknown) => process.stderr.write(`heap sampling failed: ${String(e)}\n`)), after).unref();
}

if (process.env.BENCH_HEAP_SAMPLE) start(process.env.BENCH_HEAP_SAMPLE);
