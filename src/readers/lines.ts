// Turns byte offsets into 1-based line numbers as a stream goes by, without keeping the stream:
// csv-parse reports where a record ends in bytes, but miscounts lines when a quoted field holds
// a CRLF, so eventload counts line feeds itself. Offsets must be asked for in increasing order.
export class LineTracker {
  private readonly chunks: Buffer[] = [];
  private chunkStart = 0; // offset of chunks[0]
  private offset = 0; // everything before this offset is counted
  private line = 1; // the line `offset` is on

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** The line of the first byte at or after `offset` that is not a line break (blank lines are skipped). */
  lineOfRecordStarting(offset: number): number {
    this.advance(offset);
    for (;;) {
      const byte = this.byteAt(this.offset);
      if (byte !== 0x0a && byte !== 0x0d) return this.line;
      this.advance(this.offset + 1);
    }
  }

  /** Counts line feeds up to `offset` and drops the chunks before it. */
  advance(offset: number): void {
    while (this.offset < offset && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const end = Math.min(offset, this.chunkStart + chunk.length);
      let at = this.offset - this.chunkStart;
      const stop = end - this.chunkStart;
      for (;;) {
        at = chunk.indexOf(0x0a, at);
        if (at === -1 || at >= stop) break;
        this.line++;
        at++;
      }
      this.offset = end;
      if (end === this.chunkStart + chunk.length) {
        this.chunkStart += chunk.length;
        this.chunks.shift();
      }
    }
  }

  private byteAt(offset: number): number | undefined {
    let start = this.chunkStart;
    for (const chunk of this.chunks) {
      if (offset < start + chunk.length) return chunk[offset - start];
      start += chunk.length;
    }
    return undefined;
  }
}
