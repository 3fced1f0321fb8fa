// CSV reader: streaming, header row, delimiter given or detected, BOM, CRLF, quoted fields with
// delimiters, quotes and line breaks (split by csv-records.ts). A record's position is its first line.
// CSV rows have no shape eventload knows, so the plugin declares that a mapping file is needed.
import { parse as parseSync } from 'csv-parse/sync';
import { CsvRecords, nameColumns } from './csv-records.js';
import { csvOptionsSchema, type CsvOptions } from './options.js';
import type { ReaderInput, ReaderItem, ReaderPlugin } from '../types.js';

export { nameColumns };

const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * The delimiter an Excel `sep=` line names, when the file starts with one (`sep=;`, a line of its
 * own before the header): tools that write CSV for Excel add it so that Excel splits the columns
 * whatever its locale. It is not a record: the reader skips it (its line still counts).
 */
export function sepLine(head: string): string | undefined {
  return /^\uFEFF?"?sep=([^\r\n"])"?(?:\r\n?|\n)/i.exec(head)?.[1];
}

/**
 * Lines that end in CR alone (classic Mac OS; Excel's "CSV (Macintosh)" still writes them): the
 * head holds a CR and no LF. Such a file is read with each CR as a line feed, so a line break inside
 * a quoted value arrives as LF.
 */
export function crLines(head: string): boolean {
  return head.includes('\r') && !head.includes('\n');
}

/** The `sep=` line's delimiter, else the candidate that occurs most often outside quotes in the first line. */
export function detectDelimiter(head: string): string {
  const named = sepLine(head);
  if (named !== undefined) return named;
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

export const csvReader = {
  name: 'csv',
  description: 'CSV with a header row (also .tsv)',
  extensions: ['.csv', '.tsv', '.txt'],
  optionsSchema: csvOptionsSchema,
  needsMapping: true,
  columnsFromHead(head, options) {
    try {
      const text = head.replace(/^\uFEFF/, '');
      const from_line = sepLine(text) === undefined ? 1 : 2;
      const [header] = parseSync(text, { delimiter: options.delimiter ?? detectDelimiter(text), from_line, to_line: 1_000, to: 1, relax_quotes: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
      return header ? nameColumns(header) : undefined;
    } catch {
      return undefined; // the reader reports broken quoting with its line
    }
  },
  async *read(input, options) {
    for await (const batch of readBatches(input, options)) yield* batch;
  },
  readBatches,
} satisfies ReaderPlugin<CsvOptions>;

// Items per group: enough to make the per-group cost vanish, few enough that the events mapped
// from one group are short-lived even when a chunk holds thousands of short records.
const GROUP = 256;

/** The records of the file in groups: one step of the pipeline per group, not per record. */
async function* readBatches(input: ReaderInput, options: CsvOptions): AsyncGenerator<ReaderItem[]> {
  const records = new CsvRecords(input.name, options.delimiter ?? detectDelimiter(input.head), options.maxRecordBytes, sepLine(input.head) !== undefined);
  const cr = crLines(input.head);
  for await (const chunk of input.stream) {
    records.push(cr ? lineFeeds(chunk as Buffer) : (chunk as Buffer));
    for (let items = records.take(GROUP); items.length > 0; items = records.take(GROUP)) yield items;
    if (records.stopped) return;
  }
  records.end();
  for (let items = records.take(GROUP); items.length > 0; items = records.take(GROUP)) yield items;
}

/** A copy of the chunk with each CR a LF (a CR byte is never part of a longer UTF-8 character). */
function lineFeeds(chunk: Buffer): Buffer {
  const copy = Buffer.from(chunk);
  for (let at = copy.indexOf(0x0d); at !== -1; at = copy.indexOf(0x0d, at + 1)) copy[at] = 0x0a;
  return copy;
}
