// A Node-RED runtime in its own process running one sls-consumer into the settling test sink, for
// scale-out tests. Config comes as JSON in argv[2]; received seqs go to the parent over IPC
// ({seqs}) every 50 ms, and settled after that; {ready} once flows run; "stop" closes the flows and exits.
import { helper } from "./red-helper";
import { sink } from "./sink-control";
import { consumerFlow, type ConsumerFlowOptions } from "./sls-fixtures";
import connNode = require("../../nodes/sls-connection");
import consumerNode = require("../../nodes/sls-consumer");
import sinkNode = require("./settling-sink");

interface Args extends ConsumerFlowOptions {
  url: string;
  project: string;
  accessKeyId: string;
  accessKeySecret: string;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as Args;
  const emuLike = { url: a.url, project: a.project, accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret };
  const { flow, credentials } = consumerFlow(emuLike as Parameters<typeof consumerFlow>[0], a);
  await helper.load([connNode, consumerNode, sinkNode], flow, credentials);
  // Tokens are settled only after their seqs went to the parent: a SIGKILLed member may then
  // have committed only seqs the parent has (else a commit between two flushes could cover seqs
  // the parent never hears of, and the test would count them as lost).
  sink.hold = true;
  let sent = 0;
  const flush = (): void => {
    const seqs = sink.seqs();
    if (seqs.length > sent) {
      process.send!({ seqs: seqs.slice(sent) });
      sent = seqs.length;
    }
    sink.releaseHeld();
  };
  const timer = setInterval(flush, 50);
  process.send!({ ready: true });
  process.on("message", (m) => {
    if (m !== "stop") return;
    clearInterval(timer);
    flush();
    sink.hold = false; // closing flows wait for their tokens
    void helper.unload().then(() => {
      flush();
      process.send!({ stopped: true }, () => process.exit(0));
    });
  });
  process.on("disconnect", () => process.exit(0));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
