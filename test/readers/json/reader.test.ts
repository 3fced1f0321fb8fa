import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { jsonOptionsSchema } from '../../../src/readers/json/options.js';
import { detectJsonShape, jsonReader, readJsonRecords } from '../../../src/readers/json/reader.js';
import type { ReaderItem } from '../../../src/readers/types.js';

/** Feeds `text` in chunks of `size` bytes, so records and multi-byte characters straddle chunk boundaries. */
function input(text: string, size = 1 << 16) {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return { name: 'in.json', stream: Readable.from(chunks), head: text.slice(0, 65536) };
}

async function read(text: string, size?: number, max = 1 << 20, maxDepth = 64): Promise<ReaderItem[]> {
  const items: ReaderItem[] = [];
  for await (const item of readJsonRecords(input(text, size), max, maxDepth)) items.push(item);
  return items;
}

/** Records as `line: record` and rejects as `line! path: message`, for compact assertions. */
function summary(items: ReaderItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'record') return `${item.position.line}: ${JSON.stringify(item.record)}`;
    if (item.kind === 'invalid') return `${item.position.line}! ${item.issue.path}: ${item.issue.message}`;
    return `${item.kind}`;
  });
}

describe('detectJsonShape', () => {
  it('tells arrays, lines, _bulk files and pretty-printed sequences apart', () => {
    expect(detectJsonShape('\uFEFF  \n[{"a":1}]')).toBe('array');
    expect(detectJsonShape('{"a":1}\n{"a":2}\n')).toBe('lines');
    expect(detectJsonShape('{"index":{}}\n{"a":1}\n')).toBe('bulk');
    expect(detectJsonShape('{"create":{"_index":"x","_id":"1"}}\n{"a":1}\n')).toBe('bulk');
    expect(detectJsonShape('{\n  "a": 1\n}\n{\n  "a": 2\n}\n')).toBe('sequence');
    expect(detectJsonShape('')).toBe('lines');
  });

  it('does not take a record with more keys than an action for an action line', () => {
    expect(detectJsonShape('{"index":{"a":1},"other":2}\n')).toBe('lines');
    expect(detectJsonShape('{"index":5}\n')).toBe('lines');
  });
});

