// CSV reader: streaming through csv-parse, header row, delimiter given or detected, BOM, CRLF,
// quoted fields with delimiters, quotes and line breaks. A record's position is its first line.
import { parse, type CsvError, type Options, type Parser } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { z } from 'zod';
import type { ReaderItem, ReaderPlugin } from './types.js';
import { LineTracker } from './lines.js';

const DELIMITERS = [',', ';', '\t', '|'] as const;
// csv-parse stops the whole file when one record exceeds its limit, so that limit only guards
// memory; the user-facing limit (--max-record-size) is checked per record and rejects just that one.
const HARD_RECORD_LIMIT = 64 * 1024 * 1024;

export const csvOptionsSchema = z.object({
  delimiter: z
    .string()
    .transform((value) => (value === 'tab' || value === '\\t' ? '\t' : value))
    .pipe(z.string().length(1, 'must be one character (or "tab")'))
    .optional()
    .describe('field delimiter; detected from the header line when not given (, ; tab |)'),
  maxRecordBytes: z.number().int().positive().default(1024 * 1024).describe('a record larger than this is rejected'),
});
export type CsvOptions = z.infer<typeof csvOptionsSchema>;

/** Picks the candidate that occurs most often outside quotes in the first line. */
export function detectDelimiter(head: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of head) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
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

export const csvReader = {
  name: 'csv',
  description: 'CSV with a header row (also .tsv)',
  extensions: ['.csv', '.tsv', '.txt'],
  optionsSchema: csvOptionsSchema,
  columnsFromHead(head, options) {
    try {
      const [header] = parseSync(head.replace(/^\uFEFF/, ''), { delimiter: options.delimiter ?? detectDelimiter(head), to_line: 1_000, to: 1, relax_quotes: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
      return header ? nameColumns(header) : undefined;
    } catch {
      return undefined; // the reader reports broken quoting with its line
    }
  },
  async *read(input, options) {
    const state = new CsvState(input.name, options.maxRecordBytes);
    const parser: Parser = parse({
      delimiter: options.delimiter ?? detectDelimiter(input.head),
      bom: true,
      columns: (header: string[]) => state.onHeader(header, parser),
      // Both, always: csv-parse otherwise keeps the first line ending it sees, so one CRLF line in an
      // LF file (or the reverse) merges records or leaves a CR in the last field.
      record_delimiter: ['\r\n', '\n'],
      skip_empty_lines: true,
      skip_records_with_error: true,
      relax_quotes: true,
      // The record's original text, so a rejected row reaches the rejects file as it was written.
      raw: true,
      max_record_size: HARD_RECORD_LIMIT,
      on_record: ({ record, raw }: { record: Record<string, string>; raw: string }, context: { bytes: number }) => state.onRecord(record, raw, context.bytes),
      on_skip: (error: CsvError | undefined) => state.onSkip(error, parser),
    } as unknown as Options);
    parser.on('error', (error: Error) => state.onFatal(error));
    parser.resume();
    for await (const chunk of input.stream) {
      state.lines.push(chunk as Buffer);
      parser.write(chunk);
      yield* state.drain();
    }
    await new Promise<void>((resolve) => {
      parser.once('end', resolve);
      parser.once('error', () => resolve());
      parser.end();
    });
    yield* state.drain();
  },
} satisfies ReaderPlugin<CsvOptions>;

/** Everything csv-parse reports through callbacks, queued in parse order. */
class CsvState {
  readonly lines = new LineTracker();
  private readonly pending: ReaderItem[] = [];
  private end = 0; // byte offset where the last record (or the header) ended
  private stopped = false;

  constructor(private readonly file: string, private readonly maxRecordBytes: number) {}

  onHeader(header: string[], parser: Parser): string[] {
    const columns = nameColumns(header);
    this.end = parser.info.bytes;
    this.pending.push({ kind: 'columns', columns });
    return columns;
  }

  onRecord(record: Record<string, string>, raw: string, bytes: number): null {
    const line = this.lines.lineOfRecordStarting(this.end);
    const size = bytes - this.end;
    this.end = bytes;
    if (size > this.maxRecordBytes) {
      const issue = { path: 'record', message: `is ${size} bytes, over the limit of ${this.maxRecordBytes} (--max-record-size)` };
      this.pending.push({ kind: 'invalid', position: { file: this.file, line }, raw: `${withoutLineBreaks(raw).slice(0, 1024)}…`, issue });
    } else {
      this.pending.push({ kind: 'record', position: { file: this.file, line }, record });
    }
    return null; // handled here; csv-parse emits nothing downstream
  }

  onSkip(error: CsvError | undefined, parser: Parser): void {
    const line = this.lines.lineOfRecordStarting(this.end);
    const raw = typeof error?.raw === 'string' ? withoutLineBreaks(error.raw) : '';
    this.end = parser.info.bytes;
    this.pending.push({ kind: 'invalid', position: { file: this.file, line }, raw: clip(raw), issue: describe(error, line) });
  }

  onFatal(error: CsvError | Error): void {
    if (this.stopped) return;
    this.stopped = true;
    const line = this.lines.lineOfRecordStarting(this.end);
    const code = (error as CsvError).code;
    const why = code === 'CSV_MAX_RECORD_SIZE' ? `a record is larger than ${HARD_RECORD_LIMIT} bytes` : error.message;
    this.pending.push({ kind: 'invalid', position: { file: this.file, line }, raw: '', issue: { path: 'csv', message: `${why}; reading this file stopped at line ${line}` } });
  }

  *drain(): Generator<ReaderItem> {
    while (this.pending.length > 0) yield this.pending.shift()!;
  }
}

function describe(error: CsvError | undefined, line: number): { path: string; message: string } {
  switch (error?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return { path: 'csv', message: `the quote opened on line ${line} is never closed, so the rest of the file could not be split into records` };
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return { path: 'csv', message: `has ${fieldCount(error)} fields but the header has ${(error as unknown as { columns?: unknown[] }).columns?.length ?? '?'}` };
    case 'CSV_INVALID_CLOSING_QUOTE':
      return { path: 'csv', message: 'a quoted field is followed by other characters before the delimiter' };
    default:
      return { path: 'csv', message: error?.message ?? 'unreadable record' };
  }
}

function fieldCount(error: CsvError): number | string {
  const record = (error as unknown as { record?: unknown[] }).record;
  return Array.isArray(record) ? record.length : '?';
}

/** csv-parse's raw text includes skipped blank lines before the record and its line break after. */
function withoutLineBreaks(raw: string): string {
  return raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

function clip(raw: string): string {
  return raw.length > 4096 ? `${raw.slice(0, 4096)}…` : raw;
}
