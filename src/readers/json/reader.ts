// JSON reader: records from a JSON array (streamed element by element, never parsed whole), one
// JSON object per line, an OpenSearch `_bulk` file (an action line before each document), or
// pretty-printed objects one after another (what `jq '.[]'` writes). The shape is told from the
// first bytes. A broken record is one rejected record naming the line it starts on; the scanner
// then finds the next record and reading goes on.
import type { Issue, Position } from '../../errors.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, parseJsonText, QUOTE } from '../../events/json-text.js';
import type { ReasonCode } from '../../codes.js';
import { splitLines } from '../lines-split.js';
import type { ReaderInput, ReaderItem, ReaderPlugin } from '../types.js';
import { parseIssue, parseRecordText, toRecord } from './json-value.js';
import { jsonOptionsSchema, type JsonOptions } from './options.js';
import { MemberSeeker, type Found } from './wrapped.js';

export const jsonReader = {
  name: 'json',
  description: 'JSON: an array of objects, one object per line, or an OpenSearch _bulk file',
  extensions: ['.json'],
  optionsSchema: jsonOptionsSchema,
  read(input, options) {
    if (options.records !== undefined) return readWrapped(input, options.records, options.maxRecordBytes, options.maxDepth);
    return readJsonRecords(input, options.maxRecordBytes, options.maxDepth);
  },
} satisfies ReaderPlugin<JsonOptions>;

/**
 * `array`: `[ {...}, {...} ]`; `lines`: one value per line; `bulk`: lines where `{"index":{}}`-style
 * action lines precede the documents; `sequence`: multi-line values one after another.
 */
export type JsonShape = 'array' | 'lines' | 'bulk' | 'sequence';

export function detectJsonShape(head: string): JsonShape {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const first = text.search(/\S/);
  if (first === -1) return 'lines';
  if (text[first] === '[') return 'array';
  const lines = text.slice(first).split('\n', 4).map((line) => line.trim()).filter((line) => line !== '');
  // No NDJSON line is a lone `{`: that is how pretty-printers (JSON.stringify, jq, Python) begin an object.
  if (lines[0] === '{') return 'sequence';
  for (const line of lines.slice(0, 3)) {
    try {
      if (bulkAction(JSON.parse(line)) !== undefined) return 'bulk';
    } catch {
      // a broken or cut-off line says nothing about the shape
    }
  }
  return 'lines';
}

/** The action of an OpenSearch/Elasticsearch `_bulk` action line, or undefined for anything else. */
export function bulkAction(value: unknown): 'index' | 'create' | 'update' | 'delete' | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  if (key !== 'index' && key !== 'create' && key !== 'update' && key !== 'delete') return undefined;
  const meta = (value as Record<string, unknown>)[key];
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? key : undefined;
}

/** Every record of a JSON input, in file order, each with the line it starts on. */
export async function* readJsonRecords(input: ReaderInput, maxRecordBytes: number, maxDepth: number): AsyncGenerator<ReaderItem> {
  const shape = detectJsonShape(input.head);
  if (shape === 'lines' || shape === 'bulk') {
    yield* readLines(input, maxRecordBytes, maxDepth, shape === 'bulk');
    return;
  }
  const scanner = new ValueScanner(input.name, maxRecordBytes, maxDepth, shape === 'array');
  for await (const data of input.stream) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    yield* scanner.push(chunk);
  }
  yield* scanner.end();
}

/** The records in the array of the member `path` names, in a file that is one object (wrapped.ts). */
async function* readWrapped(input: ReaderInput, path: string, maxRecordBytes: number, maxDepth: number): AsyncGenerator<ReaderItem> {
  const seeker = new MemberSeeker(input.name, path);
  let scanner: ValueScanner | undefined;
  for await (const data of input.stream) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    if (scanner) {
      yield* scanner.push(chunk);
      if (scanner.ended) return;
      continue;
    }
    const found = seeker.push(chunk);
    if (seeker.failure) break;
    if (!found) continue;
    scanner = new ValueScanner(input.name, maxRecordBytes, maxDepth, true, found);
    yield* scanner.push(chunk.subarray(found.at));
    if (scanner.ended) return;
  }
  if (scanner) yield* scanner.end();
  else yield seeker.end();
}

