// The NDJSON reader: one object per line; a bad line is one rejected record naming its line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ndjsonReader } from '../../../src/readers/json/ndjson-reader.js';
import { ndjsonOptionsSchema } from '../../../src/readers/json/options.js';
import type { ReaderItem } from '../../../src/readers/types.js';
import { runCli, withTempDir } from '../../helpers.js';

async function readNdjson(text: string, options: Record<string, unknown> = {}, chunkSize?: number): Promise<ReaderItem[]> {
  const bytes = Buffer.from(text);
  const size = chunkSize ?? Math.max(bytes.length, 1);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  const items: ReaderItem[] = [];
  for await (const item of ndjsonReader.read({ name: 'events.ndjson', stream: Readable.from(chunks), head: text.slice(0, 65536) }, ndjsonOptionsSchema.parse(options))) items.push(item);
  return items;
}

function summary(items: ReaderItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'record') return `${item.position.line}: ${JSON.stringify(item.record)}`;
    if (item.kind === 'invalid') return `${item.position.line}! ${item.issue.path}: ${item.issue.message}`;
    return `${item.kind}`;
  });
}

const canonical = (id: number) => JSON.stringify({ event: 'Invoice sent', timestamp: '2024-05-02T08:05:00Z', objects: [{ type: 'Invoice', id: `INV-${id}` }] });

describe('NDJSON reader', () => {
  it('reads one object per line with its line number', async () => {
    expect(summary(await readNdjson('{"a":1}\n{"b":{"c":[2]}}\n'))).toEqual(['1: {"a":1}', '2: {"b":{"c":[2]}}']);
  });

  it('skips blank and white-space lines but counts them', async () => {
    expect(summary(await readNdjson('\n{"a":1}\n\n   \n\t\n{"a":2}\n\n'))).toEqual(['2: {"a":1}', '6: {"a":2}']);
  });

  it('reads CRLF line endings', async () => {
    expect(summary(await readNdjson('{"a":"x"}\r\n\r\n{"a":"y"}\r\n'))).toEqual(['1: {"a":"x"}', '3: {"a":"y"}']);
  });

  it('drops a UTF-8 BOM at the start of any line (files concatenated from Windows exports), and only there', async () => {
    expect(summary(await readNdjson('\uFEFF{"a":1}\n{"a":2}\n'))).toEqual(['1: {"a":1}', '2: {"a":2}']);
    expect(summary(await readNdjson('{"a":1}\r\n\uFEFF{"a":2}\r\n\uFEFF\r\n'))).toEqual(['1: {"a":1}', '2: {"a":2}']);
    expect(summary(await readNdjson('{"a":1}\n{"a":\uFEFF2}\n'))[1]).toMatch(/^2! json: invalid JSON: /);
  });

  it('reads a last line without a line break', async () => {
    expect(summary(await readNdjson('{"a":1}\n{"a":2}'))).toEqual(['1: {"a":1}', '2: {"a":2}']);
  });

  it('rejects invalid JSON on line 7 alone, naming the line, and reads the others', async () => {
    const lines = [1, 2, 3, 4, 5, 6].map(canonical);
    const text = `${lines.join('\n')}\n{"event": "broken", "timestamp": \n${canonical(8)}\n`;
    const items = await readNdjson(text);
    expect(items.map((item) => `${item.kind}:${'position' in item ? item.position.line : ''}`)).toEqual(['record:1', 'record:2', 'record:3', 'record:4', 'record:5', 'record:6', 'invalid:7', 'record:8']);
    expect(items[6]).toMatchObject({ kind: 'invalid', position: { file: 'events.ndjson', line: 7 }, raw: '{"event": "broken", "timestamp": ', issue: { path: 'json' } });
    expect((items[6] as { issue: { message: string } }).issue.message).toMatch(/^invalid JSON: /);
  });

  it('rejects a line that is JSON but not an object', async () => {
    expect(summary(await readNdjson('[1,2]\n"text"\n42\nnull\ntrue\n{"ok":1}\n'))).toEqual([
      '1! record: must be a JSON object, got an array',
      '2! record: must be a JSON object, got string',
      '3! record: must be a JSON object, got number',
      '4! record: must be a JSON object, got null',
      '5! record: must be a JSON object, got boolean',
      '6: {"ok":1}',
    ]);
  });

  it('rejects a line over the size limit alone, keeping a prefix for the rejects file', async () => {
    const long = JSON.stringify({ blob: 'x'.repeat(5000) });
    const items = await readNdjson(`{"a":1}\n${long}\n{"a":3}\n`, { maxRecordBytes: 1000 }, 700);
    expect(summary(items)).toEqual(['1: {"a":1}', '2! record: line is 5011 bytes, over the limit of 1000 (--max-record-size)', '3: {"a":3}']);
    expect((items[1] as { raw: string }).raw).toBe(`${long.slice(0, 1024)}…`);
    const byteByByte = await readNdjson(`{"a":1}\n${long}\n{"a":3}\n`, { maxRecordBytes: 1000 }, 1);
    expect(summary(byteByByte)).toEqual(summary(items));
    // At least as much as fits under the limit is kept, even when the line came in tiny pieces.
    expect((byteByByte[1] as { raw: string }).raw).toMatch(new RegExp(`^${long.slice(0, 1000).replace(/[{"]/g, '\\$&')}x*…$`));
  });

  it('gives the same result when the input arrives one byte at a time', async () => {
    const text = '\uFEFF{"name":"José"}\r\n\r\n[1]\n{"city":"Köln"}';
    expect(summary(await readNdjson(text, {}, 1))).toEqual(['1: {"name":"José"}', '3! record: must be a JSON object, got an array', '4: {"city":"Köln"}']);
  });
});