describe('JSON arrays', () => {
  const array = [
    '[',
    '  {',
    '    "id": "a",',
    '    "text": "quote \\" backslash \\\\ brace } bracket ] comma ,",',
    '    "nested": {"list": [1, 2, {"deep": true}]}',
    '  },',
    '  {',
    '    "id": "b", "text": "ünïcödé € 😀"',
    '  },',
    '  {"id": "c", "trailing": "\\\\"}',
    ']',
    '',
  ].join('\n');

  it('streams each element with the line it starts on', async () => {
    const items = await read(array);
    expect(items.map((item) => item.kind)).toEqual(['record', 'record', 'record']);
    expect(items.map((item) => (item.kind === 'record' ? item.position.line : 0))).toEqual([2, 7, 10]);
    expect(items[0]).toMatchObject({ record: { text: 'quote " backslash \\ brace } bracket ] comma ,', nested: { list: [1, 2, { deep: true }] } } });
    expect(items[1]).toMatchObject({ record: { text: 'ünïcödé € 😀' } });
    expect(items[2]).toMatchObject({ record: { trailing: '\\' } });
  });

  it('reads the same records whatever the chunk boundaries', async () => {
    const whole = summary(await read(array));
    for (const size of [1, 2, 3, 5, 7, 13, 64]) expect(summary(await read(array, size))).toEqual(whole);
  });

  it('agrees with JSON.parse on generated arrays full of escapes, split at every kind of boundary', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = ['\\', '"', '\\\\', '\\"', '}', ']', '{', '[', ',', 'é', '😀', 'a', ' ', '\t'];
    const value = (depth: number): unknown => {
      const kind = random(depth > 2 ? 3 : 5);
      if (kind === 0) return Array.from({ length: random(12) }, () => pieces[random(pieces.length)]).join('');
      if (kind === 1) return random(1000) - 500;
      if (kind === 2) return random(2) === 0 ? null : true;
      if (kind === 3) return Array.from({ length: random(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: random(4) }, (_, i) => [`k${i}${pieces[random(pieces.length)]}`, value(depth + 1)]));
    };
    const records = Array.from({ length: 60 }, () => ({ id: random(1e6), v: value(0) }));
    const compact = JSON.stringify(records);
    const pretty = JSON.stringify(records, null, 2);
    for (const text of [compact, pretty]) {
      for (const size of [1, 2, 3, 5, 8, 17, 101]) {
        const items = await read(text, size);
        expect(items.map((item) => (item.kind === 'record' ? item.record : item))).toEqual(records);
      }
    }
  });

  it('reads a compact array on one line, and a one-element-per-line array', async () => {
    expect(summary(await read('[{"a":1},{"a":2}, {"a":3}]'))).toEqual(['1: {"a":1}', '1: {"a":2}', '1: {"a":3}']);
    expect(summary(await read('[\n{"a":1},\n{"a":2}\n]\n'))).toEqual(['2: {"a":1}', '3: {"a":2}']);
    expect(await read('[]')).toEqual([]);
    expect(await read('\uFEFF[\r\n  {"a": 1}\r\n]\r\n')).toMatchObject([{ kind: 'record', position: { line: 2 }, record: { a: 1 } }]);
  });

  it('rejects a broken element alone, with its line, and reads its neighbours', async () => {
    const text = ['[', '  {"id": "a"},', '  {"id": "b" "missing": "comma"},', '  {"id": "c"}', ']'].join('\n');
    expect(summary(await read(text))).toEqual(['2: {"id":"a"}', expect.stringMatching(/^3! json: invalid JSON/), '4: {"id":"c"}']);
  });

  it('resynchronises after an element cut off inside a string', async () => {
    const text = ['[', '  {', '    "id": "a"', '  },', '  {', '    "id": "b",', '    "type": "cut off', '  },', '  {', '    "id": "c"', '  }', ']'].join('\n');
    for (const size of [1, 4, 1 << 16]) {
      expect(summary(await read(text, size))).toEqual(['2: {"id":"a"}', '5! json: invalid JSON: a string is not closed at the end of its line', '9: {"id":"c"}']);
    }
  });

  it('resynchronises after an element whose closing brace is missing', async () => {
    const text = ['[', '  {', '    "id": "a",', '    "source": {"x": 1', '  },', '  {', '    "id": "b"', '  }', ']'].join('\n');
    // `  },` closes "source", so element a is still open when element b begins at the same column.
    expect(summary(await read(text))).toEqual(['2! json: invalid JSON: the record is not closed before the next one starts', '6: {"id":"b"}']);
  });

  it('rejects a mismatched bracket and goes on with the next element', async () => {
    const text = ['[', '{"id": "a", "list": [1, 2}', '{"id": "b"}', ']'].join('\n');
    expect(summary(await read(text))).toEqual(['2! json: invalid JSON: "}" does not close "["', '3: {"id":"b"}']);
  });

  it('rejects nesting deeper than the limit (EL_RECORD_TOO_DEEP), in every shape, and reads on', async () => {
    const deep = `[\n{"a": ${'['.repeat(5000)}${']'.repeat(5000)}},\n{"b": 1}\n]`;
    expect(summary(await read(deep))).toEqual(['2! record: nested more than 64 levels deep (the limit)', '3: {"b":1}']);
    const items = await read(deep);
    expect(items[0]).toMatchObject({ kind: 'invalid', issue: { code: 'EL_RECORD_TOO_DEEP' } });
    // One record per line, _bulk and a sequence go through the same limit.
    const line = `{"a": ${'['.repeat(20000)}${']'.repeat(20000)}}`;
    expect(summary(await read(`{"b": 0}\n${line}\n{"b": 1}\n`))).toEqual(['1: {"b":0}', '2! record: nested more than 64 levels deep (the limit)', '3: {"b":1}']);
    expect(summary(await read(`{"index":{}}\n${line}\n{"index":{}}\n{"b": 1}\n`))).toEqual(['2! record: nested more than 64 levels deep (the limit)', '4: {"b":1}']);
    // Exactly at the limit is still a record.
    const atLimit = `[{"a": ${'['.repeat(63)}${']'.repeat(63)}}]`;
    expect(await read(atLimit)).toMatchObject([{ kind: 'record' }]);
    expect(summary(await read(`[{"a": ${'['.repeat(64)}${']'.repeat(64)}}]`))).toEqual(['1! record: nested more than 64 levels deep (the limit)']);
  });

  it('rejects elements that are not objects', async () => {
    expect(summary(await read('[1, "two", null, [3], {"ok": true}]'))).toEqual([
      '1! record: must be a JSON object, got number',
      '1! record: must be a JSON object, got string',
      '1! record: must be a JSON object, got null',
      '1! record: must be a JSON object, got an array',
      '1: {"ok":true}',
    ]);
  });

  it('keeps a complete last element when the closing bracket is missing, and rejects a truncated one', async () => {
    expect(summary(await read('[\n{"a": 1},\n{"a": 2}\n'))).toEqual(['2: {"a":1}', '3: {"a":2}']);
    expect(summary(await read('[\n{"a": 1},\n{"a": {"b": 2}\n'))).toEqual(['2: {"a":1}', '3! json: invalid JSON: the input ends inside this record']);
  });

  it('reports content after the end of the array once', async () => {
    expect(summary(await read('[{"a": 1}]\ngarbage\nmore\n'))).toEqual(['1: {"a":1}', '2! json: unexpected content after the end of the JSON array (ignored from here)']);
  });

  it('rejects an oversize element without holding it, and reads the next one', async () => {
    const big = `{"id": "big", "blob": "${'x'.repeat(5000)}"}`;
    const items = await read(`[\n${big},\n{"id": "small"}\n]`, 256, 1000);
    expect(summary(items)).toEqual([`2! record: record is ${big.length} bytes, over the limit of 1000 (--max-record-size)`, '3: {"id":"small"}']);
    const rejected = items[0] as Extract<ReaderItem, { kind: 'invalid' }>;
    expect(rejected.raw.length).toBeLessThanOrEqual(1025);
  });
});

