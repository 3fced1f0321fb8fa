// The CSV reader: streaming, header row, delimiters, BOM, CRLF, quoting, line numbers, and one bad
// record rejected alone. Plus every csv-spectrum case against its expected JSON.
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { csvOptionsSchema } from '../../../src/readers/csv/options.js';
import { csvReader, detectDelimiter, nameColumns, sepLine } from '../../../src/readers/csv/reader.js';
import type { ReaderItem } from '../../../src/readers/types.js';
import { corpus, hasCorpus, runCli, withTempDir } from '../../helpers.js';

/** Reads text through the CSV reader, split into chunks of `chunkSize` bytes (whole when absent). */
async function readCsv(text: string | Buffer, options: Record<string, unknown> = {}, chunkSize?: number): Promise<ReaderItem[]> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize ?? bytes.length) chunks.push(bytes.subarray(at, at + (chunkSize ?? bytes.length)));
  const items: ReaderItem[] = [];
  const input = { name: 'test.csv', stream: Readable.from(chunks), head: bytes.subarray(0, 64 * 1024).toString('utf8') };
  for await (const item of csvReader.read(input, csvOptionsSchema.parse(options))) items.push(item);
  return items;
}

/** `line: record` for records, `line! message` for rejected ones: compact and exact. */
function summary(items: ReaderItem[]): string[] {
  return items.flatMap((item) => {
    if (item.kind === 'record') return [`${item.position.line}: ${JSON.stringify(item.record)}`];
    if (item.kind === 'invalid') return [`${item.position.line}! ${item.issue.path}: ${item.issue.message}`];
    return [];
  });
}

describe('delimiters', () => {
  it('takes the delimiter from an Excel "sep=" line and skips that line, whose number still counts', async () => {
    expect(detectDelimiter('sep=;\na,b,c\n')).toBe(';');
    expect(detectDelimiter('\uFEFFSEP=|\r\na,b\n')).toBe('|');
    expect(detectDelimiter('"sep=\t"\na,b\n')).toBe('\t');
    expect(sepLine('sep=;x\na,b\n')).toBeUndefined(); // not a sep line: a header
    const text = '\uFEFFsep=;\r\nid;name\r\nA-1;Müller\r\nA-2\r\nA-3;"x;y"\r\n';
    const expected = ['3: {"id":"A-1","name":"Müller"}', '4! csv: has 1 fields but the header has 2', '5: {"id":"A-3","name":"x;y"}'];
    for (const chunkSize of [undefined, 1, 3, 7]) expect(summary(await readCsv(text, {}, chunkSize)), `chunks of ${chunkSize}`).toEqual(expected);
    // A --delimiter given wins, and the line is still no record.
    expect(summary(await readCsv('sep=;\nid|name\nA-1|x\n', { delimiter: '|' }))).toEqual(['3: {"id":"A-1","name":"x"}']);
    expect(csvReader.columnsFromHead!(text, csvOptionsSchema.parse({}))).toEqual(['id', 'name']);
    // A file that is only the line has no header: nothing is read, nothing thrown.
    expect(summary(await readCsv('sep=;\n'))).toEqual([]);
    expect(summary(await readCsv('sep=;'))).toEqual([]);
  });

  it('reads a file whose lines end in CR alone (Excel\'s "CSV (Macintosh)"), line numbers and all', async () => {
    const text = 'sep=;\rid;note\rA-1;"two\rlines"\rA-2\rA-3;Müller\r';
    const expected = ['3: {"id":"A-1","note":"two\\nlines"}', '5! csv: has 1 fields but the header has 2', '6: {"id":"A-3","note":"Müller"}'];
    for (const chunkSize of [undefined, 1, 4]) expect(summary(await readCsv(text, {}, chunkSize)), `chunks of ${chunkSize}`).toEqual(expected);
    expect(csvReader.columnsFromHead!(text, csvOptionsSchema.parse({}))).toEqual(['id', 'note']);
    // A CR inside a value of a file with LF line ends stays data.
    expect(summary(await readCsv('id,note\nA-1,a\rb\n'))).toEqual(['2: {"id":"A-1","note":"a\\rb"}']);
  });

  it('detects , ; tab and | from the header line', () => {
    expect(detectDelimiter('a,b,c\n1;2;3;4;5\n')).toBe(',');
    expect(detectDelimiter('Case ID;Activity;Complete Timestamp\n')).toBe(';');
    expect(detectDelimiter('a\tb\tc\n')).toBe('\t');
    expect(detectDelimiter('a|b|c\n')).toBe('|');
    expect(detectDelimiter('single\n')).toBe(',');
  });

  it('ignores delimiters inside quotes when detecting', () => {
    expect(detectDelimiter('"a,b,c";"d,e";f\n')).toBe(';');
  });

  it('reads each detected delimiter', async () => {
    for (const delimiter of [',', ';', '\t', '|']) {
      expect(summary(await readCsv(`a${delimiter}b\n1${delimiter}2\n`))).toEqual(['2: {"a":"1","b":"2"}']);
    }
  });

  it('uses a given delimiter over the detected one, and "tab" for a tab', async () => {
    expect(summary(await readCsv('a;b,c;d\n1;2,3;4\n', { delimiter: ',' }))).toEqual(['2: {"a;b":"1;2","c;d":"3;4"}']);
    expect(csvOptionsSchema.parse({ delimiter: 'tab' }).delimiter).toBe('\t');
    expect(csvOptionsSchema.parse({ delimiter: '\\t' }).delimiter).toBe('\t');
    expect(csvOptionsSchema.safeParse({ delimiter: ';;' }).success).toBe(false);
  });
});

