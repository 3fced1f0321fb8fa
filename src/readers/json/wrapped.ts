// A JSON file that is one object wrapping its records, as APIs export them (`{"total": 2, "data":
// [{...}, {...}]}`), read with the reader option `records` naming the member that holds them ("data",
// or a dot path such as "result.items"). The bytes before that member's array are scanned for it
// without being kept (only the keys on the way are), then the array is read like any JSON array:
// record by record, each with its line. What follows the array is not read.
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from '../../events/json-text.js';
import type { ReaderItem } from '../types.js';

const LF = 0x0a;
const COLON = 0x3a;
const COMMA = 0x2c;
/** A key longer than this is no member name eventload looks for. */
const MAX_KEY_BYTES = 64 * 1024;
/** Where every message says the member was named. */
const OPTION = "(--records, or the mapping's reader.records)";

/** Where the records' array starts: its `[` in the chunk, and the line it is on. */
export interface Found {
  at: number;
  line: number;
  /** Absolute offsets: of the `[`, and of the first byte of its line. */
  offset: number;
  lineStart: number;
}

/** Scans for the member `path` names, chunk by chunk; `push` returns where its array starts, once found. */
export class MemberSeeker {
  /** Set when the search is over without an array: the one rejected item that says why. */
  failure: ReaderItem | undefined;
  private readonly segments: string[];
  private matched = 0; // segments found so far: the next is looked for in the object at depth matched + 1
  private depth = 0;
  private readonly objects: boolean[] = []; // per open container: an object (else an array)
  private expectKey = false; // in an object, where a key may come
  private inString = false;
  private escaped = false;
  private key: number[] | undefined; // the bytes of a key being read at the depth looked at
  private lastKey: string | undefined; // the key whose value comes next, at the depth looked at
  private valueNext = false; // after that key's colon: its value's first byte decides
  private line = 1;
  private lineStart = 0;
  private offset = 0;
  private started = false;

  constructor(
    private readonly file: string,
    private readonly path: string,
  ) {
    this.segments = path.split('.');
  }

  push(chunk: Buffer): Found | undefined {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (this.inString) {
        this.stringByte(byte);
        continue;
      }
      if (byte === LF) {
        this.line++;
        this.lineStart = this.offset + index + 1;
        continue;
      }
      if (byte === 0x20 || byte === 0x09 || byte === 0x0d) continue;
      if (!this.started) {
        // The byte layer has dropped a BOM already (readers/decode.ts).
        this.started = true;
        if (byte !== OPEN_BRACE) return this.fail(`the file is not one JSON object, so it has no member "${this.path}" ${OPTION}`);
      }
      if (this.valueNext) {
        this.valueNext = false;
        const found = this.atValue(byte, index);
        if (found || this.failure) return found;
      }
      if (this.structural(byte)) return undefined;
    }
    this.offset += chunk.length;
    return undefined;
  }

  /** At the end of the input without the member: the item that says so. */
  end(): ReaderItem {
    return this.failure ?? this.missing(`the file has no member "${this.path}" ${OPTION}`);
  }

  private stringByte(byte: number): void {
    if (this.escaped) this.escaped = false;
    else if (byte === BACKSLASH) this.escaped = true;
    else if (byte === QUOTE) {
      this.inString = false;
      if (this.key) {
        const raw = `"${Buffer.from(this.key).toString('utf8')}"`;
        this.key = undefined;
        try {
          this.lastKey = JSON.parse(raw) as string;
        } catch {
          this.lastKey = undefined;
        }
      }
      return;
    }
    if (this.key && this.key.length < MAX_KEY_BYTES) this.key.push(byte);
  }

  /** Brackets, quotes, colons and commas outside strings; true once the search is over. */
  private structural(byte: number): boolean {
    switch (byte) {
      case QUOTE:
        this.inString = true;
        if (this.expectKey && this.depth === this.matched + 1) this.key = [];
        this.expectKey = false;
        return false;
      case COLON:
        if (this.depth === this.matched + 1 && this.lastKey !== undefined) this.valueNext = true;
        return false;
      case COMMA:
        this.lastKey = undefined;
        this.expectKey = this.objects[this.depth - 1] === true;
        return false;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        this.objects[this.depth++] = byte === OPEN_BRACE;
        this.expectKey = byte === OPEN_BRACE;
        this.lastKey = undefined;
        return false;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        // The object the next segment was looked for in has closed without it (keys are unique).
        if (this.depth === this.matched + 1) {
          this.fail(`the file has no member "${this.path}" ${OPTION}`);
          return true;
        }
        this.depth--;
        this.expectKey = false;
        return false;
      default:
        return false;
    }
  }

  /** The first byte of the value of `lastKey`, in the object looked at. */
  private atValue(byte: number, index: number): Found | undefined {
    const name = this.lastKey;
    this.lastKey = undefined;
    if (name !== this.segments[this.matched]) return undefined;
    const named = this.segments.slice(0, this.matched + 1).join('.');
    if (this.matched + 1 === this.segments.length) {
      if (byte === OPEN_BRACKET) return { at: index, line: this.line, offset: this.offset + index, lineStart: this.lineStart };
      this.fail(`the member "${named}" is not an array of records ${OPTION}`);
      return undefined;
    }
    if (byte !== OPEN_BRACE) {
      this.fail(`the member "${named}" is not an object, so it has no member "${this.segments[this.matched + 1]}" ${OPTION}`);
      return undefined;
    }
    this.matched++;
    return undefined;
  }

  private fail(message: string): undefined {
    this.failure ??= this.missing(message);
    return undefined;
  }

  private missing(message: string): ReaderItem {
    return { kind: 'invalid', position: { file: this.file, line: this.line }, raw: '', issue: { path: 'reader.records', message, code: 'EL_JSON_RECORDS_NOT_FOUND' } };
  }
}