describe('pretty-printed objects one after another', () => {
  it('reads each object with the line it starts on', async () => {
    const text = '{\n  "a": 1,\n  "b": {"c": [1, 2]}\n}\n{\n  "a": 2\n}\n';
    for (const size of [1, 3, 1 << 16]) expect(summary(await read(text, size))).toEqual(['1: {"a":1,"b":{"c":[1,2]}}', '5: {"a":2}']);
  });
});

describe('one JSON object per line', () => {
  it('skips blank lines, tolerates CRLF and a BOM, and rejects a bad line alone', async () => {
    const text = '\uFEFF{"a":1}\r\n\r\n{"a":\r\n{"a":3}\r\n42\n';
    expect(summary(await read(text, 3))).toEqual(['1: {"a":1}', expect.stringMatching(/^3! json: invalid JSON/), '4: {"a":3}', '5! record: must be a JSON object, got number']);
  });

  it('rejects an oversize line and reads on', async () => {
    const text = `{"a":"${'y'.repeat(3000)}"}\n{"a":2}\n`;
    expect(summary(await read(text, 512, 1000))).toEqual(['1! record: record is 3008 bytes, over the limit of 1000 (--max-record-size)', '2: {"a":2}']);
  });
});

describe('OpenSearch _bulk files', () => {
  it('skips index and create action lines and gives each document its own line', async () => {
    const text = ['{"index":{}}', '{"id":"a"}', '{"create":{"_index":"events","_id":"b"}}', '{"id":"b"}', '', '{"index":{"_id":"c"}}', '{"id":"c"}', ''].join('\n');
    expect(summary(await read(text))).toEqual(['2: {"id":"a"}', '4: {"id":"b"}', '7: {"id":"c"}']);
  });

  it('reads a document that looks like an action as a document, and a delete action has none', async () => {
    const text = ['{"index":{}}', '{"index":{"looks":"like an action"}}', '{"delete":{"_id":"x"}}', '{"index":{}}', '{"id":"d"}'].join('\n');
    expect(summary(await read(text))).toEqual(['2: {"index":{"looks":"like an action"}}', '5: {"id":"d"}']);
  });

  it('still reads the document after a broken action line', async () => {
    const text = ['{"index":{}}', '{"id":"a"}', '{"index":{}', '{"id":"b"}', '{"index":{}}', '{"id":"c"}'].join('\n');
    expect(summary(await read(text))).toEqual(['2: {"id":"a"}', expect.stringMatching(/^3! json: invalid JSON/), '4: {"id":"b"}', '6: {"id":"c"}']);
  });
});

