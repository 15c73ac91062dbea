// A child process running embedded Node-RED on a given user dir (no package from the working tree):
// `node node-red-main.js <userDir>` prints {"url": ...} once flows run, stops on SIGINT.
import { startNodeRed } from "../../support/node-red";

async function main(): Promise<void> {
  const userDir = process.argv[2];
  if (!userDir) throw new Error("usage: node-red-main.js <userDir>");
  const red = await startNodeRed({ userDir, port: 0, logLevel: "error" });
  process.once("SIGINT", () => void red.stop().then(() => process.exit(0)));
  console.log(JSON.stringify({ url: red.url }));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