async function* readLines(input: ReaderInput, maxRecordBytes: number, maxDepth: number, bulk: boolean): AsyncGenerator<ReaderItem> {
  // In a _bulk file the line after an index/create/update action is a document, whatever it looks like.
  let documentNext = false;
  for await (const line of splitLines(input.stream, maxRecordBytes)) {
    const position = { file: input.name, line: line.number };
    if (line.tooLong !== undefined) {
      documentNext = false;
      yield { kind: 'invalid', position, raw: `${line.text}…`, issue: tooLarge(line.tooLong, maxRecordBytes) };
      continue;
    }
    const text = line.number === 1 && line.text.charCodeAt(0) === 0xfeff ? line.text.slice(1) : line.text;
    if (text.trim() === '') continue;
    if (!bulk) {
      yield parseRecordText(text, position, maxDepth);
      continue;
    }
    const parsed = parseJsonText(text, maxDepth);
    if (!parsed.ok) {
      documentNext = false;
      yield { kind: 'invalid', position, raw: text, issue: parseIssue(parsed) };
      continue;
    }
    const value = parsed.value;
    if (!documentNext) {
      const action = bulkAction(value);
      if (action !== undefined) {
        documentNext = action !== 'delete';
        continue;
      }
    }
    documentNext = false;
    yield toRecord(value, position, text);
  }
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

function tooLarge(bytes: number, limit: number): Issue {
  return { path: 'record', message: `record is ${bytes} bytes, over the limit of ${limit} (--max-record-size)`, code: 'EL_RECORD_TOO_LARGE' };
}

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const SPACE = 0x20;
const COMMA = 0x2c;
/** How much of an oversize or broken record is kept for the rejects file. */
const RAW_PREFIX_BYTES = 1024;

type Phase = 'start' | 'between' | 'value' | 'skip' | 'after' | 'done';

/**
 * Splits a byte stream into top-level JSON values without parsing them: it follows only strings,
 * escapes and bracket depth, then hands each value's bytes to JSON.parse. Bytes are sliced from the
 * chunks, never copied one by one; a value over the limit keeps only a prefix, so memory stays at
 * one chunk plus one record.
 *
 * Resynchronising after a broken value: JSON strings never hold a raw line break, and tools that
 * write one record per line or pretty-print put every record's opening `{` at the same column. So
 * when a string runs past its line, a bracket does not match, or a record is still open when a
 * line begins at that column with `{`, the record is rejected and reading resumes at such a line.
 */
class ValueScanner {
  private phase: Phase = 'start';
  private depth = 0;
  private stack = new Uint8Array(64);
  private inString = false;
  private escaped = false;
  private line = 1;
  private lineStart = 0; // absolute offset of the current line's first byte
  private lineSignificant = false; // a byte other than whitespace or a comma was seen on this line
  private offset = 0; // absolute offset of the current chunk
  private newlineAt = -1; // the next line feed in the current chunk (its length when none) once looked up
  private elementIndent = -1; // column of the first record that began a line
  private elementOpener = -1; // its first byte ({ or [)
  // The record being read.
  private startLine = 0;
  private segmentStart = 0; // where its bytes start in the current chunk
  private parts: Buffer[] = [];
  private partBytes = 0;
  private prefix: Buffer | undefined; // set once over the limit: only this much is kept
  private broken: string | undefined;
  private brokenCode: ReasonCode | undefined; // a reason code other than invalid JSON (too deep)

  /** `wrapped`: the records' array inside a wrapping object (wrapped.ts), from its `[`: what follows it is not read. */
  constructor(
    private readonly file: string,
    private readonly maxBytes: number,
    private readonly maxDepth: number,
    private arrayMode: boolean,
    private readonly wrapped?: Found,
  ) {
    if (wrapped) {
      this.line = wrapped.line;
      this.offset = wrapped.offset;
      this.lineStart = wrapped.lineStart;
    }
  }

  /** The wrapped array has closed: the rest of the input is not the records'. */
  get ended(): boolean {
    return this.wrapped !== undefined && this.phase === 'after';
  }

  push(chunk: Buffer): ReaderItem[] {
    const out: ReaderItem[] = [];
    const length = chunk.length;
    this.segmentStart = 0;
    this.newlineAt = -1;
    let index = 0;
    while (index < length) {
      if (this.phase === 'value') index = this.scanValue(chunk, index, out);
      else if (this.phase === 'skip') index = this.scanSkip(chunk, index, out);
      else index = this.scanOutside(chunk, index, out);
    }
    if (this.phase === 'value' || this.phase === 'skip') this.keep(chunk.subarray(this.segmentStart));
    this.offset += length;
    return out;
  }

  end(): ReaderItem[] {
    const out: ReaderItem[] = [];
    const empty = Buffer.alloc(0);
    this.segmentStart = 0;
    if (this.phase === 'value') {
      // A last record that is complete is kept even when the closing `]` is missing.
      const cutOff = this.depth > 0 || this.inString;
      if (cutOff) this.broken = 'the input ends inside this record';
      this.finish(empty, 0, out);
      const last = out.at(-1);
      if (cutOff && last?.kind === 'invalid') last.cutOff = true;
    } else if (this.phase === 'skip') {
      this.finish(empty, 0, out);
    }
    this.phase = 'done';
    return out;
  }

  private newline(index: number): void {
    this.line++;
    this.lineStart = this.offset + index + 1;
    this.lineSignificant = false;
  }

  /** Whitespace, commas and brackets between records; returns where a record starts. */
  private scanOutside(chunk: Buffer, index: number, out: ReaderItem[]): number {
    for (; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (byte === LF) {
        this.newline(index);
        continue;
      }
      if (byte === SPACE || byte === TAB || byte === CR) continue;
      if (this.phase === 'start') {
        if (this.offset + index < 3 && (byte === 0xef || byte === 0xbb || byte === 0xbf)) continue; // BOM
        this.phase = 'between';
        if (this.arrayMode) {
          if (byte === OPEN_BRACKET) {
            this.lineSignificant = true;
            continue;
          }
          this.arrayMode = false;
        }
      }
      if (this.phase === 'done') continue;
      const atLineStart = !this.lineSignificant;
      if (byte !== COMMA) this.lineSignificant = true;
      if (this.phase === 'after') {
        if (this.wrapped) return chunk.length; // the wrapping object goes on: not records
        if (byte === OPEN_BRACKET) {
          this.phase = 'between'; // another array follows: read it too
          continue;
        }
        const raw = chunk.toString('utf8', index, Math.min(chunk.length, index + 200));
        out.push({ kind: 'invalid', position: this.position(this.line), raw, issue: { path: 'json', message: 'unexpected content after the end of the JSON array (ignored from here)', code: 'EL_JSON_TRAILING_CONTENT' } });
        this.phase = 'done';
        continue;
      }
      if (this.arrayMode && byte === COMMA) continue;
      if (this.arrayMode && byte === CLOSE_BRACKET) {
        this.phase = 'after';
        continue;
      }
      this.startValue(index, byte, atLineStart);
      return index;
    }
    return index;
  }

  private startValue(index: number, byte: number, atLineStart: boolean): void {
    if (atLineStart && this.elementIndent === -1 && (byte === OPEN_BRACE || byte === OPEN_BRACKET)) {
      this.elementIndent = this.offset + index - this.lineStart;
      this.elementOpener = byte;
    }
    this.phase = 'value';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.startLine = this.line;
    this.segmentStart = index;
    // The first byte is read again by scanValue, which must not see it as a line start.
    this.lineSignificant = true;
  }

  /** Inside a record; returns where the record (or its readable part) ends. */
  private scanValue(chunk: Buffer, index: number, out: ReaderItem[]): number {
    const length = chunk.length;
    for (; index < length; index++) {
      if (this.inString) {
        const closing = this.closingQuote(chunk, index);
        // JSON strings hold no raw line break: one inside means the string was never closed.
        if (this.newlineAt < index) this.newlineAt = indexOrEnd(chunk, LF, index);
        if (this.newlineAt < (closing === -1 ? length : closing)) {
          this.newline(this.newlineAt);
          this.fail('a string is not closed at the end of its line');
          return this.newlineAt + 1;
        }
        if (closing === -1) return length;
        this.inString = false;
        index = closing;
        continue;
      }
      const byte = chunk[index]!;
      if (byte === LF) {
        this.newline(index);
        if (this.depth === 0 && !this.arrayMode) {
          this.finish(chunk, index, out); // a bare value in a sequence ends with its line
          this.phase = 'between';
          return index + 1;
        }
        continue;
      }
      if (byte === SPACE || byte === TAB || byte === CR) continue;
      if (!this.lineSignificant && byte !== COMMA) {
        this.lineSignificant = true;
        if (this.depth > 0 && byte === this.elementOpener && this.offset + index - this.lineStart === this.elementIndent) {
          this.broken = 'the record is not closed before the next one starts';
          this.finish(chunk, index, out);
          this.startValue(index, byte, false);
          return index;
        }
      }
      switch (byte) {
        case QUOTE:
          this.inString = true;
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          // Deeper than the limit: rejected here, before any parser or serialiser recurses over it.
          if (this.depth === this.maxDepth) {
            this.fail(`nested more than ${this.maxDepth} levels deep (the limit)`, 'EL_RECORD_TOO_DEEP');
            return index + 1;
          }
          if (this.depth === this.stack.length) {
            const grown = new Uint8Array(this.stack.length * 2);
            grown.set(this.stack);
            this.stack = grown;
          }
          this.stack[this.depth++] = byte;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET: {
          if (this.depth === 0) {
            if (this.arrayMode && byte === CLOSE_BRACKET) {
              this.finish(chunk, index, out);
              this.phase = 'after';
              return index + 1;
            }
            this.fail(`unexpected "${String.fromCharCode(byte)}"`);
            return index + 1;
          }
          const opener = this.stack[this.depth - 1]!;
          if ((opener === OPEN_BRACE) !== (byte === CLOSE_BRACE)) {
            this.fail(`"${String.fromCharCode(byte)}" does not close "${String.fromCharCode(opener)}"`);
            return index + 1;
          }
          this.depth--;
          if (this.depth === 0 && !this.arrayMode) {
            this.finish(chunk, index + 1, out);
            this.phase = 'between';
            return index + 1;
          }
          break;
        }
        case COMMA:
          if (this.depth === 0 && this.arrayMode) {
            this.finish(chunk, index, out);
            this.phase = 'between';
            return index + 1;
          }
          break;
      }
    }
    return index;
  }

  /** After a broken record: skip to the next line that starts a record (or closes the array). */
  private scanSkip(chunk: Buffer, index: number, out: ReaderItem[]): number {
    for (; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (byte === LF) {
        this.newline(index);
        continue;
      }
      if (this.lineSignificant || byte === SPACE || byte === TAB || byte === CR || byte === COMMA) continue;
      this.lineSignificant = true;
      const column = this.offset + index - this.lineStart;
      const opens = this.elementOpener === -1 ? byte === OPEN_BRACE : byte === this.elementOpener && column === this.elementIndent;
      if (opens) {
        this.finish(chunk, index, out);
        this.startValue(index, byte, true);
        return index;
      }
      if (this.arrayMode && byte === CLOSE_BRACKET && column < Math.max(1, this.elementIndent)) {
        this.finish(chunk, index, out);
        this.phase = 'after';
        return index + 1;
      }
    }
    return index;
  }

  /**
   * The closing quote of the string being read, from `from` on, or -1 when the string goes on into
   * the next chunk. A quote is escaped exactly when an odd run of backslashes precedes it.
   */
  private closingQuote(chunk: Buffer, from: number): number {
    let at = from;
    for (;;) {
      at = chunk.indexOf(QUOTE, at);
      const end = at === -1 ? chunk.length : at;
      let before = end - 1;
      while (before >= from && chunk[before] === BACKSLASH) before--;
      // A backslash run reaching back to `from` continues one left pending by the previous chunk.
      const odd = ((end - 1 - before) & 1) === 1 !== (before < from && this.escaped);
      if (at === -1) {
        this.escaped = odd;
        return -1;
      }
      if (!odd) {
        this.escaped = false;
        return at;
      }
      at++;
    }
  }

  private fail(reason: string, code?: ReasonCode): void {
    this.broken = reason;
    this.brokenCode = code;
    this.phase = 'skip';
  }

  /** Keeps the record's bytes from a chunk that ends inside it, or only a prefix once it is too large. */
  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.prefix === undefined && this.partBytes + piece.length > this.maxBytes) {
      this.prefix = Buffer.from((this.parts[0] ?? piece).subarray(0, RAW_PREFIX_BYTES));
      this.parts = [];
    }
    if (this.prefix === undefined) this.parts.push(piece);
    this.partBytes += piece.length;
  }

  /** Ends the current record at `end` in `chunk` and turns it into one item. */
  private finish(chunk: Buffer, end: number, out: ReaderItem[]): void {
    const tail = chunk.subarray(this.segmentStart, end);
    const total = this.partBytes + tail.length;
    const position = this.position(this.startLine);
    const broken = this.broken;
    const brokenCode = this.brokenCode;
    const prefix = this.prefix ?? (total > this.maxBytes ? (this.parts[0] ?? tail).subarray(0, RAW_PREFIX_BYTES) : undefined);
    let text: string | undefined;
    if (prefix === undefined) text = this.parts.length === 0 ? tail.toString('utf8') : Buffer.concat([...this.parts, tail], total).toString('utf8');
    this.parts = [];
    this.partBytes = 0;
    this.prefix = undefined;
    this.broken = undefined;
    this.brokenCode = undefined;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    if (broken !== undefined) {
      const raw = text === undefined ? `${prefix!.toString('utf8')}…` : text.trimEnd().replace(/,$/, '');
      const issue: Issue = brokenCode === undefined ? { path: 'json', message: `invalid JSON: ${broken}`, code: 'EL_JSON_INVALID' } : { path: 'record', message: broken, code: brokenCode };
      out.push({ kind: 'invalid', position, raw, issue });
    } else if (text === undefined) {
      out.push({ kind: 'invalid', position, raw: `${prefix!.toString('utf8')}…`, issue: tooLarge(total, this.maxBytes) });
    } else {
      out.push(parseRecordText(text.trim(), position, this.maxDepth));
    }
  }

  private position(line: number): Position {
    return { file: this.file, line };
  }
}