describe('jsonReader', () => {
  it('is the plugin over readJsonRecords with a 1 MiB default record limit', async () => {
    const options = jsonOptionsSchema.parse({});
    expect(options).toEqual({ maxRecordBytes: 1024 * 1024, maxDepth: 64 });
    const items: ReaderItem[] = [];
    for await (const item of jsonReader.read(input('[{"a": 1}]'), options)) items.push(item);
    expect(summary(items)).toEqual(['1: {"a":1}']);
    expect(jsonReader.extensions).toEqual(['.json']);
  });
});

describe('a file that is one object wrapping its records (--records, or the mapping\'s reader.records)', () => {
  async function wrapped(text: string, records: string, size?: number): Promise<string[]> {
    const items: ReaderItem[] = [];
    for await (const item of jsonReader.read(input(text, size), jsonOptionsSchema.parse({ records }))) items.push(item);
    return summary(items);
  }
  const PRETTY = JSON.stringify({ total: 3, note: 'a "data" key in a string: [1,2]', links: { data: [{ no: 1 }] }, result: { page: 1, items: [{ id: 'a', at: '2024-01-01' }, { id: 'b', tags: ['x', '}'] }, { id: 'c' }] }, after: [{ id: 'z' }] }, null, 2);

  it('reads the array at the member named, record by record with its line, and nothing around it', async () => {
    const expected = ['14: {"id":"a","at":"2024-01-01"}', '18: {"id":"b","tags":["x","}"]}', '25: {"id":"c"}'];
    for (const size of [undefined, 1, 5, 64]) expect(await wrapped(PRETTY, 'result.items', size), `chunks of ${size}`).toEqual(expected);
    expect(await wrapped('{"data":[{"a":1},{"a":2}],"meta":{"count":2}}', 'data')).toEqual(['1: {"a":1}', '1: {"a":2}']);
    expect(await wrapped('{"data":[]}', 'data')).toEqual([]);
    // A broken record in the array is rejected alone; reading goes on.
    expect(await wrapped('{"data":[\n{"a":1},\n{"a":},\n{"a":3}\n]}', 'data')).toEqual(['2: {"a":1}', expect.stringMatching(/^3! json: invalid JSON/), '4: {"a":3}']);
  });

  it('says in one rejected record, with its code, when the member is missing or not an array', async () => {
    const items = async (text: string, records: string) => {
      const out: ReaderItem[] = [];
      for await (const item of jsonReader.read(input(text), jsonOptionsSchema.parse({ records }))) out.push(item);
      return out;
    };
    expect(await wrapped(PRETTY, 'data')).toEqual(['35! reader.records: the file has no member "data" (--records, or the mapping\'s reader.records)']);
    expect(await wrapped(PRETTY, 'result.page')).toEqual([expect.stringMatching(/^\d+! reader\.records: the member "result\.page" is not an array of records/)]);
    expect(await wrapped(PRETTY, 'total.items')).toEqual([expect.stringMatching(/the member "total" is not an object, so it has no member "items"/)]);
    expect(await wrapped('[{"a":1}]', 'data')).toEqual(['1! reader.records: the file is not one JSON object, so it has no member "data" (--records, or the mapping\'s reader.records)']);
    expect(await wrapped('{"data":[{"a":1}]', 'missing')).toEqual([expect.stringMatching(/no member "missing"/)]);
    expect((await items('{"x":1}', 'data'))[0]).toMatchObject({ kind: 'invalid', issue: { code: 'EL_JSON_RECORDS_NOT_FOUND' } });
  });
});