describe('header', () => {
  it('names an empty header cell (the pandas index column) by its position', async () => {
    const items = await readCsv(',concept:name,time\n0,register,2010-12-30 14:32:00+01:00\n');
    expect(items[0]).toEqual({ kind: 'columns', columns: ['column_1', 'concept:name', 'time'] });
    expect(summary(items)).toEqual(['2: {"column_1":"0","concept:name":"register","time":"2010-12-30 14:32:00+01:00"}']);
  });

  it('gives repeated header names a suffix', () => {
    expect(nameColumns(['a', 'b', 'a', ' ', 'a'])).toEqual(['a', 'b', 'a_2', 'column_4', 'a_3']);
  });

  it('finds the columns from the head of the file alone', () => {
    expect(csvReader.columnsFromHead!('\uFEFF,x;y\n1,2\n', csvOptionsSchema.parse({}))).toEqual(['column_1', 'x;y']);
    expect(csvReader.columnsFromHead!('a;b\n', csvOptionsSchema.parse({}))).toEqual(['a', 'b']);
  });

  it('yields nothing for an empty file and only the columns for a header alone', async () => {
    expect(await readCsv('')).toEqual([]);
    expect(await readCsv('a,b\n')).toEqual([{ kind: 'columns', columns: ['a', 'b'] }]);
  });
});

describe('encodings and line endings', () => {
  it('drops a UTF-8 BOM from the first column name and keeps line numbers', async () => {
    const items = await readCsv('\uFEFFa,b\n1,2\n3,4\n');
    expect(items[0]).toEqual({ kind: 'columns', columns: ['a', 'b'] });
    expect(summary(items)).toEqual(['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}']);
  });

  it('reads CRLF line endings without a trailing CR in the last field', async () => {
    expect(summary(await readCsv('a,b\r\n1,2\r\n3,4\r\n'))).toEqual(['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}']);
  });

  it('reads a file that mixes LF and CRLF line endings', async () => {
    expect(summary(await readCsv('a,b\r\n1,2\n3,4\r\n'))).toEqual(['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}']);
    expect(summary(await readCsv('a,b\n1,2\r\n3,4\n'))).toEqual(['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}']);
  });

  it('reads a last line without a line break', async () => {
    expect(summary(await readCsv('a,b\n1,2'))).toEqual(['2: {"a":"1","b":"2"}']);
  });

  it('skips blank lines, counting them in line numbers', async () => {
    expect(summary(await readCsv('a,b\n\n1,2\n\r\n\n3,4\n'))).toEqual(['3: {"a":"1","b":"2"}', '6: {"a":"3","b":"4"}']);
  });

  it('keeps multi-byte characters split across chunks', async () => {
    expect(summary(await readCsv('name,city\nJosé,Köln\n', {}, 1))).toEqual(['2: {"name":"José","city":"Köln"}']);
  });
});

