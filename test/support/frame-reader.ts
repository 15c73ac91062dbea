// Splits a received byte stream into syslog frames (octet-counted or LF), for test receivers.

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  readonly frames: Buffer[] = [];
  constructor(private readonly framing: "octet" | "lf") {}

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      if (this.framing === "lf") {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) break;
        out.push(this.buf.subarray(0, nl));
        this.buf = this.buf.subarray(nl + 1);
      } else {
        const sp = this.buf.indexOf(0x20);
        if (sp < 0) break;
        const lenText = this.buf.toString("latin1", 0, sp);
        if (!/^[1-9]\d*$/.test(lenText)) throw new Error(`bad octet count ${JSON.stringify(lenText)}`);
        const len = Number(lenText);
        if (this.buf.length < sp + 1 + len) break;
        out.push(this.buf.subarray(sp + 1, sp + 1 + len));
        this.buf = this.buf.subarray(sp + 1 + len);
      }
    }
    this.frames.push(...out);
    return out;
  }
}
