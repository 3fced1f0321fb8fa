// Holds back the bytes after the last line feed until the input proves they are a complete line.
// A gzip file that breaks mid-line must not hand its cut-off last line to a reader as a record, and
// `sync` must not read the last line of a file that is still being written. Both need to know the
// last complete line, so this stage also counts lines.
import { Transform, type TransformCallback } from 'node:stream';

/** Why reading ended early, and where: filled in by the byte layer, read by the pipeline. */
export interface Broken {
  code: 'EL_GZIP_CORRUPT' | 'EL_GZIP_TRUNCATED';
  message: string;
}

export interface LineState {
  /** Complete lines (ending in a line feed) passed on so far. */
  completeLines: number;
  /** Set when the source failed part way: the held tail is dropped, not passed on. */
  broken?: Broken;
  /** Bytes of a final line without a line end that were held back (sync), and its line number. */
  pending?: { line: number; bytes: number };
  /** Bytes of a cut-off final line dropped because the source broke. */
  droppedBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

export class CompleteLines extends Transform {
  private tail: Buffer[] = [];
  private tailBytes = 0;

  /**
   * `holdTail`: at a clean end, keep back a final line without a line end (sync); else pass it on.
   * `maxHeld`: the longest line held back (holdAtMost).
   */
  constructor(private readonly state: LineState, private readonly holdTail: boolean, private maxHeld = Infinity) {
    super();
  }

  /**
   * A line longer than this is passed on as it comes. Held back, a file with no line ends (minified
   * JSON or XML) would be held whole, in memory; passed on, a longer line cut off by a broken source
   * reaches the reader, which rejects it as too large (the limit is its record size) or, reading a
   * document rather than lines, as incomplete. 0 for such readers: no line is a record to them.
   */
  holdAtMost(bytes: number): void {
    this.maxHeld = bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const last = lastLineEnd(chunk);
    let out: Buffer | undefined;
    if (last === -1) {
      this.hold(chunk);
    } else {
      this.state.completeLines += countLineFeeds(chunk, last);
      out = this.tailBytes > 0 ? Buffer.concat([...this.tail, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1);
      this.tail = [];
      this.tailBytes = 0;
      this.hold(chunk.subarray(last + 1));
    }
    if (this.tailBytes > this.maxHeld) {
      out = Buffer.concat(out ? [out, ...this.tail] : this.tail);
      this.tail = [];
      this.tailBytes = 0;
    }
    callback(null, out);
  }

  override _flush(callback: TransformCallback): void {
    if (this.tailBytes === 0) return callback();
    if (this.state.broken) {
      this.state.droppedBytes = this.tailBytes;
      return callback();
    }
    const tail = Buffer.concat(this.tail);
    if (this.holdTail && !closesDocument(tail)) {
      this.state.pending = { line: this.state.completeLines + 1, bytes: this.tailBytes };
      return callback();
    }
    callback(null, tail);
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.tail.push(piece);
    this.tailBytes += piece.length;
  }
}

/** Only white space and closing brackets (a pretty-printed JSON file's last line): the end of a complete file, not a record being written. */
function closesDocument(tail: Buffer): boolean {
  return tail.length <= 1024 && /^[\s\]}]*$/.test(tail.toString('utf8'));
}

/** Where the last line of a chunk ends: its last LF, else its last CR (old Mac line ends have no LF). */
function lastLineEnd(chunk: Buffer): number {
  const last = chunk.lastIndexOf(LF);
  return last === -1 ? chunk.lastIndexOf(CR) : last;
}

function countLineFeeds(chunk: Buffer, last: number): number {
  let count = 0;
  for (let at = chunk.indexOf(LF); at !== -1 && at <= last; at = chunk.indexOf(LF, at + 1)) count++;
  return count;
}
