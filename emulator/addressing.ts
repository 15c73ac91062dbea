// Which project a request addresses (docs/sls-protocol.md, "Addressing and CNAME"): SLS carries it
// in Host as `<project>.<endpoint>`. A Host that is an IP literal, `localhost` or a configured
// CNAME carries no project and addresses the emulator's default project, like a project CNAME. A
// bare service endpoint (`<region>.log.aliyuncs.com`) carries none either (CreateProject,
// ListProject).

import { isIP } from "node:net";

export type HostTarget = { kind: "project"; project: string } | { kind: "cname" } | { kind: "endpoint" };

const SERVICE_SUFFIXES = [".log.aliyuncs.com", ".sls.aliyuncs.com"];

export function stripPort(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end > 0 ? host.slice(1, end) : host;
  }
  const colon = host.lastIndexOf(":");
  if (colon > 0 && host.indexOf(":") === colon && /^[0-9]+$/.test(host.slice(colon + 1))) return host.slice(0, colon);
  return host;
}

export function hostTarget(hostHeader: string | undefined, cnames: readonly string[] = []): HostTarget {
  const host = stripPort((hostHeader ?? "").trim())
    .toLowerCase()
    .replace(/\.$/, "");
  if (host === "" || isIP(host) !== 0 || host === "localhost" || cnames.includes(host)) return { kind: "cname" };
  if (host === "log-global.aliyuncs.com") return { kind: "endpoint" };
  for (const suffix of SERVICE_SUFFIXES) {
    if (host.endsWith(suffix)) {
      const labels = host.slice(0, -suffix.length).split(".");
      return labels.length >= 2 ? { kind: "project", project: labels[0] } : { kind: "endpoint" };
    }
  }
  if (host.endsWith(".log-global.aliyuncs.com")) return { kind: "project", project: host.split(".")[0] };
  // `<project>.<IPv4>` (what the Python SDK sends), `<project>.localhost`, `<project>.<CNAME>`.
  const dot = host.indexOf(".");
  if (dot < 0) return { kind: "cname" };
  return { kind: "project", project: host.slice(0, dot) };
}
