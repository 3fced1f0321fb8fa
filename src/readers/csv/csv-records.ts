// Splits CSV text into records, chunk by chunk, with the first line of each record. Replaces
// csv-parse in the reader's hot path: it read every byte through per-character callbacks and kept a
// copy of each record's raw text and byte offsets, which cost more than the rest of an import.
// Dialect (what the reader used to ask csv-parse for): one-character delimiter, `"` quotes with `""`
// inside them, records ending in LF or CRLF (a lone CR is data), blank lines skipped, a BOM dropped.
// A quote that closes before other characters keeps both quotes as data (csv-parse's relax_quotes).
import { StringDecoder } from 'node:string_decoder';
import type { Issue } from '../../errors.js';
import { setMember } from '../../events/members.js';
import type { RawRecord, ReaderItem } from '../types.js';

// The record being read spans chunks until it ends; past this size reading stops (a quote that is
// never closed would otherwise hold the whole rest of the file). The user's limit is per record.
export const HARD_RECORD_LIMIT = 64 * 1024 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const INCOMPLETE = -1;

export class CsvRecords {
  /** Set once the file cannot be read on (an unclosed quote, a record over the hard limit). */
  stopped = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly delimiter: number;
  private columns: string[] | undefined;
  private text = ''; // undecided text, starting at a record boundary
  private line = 1; // the line `text` starts on
  private started = false; // the BOM check is done
  private final = false; // the input has ended
  private waitFor = 0; // characters to collect before parsing a long unfinished record again
  private readonly fields: string[] = [];
  private fieldLines = 0; // line feeds inside quoted fields of the record being read
  private blank = 0; // characters of blank lines since the last record: they count toward the next one's size

  /** `skipFirstLine`: the file starts with an Excel `sep=` line (reader.ts), which is no record. */
  constructor(
    private readonly file: string,
    delimiter: string,
    private readonly maxRecordBytes: number,
    private skipFirstLine = false,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Adds a chunk of the file; `take` then returns the records it completes. */
  push(chunk: Buffer): void {
    if (!this.stopped) this.text += this.decoder.write(chunk);
  }

  /** Marks the end of the input: `take` then returns what is left, the last record without a line break too. */
  end(): void {
    if (!this.stopped && !this.final) this.text += this.decoder.end();
    this.final = true;
  }

  /** Up to `max` complete items, in file order; none when the text read so far completes none. */
  take(max: number): ReaderItem[] {
    // A record longer than a chunk is parsed again from its start each time: wait until the text
    // has doubled, so a huge record costs linear time, not quadratic.
    if (this.stopped || (this.text.length < this.waitFor && !this.final)) return [];
    return this.parse(this.final, max);
  }

  private parse(final: boolean, max: number): ReaderItem[] {
    const out: ReaderItem[] = [];
    let text = this.text;
    if (!this.started && (text.length > 0 || final)) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let pos = 0;
    if (this.skipFirstLine) {
      const end = text.indexOf('\n');
      if (end === -1 && !final) {
        this.text = text;
        return out;
      }
      this.skipFirstLine = false;
      pos = end === -1 ? text.length : end + 1;
      this.line++;
    }
    const length = text.length;
    let line = this.line;
    let unfinished = false; // stopped at a record the text does not finish yet
    while (pos < length && !this.stopped && out.length < max) {
      const from = pos;
      for (;;) {
        const c = text.charCodeAt(pos);
        if (c === LF) pos++;
        else if (c === CR && pos + 1 < length && text.charCodeAt(pos + 1) === LF) pos += 2;
        else break;
        line++;
      }
      this.blank += pos - from;
      if (pos === length || (!final && pos === length - 1 && text.charCodeAt(pos) === CR)) break;
      const end = this.record(text, pos, final);
      if (end === INCOMPLETE) {
        if (final) this.fail(out, text, pos, line);
        else if (length - pos > HARD_RECORD_LIMIT) this.tooLarge(out, line);
        else unfinished = true;
        break;
      }
      this.emit(out, text, pos, end, line);
      this.blank = 0;
      line += this.fieldLines + (text.charCodeAt(end - 1) === LF ? 1 : 0);
      pos = end;
    }
    this.text = pos === 0 ? text : text.slice(pos);
    this.line = line;
    this.waitFor = unfinished && this.text.length > 1024 * 1024 ? Math.min(2 * this.text.length, HARD_RECORD_LIMIT + 1) : 0;
    return out;
  }

  /**
   * Reads the fields of one record starting at `pos` into `this.fields`; returns where the record
   * ends (after its line break), or INCOMPLETE when the text ends first and more may follow.
   */
  private record(text: string, pos: number, final: boolean): number {
    const fields = this.fields;
    const delimiter = this.delimiter;
    const length = text.length;
    fields.length = 0;
    this.fieldLines = 0;
    for (;;) {
      let prefix = '';
      if (pos < length && text.charCodeAt(pos) === QUOTE) {
        let value = '';
        let at = pos + 1;
        for (;;) {
          const close = text.indexOf('"', at);
          if (close === -1 || (close + 1 === length && !final)) return INCOMPLETE;
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += text.slice(at, close + 1); // "" is one quote
            at = close + 2;
            continue;
          }
          value = value === '' ? text.slice(at, close) : value + text.slice(at, close);
          this.fieldLines += countLineFeeds(text, pos, close);
          pos = close + 1;
          break;
        }
        const next = text.charCodeAt(pos);
        if (pos === length || next === delimiter || next === LF || (next === CR && text.charCodeAt(pos + 1) === LF)) {
          fields.push(value);
          if (next === delimiter) {
            pos++;
            continue;
          }
          return pos === length ? pos : next === LF ? pos + 1 : pos + 2;
        }
        if (next === CR && pos + 1 === length && !final) return INCOMPLETE;
        prefix = `"${value}"`; // closed too early: the quotes and what follows are data
      }
      const start = pos;
      for (;;) {
        if (pos === length) {
          if (!final) return INCOMPLETE;
          fields.push(prefix + text.slice(start, pos));
          return pos;
        }
        const c = text.charCodeAt(pos);
        if (c === delimiter) break;
        if (c === LF) {
          fields.push(prefix + text.slice(start, pos));
          return pos + 1;
        }
        if (c === CR) {
          if (pos + 1 === length && !final) return INCOMPLETE;
          if (text.charCodeAt(pos + 1) === LF) {
            fields.push(prefix + text.slice(start, pos));
            return pos + 2;
          }
        }
        pos++;
      }
      fields.push(prefix + text.slice(start, pos));
      pos++;
    }
  }

