// Byte offsets (what the streaming JSON tokenizer reports) to line and column, counted as the
// chunks go by: one scan of each byte at most, no copy kept of what was read.
const NEWLINE = 0x0a;

export class LineCounter {
  private chunk: Buffer = Buffer.alloc(0);
  private base = 0; // absolute offset of chunk[0]
  private counted = 0; // absolute offset up to which newlines are counted
  private line = 1;
  private lineStart = 0; // absolute offset of the current line's first byte

  feed(chunk: Buffer): void {
    this.countTo(this.base + this.chunk.length);
    this.base += this.chunk.length;
    this.chunk = chunk;
  }

  /** The line and column (1-based, in bytes) of an absolute offset at or after the last one asked. */
  at(offset: number): { line: number; column: number } {
    this.countTo(offset);
    return { line: this.line, column: Math.max(1, offset - this.lineStart + 1) };
  }

  /** The line alone of an absolute offset at or after the last one asked (once per event: no object made). */
  lineAt(offset: number): number {
    this.countTo(offset);
    return this.line;
  }

  private countTo(offset: number): void {
    const end = Math.min(offset, this.base + this.chunk.length) - this.base;
    let from = this.counted - this.base;
    if (from < 0 || end <= from) return;
    for (let at = this.chunk.indexOf(NEWLINE, from); at !== -1 && at < end; at = this.chunk.indexOf(NEWLINE, from)) {
      this.line++;
      this.lineStart = this.base + at + 1;
      from = at + 1;
    }
    this.counted = this.base + end;
  }
}
