// Charts for docs/performance.md without native dependencies: an SVG drawn here, rasterised to
// PNG by headless Chromium (the Debian package the e2e tests use too).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface ChartSpec {
  title: string;
  kind: "bar" | "line";
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
  /** Horizontal reference lines, e.g. a target. */
  marks?: Array<{ y: number; label: string }>;
  /** Bar charts: names of the x values 0, 1, 2, ... (drawn slanted under the axis). */
  categories?: string[];
}

const W = 800;
const H = 420;
const M = { l: 70, r: 20, t: 40, b: 60 };
/** Extra room under the axis for slanted category names. */
const CATEGORY_ROOM = 90;
const COLOURS = ["#F7A35C", "#4572A7", "#89A54E", "#AA4643", "#80699B"];

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function svg(c: ChartSpec): string {
  const pts = c.series.flatMap((s) => s.points);
  const xs = pts.map((p) => p[0]);
  const yMax = niceMax(Math.max(...pts.map((p) => p[1]), ...(c.marks ?? []).map((m) => m.y)) * 1.05);
  const xMin = c.kind === "bar" ? 0 : Math.min(0, ...xs);
  const xMax = Math.max(...xs);
  const h = H + (c.categories ? CATEGORY_ROOM : 0);
  const pw = W - M.l - M.r;
  const ph = h - M.t - M.b - (c.categories ? CATEGORY_ROOM : 0);
  const cats = [...new Set(xs)].sort((a, b) => a - b);
  const X = (x: number): number => (c.kind === "bar" ? M.l + ((cats.indexOf(x) + 0.5) * pw) / cats.length : M.l + ((x - xMin) / (xMax - xMin || 1)) * pw);
  const Y = (y: number): number => M.t + ph - (y / yMax) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${h}" fill="white"/>`,
  ];
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(c.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    out.push(
      `<line x1="${M.l}" x2="${W - M.r}" y1="${Y(y)}" y2="${Y(y)}" stroke="#ddd"/>`,
      `<text x="${M.l - 6}" y="${Y(y) + 4}" text-anchor="end">${+y.toFixed(1)}</text>`,
    );
  }
  out.push(
    `<line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${M.t + ph}" stroke="#333"/>`,
    `<line x1="${M.l}" x2="${W - M.r}" y1="${M.t + ph}" y2="${M.t + ph}" stroke="#333"/>`,
  );
  out.push(
    `<text x="${M.l + pw / 2}" y="${h - 15}" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text transform="translate(18 ${M.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
  );
  const xTicks = c.kind === "bar" ? cats : Array.from({ length: 6 }, (_, i) => xMin + ((xMax - xMin) * i) / 5);
  for (const x of xTicks) {
    const name = c.categories?.[x];
    if (name === undefined) out.push(`<text x="${X(x)}" y="${M.t + ph + 18}" text-anchor="middle">${+x.toFixed(1)}</text>`);
    else out.push(`<text transform="translate(${X(x)} ${M.t + ph + 14}) rotate(-35)" text-anchor="end">${esc(name)}</text>`);
  }
  c.series.forEach((s, si) => {
    const colour = COLOURS[si % COLOURS.length];
    if (c.kind === "bar") {
      const bw = ((pw / cats.length) * 0.6) / c.series.length;
      for (const [x, y] of s.points) {
        const bx = X(x) - (bw * c.series.length) / 2 + si * bw;
        out.push(
          `<rect x="${bx}" y="${Y(y)}" width="${bw}" height="${M.t + ph - Y(y)}" fill="${colour}"/>`,
          `<text x="${bx + bw / 2}" y="${Y(y) - 5}" text-anchor="middle">${+y.toFixed(1)}</text>`,
        );
      }
    } else {
      out.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ")}"/>`,
      );
    }
    out.push(
      `<rect x="${W - M.r - 160}" y="${M.t + 8 + si * 18}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${W - M.r - 142}" y="${M.t + 18 + si * 18}">${esc(s.name)}</text>`,
    );
  });
  for (const m of c.marks ?? [])
    out.push(
      `<line x1="${M.l}" x2="${W - M.r}" y1="${Y(m.y)}" y2="${Y(m.y)}" stroke="#AA4643" stroke-dasharray="6 4"/>`,
      `<text x="${M.l + 6}" y="${Y(m.y) - 5}" fill="#AA4643">${esc(m.label)}</text>`,
    );
  out.push("</svg>");
  return out.join("\n");
}

/** Writes `file` (PNG) of the chart, plus the SVG next to it; returns the PNG path. */
export async function chart(file: string, c: ChartSpec): Promise<string> {
  const s = svg(c);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file.replace(/\.png$/, ".svg"), s);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-chart-"));
  try {
    const html = path.join(dir, "chart.html");
    fs.writeFileSync(html, `<!doctype html><html><body style="margin:0">${s}</body></html>`);
    const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p)) ?? "chromium";
    execFileSync(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        `--user-data-dir=${path.join(dir, "profile")}`,
        `--window-size=${W},${H + (c.categories ? CATEGORY_ROOM : 0)}`,
        `--screenshot=${path.resolve(file)}`,
        `file://${html}`,
      ],
      { stdio: "ignore", timeout: 60_000 },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return file;
}