  /** The header, a record, or a record rejected alone (wrong field count, over the size limit). */
  private emit(out: ReaderItem[], text: string, start: number, end: number, line: number): void {
    const fields = this.fields;
    const columns = this.columns;
    if (columns === undefined) {
      this.columns = nameColumns(fields);
      out.push({ kind: 'columns', columns: this.columns });
      return;
    }
    const position = { file: this.file, line };
    if (fields.length !== columns.length) {
      const issue = { path: 'csv', message: `has ${fields.length} fields but the header has ${columns.length}`, code: 'EL_CSV_FIELD_COUNT' as const };
      out.push({ kind: 'invalid', position, raw: clip(withoutLineBreaks(text.slice(start, end))), issue });
      return;
    }
    // A record's size counts the blank lines before it and its line break, as csv-parse counted.
    // Characters are at most 3 bytes each in UTF-8 (a surrogate pair is 4 for 2): count bytes only when it could matter.
    if ((end - start) * 3 + this.blank > this.maxRecordBytes) {
      const size = Buffer.byteLength(text.slice(start, end)) + this.blank;
      if (size > this.maxRecordBytes) {
        const issue = { path: 'record', message: `is ${size} bytes, over the limit of ${this.maxRecordBytes} (--max-record-size)`, code: 'EL_RECORD_TOO_LARGE' as const };
        out.push({ kind: 'invalid', position, raw: `${withoutLineBreaks(text.slice(start, end)).slice(0, 1024)}…`, issue });
        return;
      }
    }
    out.push({ kind: 'record', position, record: toRecord(columns, fields) });
  }

  /** The text ended inside a quoted field: nothing after its opening can be split into records. */
  private fail(out: ReaderItem[], text: string, start: number, line: number): void {
    this.stopped = true;
    const issue: Issue = { path: 'csv', message: `the quote opened on line ${line} is never closed, so the rest of the file could not be split into records`, code: 'EL_CSV_UNCLOSED_QUOTE' };
    out.push({ kind: 'invalid', position: { file: this.file, line }, raw: clip(withoutLineBreaks(text.slice(start))), issue });
  }

  private tooLarge(out: ReaderItem[], line: number): void {
    this.stopped = true;
    const issue: Issue = { path: 'csv', message: `a record is larger than ${HARD_RECORD_LIMIT} bytes; reading this file stopped at line ${line}`, code: 'EL_CSV_RECORD_UNBOUNDED' };
    out.push({ kind: 'invalid', position: { file: this.file, line }, raw: '', issue });
  }
}

/** Empty header cells (pandas writes one for its index) get a name; repeated names get a suffix. */
export function nameColumns(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((cell, index) => {
    const base = cell.trim() === '' ? `column_${index + 1}` : cell;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

function toRecord(columns: string[], fields: string[]): RawRecord {
  const record: RawRecord = {};
  for (let i = 0; i < columns.length; i++) {
    setMember(record, columns[i]!, fields[i]); // a column named __proto__ too
  }
  return record;
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** A record's text without the line breaks around it. */
export function withoutLineBreaks(raw: string): string {
  return raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

export function clip(raw: string): string {
  return raw.length > 4096 ? `${raw.slice(0, 4096)}…` : raw;
}
