// Numbers beyond what a double holds used to be changed on the way: 9007199254740993 arrived as
// …992, 1e400 as null, thirty digits as 1.2345678901234568e+29. Now the server receives the digits
// the source wrote (from NDJSON and from CSV "as": "number"), "as": "integer" refuses what it cannot
// hold exactly, keys tell big numbers apart, and a NUL character is refused, not sent.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJsonText } from '../../src/events/exact-number.js';
import { sha256 } from '../../src/events/keys.js';
import { eventsAsRead, expectAccounted, fixturePath, importInto, useSandboxes, useTempDirs } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

const BIG = ['9007199254740993', '123456789012345678901234567890', '1e400', '-0.1000000000000000055511151231257827'];

describe('numbers a double cannot hold', () => {
  it('NDJSON: the server receives the exact digits written, ordinary numbers unchanged', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const file = join(dir, 'events.ndjson');
    const line = `{"event":"Measured","timestamp":"2024-05-02T08:00:00Z","objects":[{"type":"Meter","id":"M-1","properties":{"reading":${BIG[0]}}}],"properties":{"a":${BIG[0]},"b":${BIG[1]},"c":${BIG[2]},"d":${BIG[3]},"e":0.1,"f":1714643100000}}`;
    await writeFile(file, `${line}\n`);
    const run = await importInto(sandbox, dir, [file]);
    expect(run.code, run.stderr).toBe(0);
    const received = toJsonText(sandbox.stats.stored[0]!.body);
    expect(received).toContain(`"properties":{"a":9007199254740993,"b":123456789012345678901234567890,"c":1e400,"d":-0.1000000000000000055511151231257827,"e":0.1,"f":1714643100000}`);
    expect(received).toContain('"properties":{"reading":9007199254740993}');
  });

  it('CSV "as": "number" sends the digits; "as": "integer" beyond 2^53 is rejected with EL_INTEGER_OUT_OF_RANGE', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const mapping = {
      event: { const: 'meter.read' },
      timestamp: 'at',
      objects: [{ type: { const: 'Meter' }, id: 'id' }],
      properties: { value: { column: 'value', as: 'number' }, count: { column: 'count', as: 'integer' } },
      actor: { id: { const: 'system' } },
    };
    await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
    const rows = BIG.map((value, i) => `M-${i},2024-01-01T00:0${i}:00Z,${value},${i}`);
    rows.push('M-8,2024-01-01T00:08:00Z,12.5,9007199254740993', 'M-9,2024-01-01T00:09:00Z,1,123456789012345678901234567890');
    await writeFile(join(dir, 'meters.csv'), `id,at,value,count\n${rows.join('\n')}\n`);
    const run = await importInto(sandbox, dir, [join(dir, 'meters.csv'), '-m', join(dir, 'm.json')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: 6, accepted: 4, rejectedLocal: 2 });
    expectAccounted(run.summary);
    const received = sandbox.stats.stored.map((event) => toJsonText(event.body));
    for (const [i, digits] of BIG.map((value) => (value.startsWith('-.') ? value.replace('-.', '-0.') : value)).entries()) {
      expect(received[i]).toContain(`"metadata":{"value":${digits},"count":${i}}`);
    }
    expect(run.rejects.map((reject) => [reject.line, reject.issues[0].code])).toEqual([
      [6, 'EL_INTEGER_OUT_OF_RANGE'],
      [7, 'EL_INTEGER_OUT_OF_RANGE'],
    ]);
  });

  it('keys: two different big numbers give two different keys; ordinary inputs keep the keys they always had', async () => {
    const dir = await tempDir();
    const event = (value: string) => `{"event":"Measured","timestamp":"2024-05-02T08:00:00Z","objects":[{"type":"Meter","id":"M-1"}],"properties":{"v":${value}}}\n`;
    await writeFile(join(dir, 'a.ndjson'), event('9007199254740993'));
    await writeFile(join(dir, 'b.ndjson'), event('9007199254740992'));
    const [a] = await eventsAsRead([join(dir, 'a.ndjson')]);
    const [b] = await eventsAsRead([join(dir, 'b.ndjson')]);
    expect(a!.idempotency_key).not.toBe(b!.idempotency_key);
    // The keys of the fixtures, as derived before exact numbers existed (checked against that code).
    const keys = [
      ...(await eventsAsRead([fixturePath('orders.csv')], { mapping: fixturePath('orders.mapping.json') })),
      ...(await eventsAsRead([fixturePath('events.ndjson')])),
      ...(await eventsAsRead([fixturePath('bpmn/hiring.ndjson')])),
      ...(await eventsAsRead([fixturePath('bpmn/hiring.json')])),
    ].map((read) => read.idempotency_key);
    expect(keys).toHaveLength(62);
    expect(sha256(keys.join('\n'))).toBe('0c006cd2bc4f803829f19d0bc47badfe7ff5138cdd5597f01dff570c90a9dbbe');
  });

  it('a NUL character in a field is rejected with EL_NUL_CHARACTER and its field, from CSV and from NDJSON', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const mapping = { event: 'status', timestamp: 'at', objects: [{ type: { const: 'Order' }, id: 'id' }] };
    await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
    await writeFile(join(dir, 'orders.csv'), 'id,at,status\nA,2024-01-01T00:00:00Z,placed\nB\u0000,2024-01-01T00:01:00Z,placed\n');
    const csv = await importInto(sandbox, dir, [join(dir, 'orders.csv'), '-m', join(dir, 'm.json')]);
    expect(csv.code, csv.stderr).toBe(1);
    expect(csv.summary).toMatchObject({ read: 2, accepted: 1, rejectedLocal: 1 });
    expect(csv.rejects[0]).toMatchObject({ line: 3, issues: [{ path: 'objects[0].id', code: 'EL_NUL_CHARACTER' }] });

    const file = join(dir, 'events.ndjson');
    await writeFile(file, '{"event":"x","timestamp":"2024-05-02T08:00:00Z","objects":[{"type":"T","id":"1"}],"properties":{"note":"a\\u0000b"}}\n');
    const ndjson = await importInto(sandbox, dir, [file]);
    expect(ndjson.code, ndjson.stderr).toBe(1);
    // The rejects file is named, so the second run appends: its reject is the last one.
    expect(ndjson.rejects).toHaveLength(2);
    expect(ndjson.rejects.at(-1)).toMatchObject({ line: 1, issues: [{ path: 'properties.note', code: 'EL_NUL_CHARACTER' }] });
    expect(sandbox.stats.stored).toHaveLength(1);
  });
});