describe('NDJSON through the CLI', () => {
  it('names line 7 for invalid JSON and validates the other lines', async () => {
    await withTempDir(async (dir) => {
      const lines = [1, 2, 3, 4, 5, 6].map(canonical);
      await writeFile(join(dir, 'events.ndjson'), `${lines.join('\n')}\n{"event": "broken"\n${canonical(8)}\n`);
      const result = await runCli(['validate', 'events.ndjson'], { cwd: dir });
      expect(result.code).toBe(1);
      const [error, summaryLine, ...rest] = result.stdout.split('\n');
      expect(error).toMatch(/^events\.ndjson:7: EL_JSON_INVALID: json: invalid JSON: /);
      expect(summaryLine).toBe('8 records read: 7 valid, 1 invalid');
      expect(rest).toEqual([expect.stringMatching(/^ {2}1 × EL_JSON_INVALID \(first at line 7 of events\.ndjson: json: invalid JSON: /), '']);
    });
  });

  it('reads .jsonl files and maps nested fields with dot paths', async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'm.json'),
        JSON.stringify({
          event: 'type',
          timestamp: { column: 'meta.at', format: 'epoch_s' },
          objects: [{ type: { const: 'Customer' }, id: 'customer.id', properties: { city: 'customer.address.city' } }],
        }),
      );
      await writeFile(join(dir, 'events.jsonl'), '{"type":"signed up","meta":{"at":1714643100},"customer":{"id":"C-1","address":{"city":"Köln"}}}\n{"type":"left","meta":{"at":1714643200},"customer":{}}\n');
      const result = await runCli(['validate', 'events.jsonl', '-m', 'm.json', '--reporter', 'json', '--rejects', 'rejects.ndjson'], { cwd: dir });
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { read: number; valid: number; errors: unknown[] };
      expect(report).toMatchObject({ read: 2, valid: 1, invalid: 1 });
      expect(report.errors).toEqual([
        { file: 'events.jsonl', line: 2, stage: 'map', code: 'EL_OBJECTS_EMPTY', issues: [{ path: 'objects', message: 'every mapped object id is empty in this record; an event needs at least one object', code: 'EL_OBJECTS_EMPTY' }] },
      ]);
    });
  });

  it('rejects an oversize line with --max-record-size and goes on', async () => {
    await withTempDir(async (dir) => {
      const big = JSON.stringify({ event: 'x'.repeat(400), timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'T', id: '1' }] });
      await writeFile(join(dir, 'events.ndjson'), `${canonical(1)}\n${big}\n${canonical(3)}\n`);
      const result = await runCli(['validate', 'events.ndjson', '--max-record-size', '300'], { cwd: dir });
      expect(result.stdout).toBe(`events.ndjson:2: EL_RECORD_TOO_LARGE: record: line is ${big.length} bytes, over the limit of 300 (--max-record-size)\n3 records read: 2 valid, 1 invalid\n  1 × EL_RECORD_TOO_LARGE (first at line 2 of events.ndjson: record: line is ${big.length} bytes, over the limit of 300 (--max-record-size))\n`);
    });
  });
});
