// The Prometheus endpoint on Node-RED's HTTP server (RED.httpNode: under httpNodeRoot, behind
// httpNodeAuth and httpNodeMiddleware like HTTP-in nodes). One route per path, shared by every
// sls-stats node that asks for it, removed when the last of them closes. What it serves is the
// whole process's figures (lib/metrics/prometheus.ts), whichever node opened it.

import type { NodeAPI } from "node-red";
import type { Request, RequestHandler, Response } from "express";
import { prometheusExport, type PrometheusExport } from "../lib/metrics/prometheus";

let exporter: PrometheusExport | undefined;
const users = new Map<string, Set<string>>();

interface RouterLike {
  _router?: { stack: Array<{ route?: { path?: string } }> };
}

/** Serves the metrics at `path` while node `id` needs it; returns the function that gives it up. */
export function openEndpoint(RED: NodeAPI, path: string, id: string): () => void {
  let ids = users.get(path);
  if (!ids) {
    users.set(path, (ids = new Set()));
    exporter ??= prometheusExport();
    const serve = exporter;
    const handler = (_req: Request, res: Response): void => {
      serve.metrics().then(
        (text) => {
          // As prom-client gives it (express's res.set would reorder the parameters).
          res.setHeader("Content-Type", serve.contentType);
          res.end(text);
        },
        (err: Error) => void res.status(500).type("text/plain").send(`metrics failed: ${err.message}`),
      );
    };
    const mw = (RED.settings as { httpNodeMiddleware?: RequestHandler | RequestHandler[] }).httpNodeMiddleware;
    const middleware: RequestHandler[] = typeof mw === "function" ? [mw] : Array.isArray(mw) ? mw : [];
    (RED.httpNode as unknown as { get(path: string, ...h: RequestHandler[]): void }).get(path, ...middleware, handler as RequestHandler);
  }
  ids.add(id);
  return () => {
    const set = users.get(path);
    if (!set || !set.delete(id) || set.size > 0) return;
    users.delete(path);
    // As core's HTTP-in node does on close: take the route out of the app's router.
    const stack = (RED.httpNode as unknown as RouterLike)._router?.stack;
    if (!stack) return;
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i].route?.path === path) stack.splice(i, 1);
  };
}