describe('quoting', () => {
  it('reads delimiters and doubled quotes inside quoted fields', async () => {
    expect(summary(await readCsv('a,b\n"x, y","say ""hi"""\n'))).toEqual(['2: {"a":"x, y","b":"say \\"hi\\""}']);
  });

  it('gives the record after a quoted newline its right line number', async () => {
    const text = 'id,note\n1,"carrier: DHL\ntracking JJD0001"\n2,plain\n3,"two\n\nbreaks"\n4,last\n';
    expect(summary(await readCsv(text))).toEqual(['2: {"id":"1","note":"carrier: DHL\\ntracking JJD0001"}', '4: {"id":"2","note":"plain"}', '5: {"id":"3","note":"two\\n\\nbreaks"}', '8: {"id":"4","note":"last"}']);
  });

  it('keeps a CRLF inside quotes and still counts lines right', async () => {
    const text = 'id,note\r\n1,"a\r\nb"\r\n2,c\r\n';
    expect(summary(await readCsv(text))).toEqual(['2: {"id":"1","note":"a\\r\\nb"}', '4: {"id":"2","note":"c"}']);
  });

  it('gives the same records and lines when the file arrives one byte at a time', async () => {
    const text = '\uFEFFid,note\r\n1,"a\r\nb"\r\n\r\n2,"x\ny"\n3\n4,"q"\n';
    expect(summary(await readCsv(text, {}, 1))).toEqual(summary(await readCsv(text)));
    expect(summary(await readCsv(text, {}, 1))).toEqual([
      '2: {"id":"1","note":"a\\r\\nb"}',
      '5: {"id":"2","note":"x\\ny"}',
      '7! csv: has 1 fields but the header has 2',
      '8: {"id":"4","note":"q"}',
    ]);
  });

  it('reports an unclosed quote once, with its line, after every record before it', async () => {
    const items = await readCsv('a,b\n1,2\n3,4\n5,"never closed\n6,7\n8,9\n');
    expect(summary(items)).toEqual([
      '2: {"a":"1","b":"2"}',
      '3: {"a":"3","b":"4"}',
      '4! csv: the quote opened on line 4 is never closed, so the rest of the file could not be split into records',
    ]);
    const rejected = items.find((item) => item.kind === 'invalid');
    expect(rejected).toMatchObject({ position: { file: 'test.csv', line: 4 }, raw: '5,"never closed\n6,7\n8,9' });
  });
});

describe('records rejected alone', () => {
  it('rejects a row with the wrong number of fields and reads the rows after it', async () => {
    const items = await readCsv('a,b\n1,2\n3\n4,5\n6,7,8\n9,10\n');
    expect(summary(items)).toEqual([
      '2: {"a":"1","b":"2"}',
      '3! csv: has 1 fields but the header has 2',
      '4: {"a":"4","b":"5"}',
      '5! csv: has 3 fields but the header has 2',
      '6: {"a":"9","b":"10"}',
    ]);
    expect(items.filter((item) => item.kind === 'invalid').map((item) => (item as { raw: string }).raw)).toEqual(['3', '6,7,8']);
  });

  it('rejects a record over the size limit and reads the rows after it', async () => {
    const items = await readCsv(`a,b\n1,2\n${'x'.repeat(100)},3\n4,5\n`, { maxRecordBytes: 50 });
    expect(summary(items)).toEqual(['2: {"a":"1","b":"2"}', '3! record: is 103 bytes, over the limit of 50 (--max-record-size)', '4: {"a":"4","b":"5"}']);
    expect(items[2]).toMatchObject({ kind: 'invalid', raw: `${'x'.repeat(100)},3…` });
  });

  it('keeps an empty cell as an empty string (the mapping treats it as absent)', async () => {
    expect(summary(await readCsv('a,b,c\n1,,3\n,"",\n'))).toEqual(['2: {"a":"1","b":"","c":"3"}', '3: {"a":"","b":"","c":""}']);
  });
});

