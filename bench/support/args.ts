// A bench's command-line options: node:util's parseArgs (strict: an unknown option is an error),
// plus --help, which lists the options with their defaults, and a one-line error that points to it
// instead of a stack trace. docs/performance.md says what each option measures.
import { parseArgs, type ParseArgsConfig } from "node:util";

type Option = NonNullable<ParseArgsConfig["options"]>[string];

function usage(command: string, options: Record<string, Option>): string {
  const lines = [`usage: ${command}`, "", "options:"];
  for (const [name, o] of Object.entries(options)) {
    const value = o.type === "string" ? " VALUE" : "";
    const d = o.default === undefined || o.default === "" || o.default === false ? "" : `  (default ${String(o.default)})`;
    lines.push(`  --${name}${value}${d}`);
  }
  lines.push("  --help, -h  this list");
  return lines.join("\n");
}

/** parseArgs(config) for `command` (how it is run, e.g. "npm run bench -- [options]"). */
export function benchArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage(command, config.options ?? {}));
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (e) {
    console.error(`${command}: ${e instanceof Error ? e.message : String(e)} (--help lists the options)`);
    process.exit(2);
  }
}
