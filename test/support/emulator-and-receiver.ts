// The common set-up of node tests that run a flow from the emulator to a syslog receiver.
import { after, before } from "node:test";
import { start, type Emulator } from "../../emulator/index";
import { helper } from "./red-helper";
import { streamReceiver, type StreamReceiver } from "./receivers";

/**
 * Before the file's tests: starts the emulator and an octet-counted receiver and hands them to
 * `ready`; after them: unloads the flow and closes both.
 */
export function emulatorAndReceiver(ready: (emu: Emulator, rx: StreamReceiver) => void): void {
  let emu: Emulator | undefined;
  let rx: StreamReceiver | undefined;
  before(async () => {
    emu = await start({ port: 0 });
    rx = await streamReceiver({ framing: "octet" });
    ready(emu, rx);
  });
  after(async () => {
    await helper.unload();
    await rx?.close();
    await emu?.close();
  });
}