describe('splitting at chunk boundaries', () => {
  const text = '\uFEFFid,note\r\n1,"a ""q"" b\r\nc"\r\n\r\n2,x"y\n3,"closed"early,\n4,"é€"\r\n\n5,last';

  it('gives the same items wherever the chunks split the text', async () => {
    const whole = summary(await readCsv(text));
    expect(whole).toEqual([
      '2: {"id":"1","note":"a \\"q\\" b\\r\\nc"}',
      '5: {"id":"2","note":"x\\"y"}',
      '6! csv: has 3 fields but the header has 2',
      '7: {"id":"4","note":"é€"}',
      '9: {"id":"5","note":"last"}',
    ]);
    for (const size of [1, 2, 3, 5, 7, 11]) expect(summary(await readCsv(text, {}, size))).toEqual(whole);
  });

  it('keeps a quote that closes before other characters, as csv-parse did', async () => {
    expect(summary(await readCsv('a,b\n"x"y,2\n'))).toEqual(['2: {"a":"\\"x\\"y","b":"2"}']);
  });

  it('numbers a record that starts with a lone CR by the line it is on', async () => {
    expect(summary(await readCsv('a\n1\n\rx\n2\n'))).toEqual(['2: {"a":"1"}', '3: {"a":"\\rx"}', '4: {"a":"2"}']);
  });

  it('counts blank lines before a record toward its size, as csv-parse did', async () => {
    expect(summary(await readCsv('a,b\n\n\n12345,6\n', { maxRecordBytes: 9 }))).toEqual(['4! record: is 10 bytes, over the limit of 9 (--max-record-size)']);
    expect(summary(await readCsv('a,b\n12345,6\n', { maxRecordBytes: 8 }))).toEqual(['2: {"a":"12345","b":"6"}']);
  });

  it('counts bytes, not characters, against the size limit', async () => {
    expect(summary(await readCsv('a\n€€€\n', { maxRecordBytes: 9 }))).toEqual(['2! record: is 10 bytes, over the limit of 9 (--max-record-size)']);
  });

  it('reads a quoted field of several megabytes that spans many chunks', async () => {
    const big = 'x\n'.repeat(1_500_000);
    const items = await readCsv(`a,b\n"${big}",1\n2,3\n`, { maxRecordBytes: 8 * 1024 * 1024 }, 16 * 1024);
    expect(items.slice(1).map((item) => (item.kind === 'record' ? [item.position.line, (item.record.a as string).length] : item.kind))).toEqual([
      [2, big.length],
      [1_500_003, 1],
    ]);
  });

  it('reads a single chunk of megabytes of short rows through to its last row', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},n`).join('\n');
    const items = await readCsv(`id,note\n${rows}\n`);
    expect(items).toHaveLength(200_001);
    expect(items[200_000]).toMatchObject({ position: { line: 200_001 }, record: { id: '199999', note: 'n' } });
  });

  it('hands out records in groups through readBatches, the same ones read yields', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `${i},n${i}`).join('\n');
    const bytes = Buffer.from(`id,note\n${rows}\n`);
    const input = () => ({ name: 'test.csv', stream: Readable.from([bytes]), head: bytes.toString('utf8') });
    const groups: ReaderItem[][] = [];
    for await (const group of csvReader.readBatches!(input(), csvOptionsSchema.parse({}))) groups.push(group);
    expect(groups.length).toBeGreaterThan(1);
    for (const group of groups) expect(group.length).toBeLessThanOrEqual(256);
    const items: ReaderItem[] = [];
    for await (const item of csvReader.read(input(), csvOptionsSchema.parse({}))) items.push(item);
    expect(groups.flat()).toEqual(items);
  });
});

describe('reading a real file', () => {
  it('streams a file larger than one chunk with every line number right', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'big.csv');
      const rows = Array.from({ length: 20_000 }, (_, i) => (i % 1000 === 7 ? `${i},"multi\nline"` : `${i},plain`));
      await writeFile(file, `id,note\n${rows.join('\n')}\n`);
      const items: ReaderItem[] = [];
      const head = (await readFile(file, 'utf8')).slice(0, 65536);
      for await (const item of csvReader.read({ name: file, stream: createReadStream(file, { highWaterMark: 4096 }), head }, csvOptionsSchema.parse({}))) items.push(item);
      const records = items.filter((item) => item.kind === 'record');
      expect(records).toHaveLength(20_000);
      // Each multi-line row before row i adds one line.
      const lineOf = (i: number) => i + 2 + Math.floor((i + 999 - 7) / 1000);
      for (const i of [0, 7, 8, 1007, 1008, 19_999]) expect(records[i]!.position.line).toBe(lineOf(i));
    });
  });
});

describe.skipIf(!hasCorpus)('csv-spectrum (skipped: ../shared/corpus is not present)', () => {
  it('parses every case to its expected JSON, except location_coordinates', async () => {
    const names = (await readdir(corpus('csv-spectrum/csvs'))).map((file) => file.replace(/\.csv$/, '')).filter((name) => name !== 'location_coordinates');
    expect(names).toHaveLength(11);
    for (const name of names) {
      const file = corpus(`csv-spectrum/csvs/${name}.csv`);
      const items = await readCsv(await readFile(file));
      const expected = JSON.parse(await readFile(corpus(`csv-spectrum/json/${name}.json`), 'utf8')) as unknown;
      expect({ name, records: items.flatMap((item) => (item.kind === 'record' ? [item.record] : [])), rejected: items.filter((item) => item.kind === 'invalid') }).toEqual({
        name,
        records: expected,
        rejected: [],
      });
    }
  });

  it('reads location_coordinates (broken upstream) without a crash', async () => {
    const file = corpus('csv-spectrum/csvs/location_coordinates.csv');
    const items: ReaderItem[] = [];
    const head = (await readFile(file, 'utf8')).slice(0, 65536);
    for await (const item of csvReader.read({ name: file, stream: createReadStream(file), head }, csvOptionsSchema.parse({}))) items.push(item);
    expect(items[0]).toEqual({ kind: 'columns', columns: ['Contact Phone Number', 'Location Coordinates', 'Cities', 'Counties'] });
    expect(items.slice(1).map((item) => item.kind)).toEqual(['record']);
    expect(items[1]).toMatchObject({ position: { line: 2 }, record: { 'Contact Phone Number': '2095257564', Cities: 'Modesto', Counties: 'Stanislaus' } });
  });
});

describe('CSV through the CLI', () => {
  const mapping = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };

  it('reports line numbers right after a quoted newline', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
      await writeFile(join(dir, 'log.csv'), 'case;activity;at;note\nC1;a;2024-01-01T10:00:00Z;"line one\r\nline two; three"\nC1;;2024-01-01T11:00:00Z;\nC2;b;2024-01-01T12:00:00Z;\n');
      const result = await runCli(['validate', 'log.csv', '-m', 'm.json'], { cwd: dir });
      expect(result.stdout).toBe('log.csv:4: EL_FIELD_REQUIRED: event: is required but column "activity" is empty\n3 records read: 2 valid, 1 invalid\n  1 × EL_FIELD_REQUIRED (first at line 4 of log.csv: event: is required but column "activity" is empty)\n');
      expect(result.code).toBe(1);
    });
  });

  it('takes the delimiter from --delimiter or from the mapping', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
      await writeFile(join(dir, 'reader.json'), JSON.stringify({ ...mapping, reader: { delimiter: '|' } }));
      // The header has as many ';' as '|', and detection prefers ';'.
      await writeFile(join(dir, 'log.txt'), 'case|activity|at|note;with;semicolons;inside\nC1|a|2024-01-01T10:00:00Z|x;y;z;w\n');
      expect((await runCli(['validate', 'log.txt', '-m', 'm.json', '--delimiter', '|'], { cwd: dir })).stdout).toBe('1 records read: 1 valid, 0 invalid\n');
      expect((await runCli(['validate', 'log.txt', '-m', 'reader.json'], { cwd: dir })).stdout).toBe('1 records read: 1 valid, 0 invalid\n');
      const detected = await runCli(['validate', 'log.txt', '-m', 'm.json'], { cwd: dir });
      expect(detected.code).toBe(2);
      expect(detected.stderr).toBe('eventload: EL_MISSING_COLUMN: m.json names columns "activity", "at", "case" that log.txt does not have (it has: case|activity|at|note, with, semicolons, inside)\n');
    });
  });

  it('rejects a bad delimiter option with exit 2', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\n');
      const result = await runCli(['validate', 'log.csv', '-m', 'm.json', '--delimiter', ';;'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('eventload: EL_READER_OPTIONS: csv reader options: delimiter: must be one character (or "tab")\n');
    });
  });

  it('rejects a record over --max-record-size alone', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
      await writeFile(join(dir, 'log.csv'), `case,activity,at\nC1,a,2024-01-01T10:00:00Z\nC2,${'b'.repeat(300)},2024-01-01T10:00:00Z\nC3,c,2024-01-01T10:00:00Z\n`);
      const result = await runCli(['validate', 'log.csv', '-m', 'm.json', '--max-record-size', '200'], { cwd: dir });
      expect(result.stdout).toBe('log.csv:3: EL_RECORD_TOO_LARGE: record: is 325 bytes, over the limit of 200 (--max-record-size)\n3 records read: 2 valid, 1 invalid\n  1 × EL_RECORD_TOO_LARGE (first at line 3 of log.csv: record: is 325 bytes, over the limit of 200 (--max-record-size))\n');
    });
  });
});

describe('the record splitter against csv-parse', () => {
  // The reader splits records itself (src/readers/csv/csv-records.ts) for speed; csv-parse, with the
  // options the reader used to give it, is the reference for which records a text holds.
  async function reference(text: string): Promise<Array<Record<string, string>>> {
    const records: Array<Record<string, string>> = [];
    const parser = parse({ bom: true, columns: true, record_delimiter: ['\r\n', '\n'], skip_empty_lines: true, skip_records_with_error: true, relax_quotes: true });
    parser.end(text);
    for await (const record of parser) records.push(record as Record<string, string>);
    return records;
  }

  it('finds the same records in 2,000 random texts, whatever the chunk sizes', async () => {
    let seed = 20261125;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const alphabet = ['a', 'b', 'é', '€', ' ', '1', ',', ',', '"', '"', '""', '\n', '\r\n'];
    for (let test = 0; test < 2000; test++) {
      const header = ['a,b\n', '"a,1",b\r\n', '\uFEFFa,b,c\n'][random(3)]!;
      let body = '';
      for (let i = random(60); i > 0; i--) body += alphabet[random(alphabet.length)];
      const text = header + body;
      const records = (await readCsv(text, {}, 1 + random(random(2) ? 6 : 100))).flatMap((item) => (item.kind === 'record' ? [item.record] : []));
      expect(records, JSON.stringify(text)).toEqual(await reference(text));
    }
  });
});
