// Idempotency keys: a mapped column wins; otherwise a key derived from the content, the same on every
// run and machine, distinct for repeated identical rows in one file, shared by one row in two files.
// Batch keys and replay keys follow their documented formulas; the seen-keys filter never forgets.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/events/canonical.js';
import { batchKey, keptKey, KeyDeriver, keyedBodyText, keyedEventText, replayKey, ScalableBloom, SeenKeys, stableStringify, xesEventKey } from '../../src/events/keys.js';
import { ExactNumber, toJsonText } from '../../src/events/exact-number.js';
import { parseJsonText } from '../../src/events/json-text.js';
import { loadMapping, parseMapping } from '../../src/mapping/load.js';
import { readEvents, type PipelineItem, type ReadOptions } from '../../src/pipeline/read-events.js';
import { fixture, withTempDir } from '../helpers.js';

const mappingJson = {
  event: { template: 'Order {status}' },
  timestamp: { column: 'at', timezone: 'Europe/Berlin' },
  objects: [{ type: { const: 'Order' }, id: 'order' }],
};

async function collect(options: ReadOptions): Promise<PipelineItem[]> {
  const items: PipelineItem[] = [];
  for await (const item of readEvents(options)) items.push(item);
  return items;
}

function keys(items: PipelineItem[]): string[] {
  return items.map((item) => (item.kind === 'event' ? item.event.idempotency_key! : `not an event: ${JSON.stringify(item)}`));
}

const event = (id: string): CanonicalEvent => ({ event: 'Order placed', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'Order', id }] });

describe('derived idempotency keys', () => {
  it('gives the same keys when the same file is read twice', async () => {
    const options: ReadOptions = { files: [fixture('orders.csv')], mapping: await loadMapping(fixture('orders.mapping.json')) };
    const first = keys(await collect(options));
    const second = keys(await collect(options));
    expect(first).toHaveLength(8);
    for (const key of first) expect(key).toMatch(/^el1_[0-9a-f]{32}$/);
    expect(new Set(first).size).toBe(8);
    expect(second).toEqual(first);
  });

  it('gives the same keys to a canonical NDJSON file read twice, keeping the key it carries', async () => {
    const first = keys(await collect({ files: [fixture('events.ndjson')] }));
    const second = keys(await collect({ files: [fixture('events.ndjson')] }));
    expect(first[0]).toBe('inv-9001-created');
    expect(first.slice(1)).toHaveLength(3);
    for (const key of first.slice(1)) expect(key).toMatch(/^el1_[0-9a-f]{32}$/);
    expect(second).toEqual(first);
  });

  it('gives two identical rows in one file different keys', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'twice.csv');
      await writeFile(file, 'order,status,at\nA,placed,2024-01-01 10:00\nA,placed,2024-01-01 10:00\nA,placed,2024-01-01 10:00\n');
      const found = keys(await collect({ files: [file], mapping: parseMapping(mappingJson, 'mapping.json') }));
      expect(new Set(found).size).toBe(3);
    });
  });

  it('gives the same row in two different files the same key, wherever it stands', async () => {
    await withTempDir(async (dir) => {
      const one = join(dir, 'january.csv');
      const two = join(dir, 'overlap.csv');
      await writeFile(one, 'order,status,at\nA,placed,2024-01-01 10:00\nB,placed,2024-01-02 10:00\n');
      await writeFile(two, 'at,status,order\n2024-01-03 10:00,placed,C\n2024-01-02 10:00,placed,B\n');
      const [a, b, c, b2] = keys(await collect({ files: [one, two], mapping: parseMapping(mappingJson, 'mapping.json') }));
      expect(b2).toBe(b);
      expect(new Set([a, b, c]).size).toBe(3);
    });
  });

  it('does not depend on the key order of the input or on absent fields', () => {
    const a = { event: 'x', timestamp: 't', objects: [{ id: '1', type: 'T' }], properties: { b: 1, a: 2 } };
    const b = { properties: { a: 2, b: 1 }, objects: [{ type: 'T', id: '1' }], timestamp: 't', event: 'x', actor: undefined };
    expect(new KeyDeriver().keyFor(b as CanonicalEvent)).toBe(new KeyDeriver().keyFor(a as CanonicalEvent));
    expect(stableStringify(b)).toBe('{"event":"x","objects":[{"id":"1","type":"T"}],"properties":{"a":2,"b":1},"timestamp":"t"}');
  });

  it('is the documented SHA-256 of the stable JSON, the same on every machine', () => {
    const content = '{"event":"Order placed","objects":[{"id":"SO-1","type":"Order"}],"timestamp":"2024-01-01T00:00:00Z"}';
    const sha = (text: string) => `el1_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    const deriver = new KeyDeriver();
    // A literal, so a change of the scheme (which would break deduplication across versions) shows here.
    expect(deriver.keyFor(event('SO-1'))).toBe('el1_891d9c5501abdd02be85e9b4806c5fa2');
    expect(sha(content)).toBe('el1_891d9c5501abdd02be85e9b4806c5fa2');
    expect(deriver.keyFor(event('SO-1'))).toBe(sha(`${content}\n1`));
    expect(deriver.keyFor(event('SO-1'))).toBe(sha(`${content}\n2`));
  });

  it('ignores a key the event already has when deriving', () => {
    const deriver = new KeyDeriver();
    expect(deriver.keyFor({ ...event('1'), idempotency_key: 'old' })).toBe(new KeyDeriver().keyFor(event('1')));
  });

  it('still counts repeats after the repeat window has grown past its first size', () => {
    const fresh = new KeyDeriver();
    const [k0, k1] = [fresh.keyFor(event('row-0')), fresh.keyFor(event('row-0'))];
    const deriver = new KeyDeriver();
    expect(deriver.keyFor(event('row-0'))).toBe(k0);
    for (let i = 1; i < 70_000; i++) deriver.keyFor(event(`row-${i}`));
    expect(deriver.keyFor(event('row-0'))).toBe(k1);
    expect(k1).not.toBe(k0);
  });
});

describe('the stable content and the filter behind derived keys', () => {
  it('writes the same JSON as sorting every object and using JSON.stringify', () => {
    const sorted = (value: unknown): unknown =>
      Array.isArray(value) ? value.map((v) => (v === undefined ? null : sorted(v))) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => [k, sorted((value as Record<string, unknown>)[k])])) : value;
    const values: unknown[] = [
      { b: 'quote " backslash \\ newline \n tab \t', a: 'control \u0001 and lone \ud800 and pair 😀 and é' },
      { z: [1, -0, 1.5e300, Number.NaN, Number.POSITIVE_INFINITY, null, true, false, undefined, 'x'], y: { b: { d: 1, c: 2 }, a: [{ y: 1, x: 2 }] } },
      { event: 'e', timestamp: 't', objects: [{ type: 'T', id: '1', qualifier: 'q', properties: { n: 1 } }], properties: { s: 's', i: 2 }, actor: { id: 'a' } },
      'plain', 12.25, null, [],
      {},
      // An inherited enumerable key, which JSON leaves out; the same own keys as an object above, in another order.
      Object.assign(Object.create({ inherited: 1, id: 'no' }), { qualifier: 'q', type: 'T', id: '1' }),
      { id: '1', type: 'T', qualifier: 'q' },
      // An accessor that writes a text itself while its object is being written.
      { get a() { return stableStringify({ y: 1, x: [2, { q: 'r' }] }); }, b: [{ d: 1 }] },
      // More shapes than are remembered.
      ...Array.from({ length: 40 }, (_, i) => ({ [`k${i}`]: i, a: { [`n${i % 3}`]: [i] }, ...(i % 2 ? { z: 'z' } : {}) })),
    ];
    for (let round = 0; round < 3; round++) for (const value of values) expect(stableStringify(value)).toBe(JSON.stringify(sorted(value)));
    // Keys sort as text, integer-like ones too (JSON.stringify would put them first, in numeric order).
    expect(stableStringify({ b: 1, '9': 2, '10': 3 })).toBe('{"10":3,"9":2,"b":1}');
  });

  it('gives the same answers whether fed keys or the hash words read from them', () => {
    const byKey = new ScalableBloom();
    const byWords = new ScalableBloom();
    for (let i = 0; i < 200_000; i++) {
      const key = `el1_${createHash('sha256').update(String(i % 150_000)).digest('hex').slice(0, 32)}`;
      const words = [Number.parseInt(key.slice(4, 12), 16), Number.parseInt(key.slice(12, 20), 16) | 1] as const;
      expect(byWords.addIfAbsentSeeded(...words)).toBe(byKey.addIfAbsent(key));
    }
    expect(byKey.has('el1_00000000000000000000000000000000')).toBe(byWords.has('el1_00000000000000000000000000000000'));
  });
});

describe('ScalableBloom', () => {
  it('finds everything it was given across slices, and few false positives', () => {
    const key = (i: number) => `el1_${createHash('sha256').update(String(i)).digest('hex').slice(0, 32)}`;
    const bloom = new ScalableBloom(1 << 16);
    for (let i = 0; i < 200_000; i++) bloom.addIfAbsent(key(i)); // slices of 65,536 and 131,072 full, a third partly
    for (let i = 0; i < 200_000; i += 7) expect(bloom.has(key(i))).toBe(true);
    let falsePositives = 0;
    for (let i = 200_000; i < 300_000; i++) if (bloom.has(key(i))) falsePositives++;
    // Two full slices at about 1 in 2,000 each, and a third.
    expect(falsePositives / 100_000).toBeLessThan(0.003);
  });
});

describe('mapped idempotency keys', () => {
  it('takes the key from the mapped column, and derives one where the cell is empty', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'keys.csv');
      await writeFile(file, 'order,status,at,key\nA,placed,2024-01-01 10:00,evt-1\nA,placed,2024-01-01 10:00,\n');
      const mapping = parseMapping({ ...mappingJson, idempotency_key: 'key' }, 'mapping.json');
      const [given, derived] = keys(await collect({ files: [file], mapping }));
      expect(given).toBe('evt-1');
      expect(derived).toMatch(/^el1_[0-9a-f]{32}$/);
    });
  });

  it('keeps the same mapped key for identical rows (the source says they are one event)', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'keys.csv');
      await writeFile(file, 'order,status,at,key\nA,placed,2024-01-01 10:00,evt-1\nA,placed,2024-01-01 10:00,evt-1\n');
      const mapping = parseMapping({ ...mappingJson, idempotency_key: { template: '{order}-{key}' } }, 'mapping.json');
      expect(keys(await collect({ files: [file], mapping }))).toEqual(['A-evt-1', 'A-evt-1']);
    });
  });
});

describe('batch keys (batchKey)', () => {
  // A batch's Idempotency-Key: derived from its events' keys, so a resent batch carries the same key
  // and a different batch never does.
  const event = (key: string): CanonicalEvent => ({ event: 'e', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 't', id: key }], idempotency_key: key });

  it('is the same for the same events, every time', () => {
    expect(batchKey([event('a'), event('b')])).toBe(batchKey([event('a'), event('b')]));
    expect(batchKey([event('a'), event('b')])).toMatch(/^elb_[0-9a-f]{32}$/);
  });

  it('differs when an event, the order or the length differs', () => {
    const keys = new Set([
      batchKey([event('a'), event('b')]),
      batchKey([event('b'), event('a')]),
      batchKey([event('a'), event('c')]),
      batchKey([event('a')]),
      batchKey([event('a'), event('b'), event('c')]),
    ]);
    expect(keys.size).toBe(5);
  });

  it('cannot be confused by keys that run together', () => {
    expect(batchKey([event('ab'), event('c')])).not.toBe(batchKey([event('a'), event('bc')]));
  });

  it('depends on the keys only, not on other content', () => {
    expect(batchKey([{ ...event('a'), event: 'other' }])).toBe(batchKey([event('a')]));
  });

  it('follows the documented formula: elb_ + 32 hex digits of SHA-256 of each key and a newline', () => {
    expect(batchKey([event('a'), event('b')])).toBe(`elb_${createHash('sha256').update('a\nb\n').digest('hex').slice(0, 32)}`);
  });
});

describe('SeenKeys', () => {
  it('says "not seen" until a key is added, for derived and free-text keys alike', () => {
    const seen = new SeenKeys();
    const derived = new KeyDeriver().keyFor(event('1'));
    for (const key of [derived, 'order-17', 'x'.repeat(255)]) {
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(seen.has(key)).toBe(true);
    }
  });

  it('finds a mapped key shaped like a derived one once added, hex digits or not, and only then', () => {
    const seen = new SeenKeys();
    for (const key of [`el1_${'z'.repeat(32)}`, `el1_${'0'.repeat(31)}g`, `el1_${'a'.repeat(32)}`]) {
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(seen.has(key)).toBe(true);
    }
  });

  it('never forgets a key, past its first slice', () => {
    const seen = new SeenKeys();
    for (let i = 0; i < 70_000; i++) seen.add(`k${i}`);
    for (let i = 0; i < 70_000; i += 997) expect(seen.has(`k${i}`)).toBe(true);
  });
});

describe('replay keys', () => {
  it('follow the documented formula', () => {
    const expected = `elr_${createHash('sha256').update('so-1001-shipped\n2025-01-01T00:00:00.000Z\n1').digest('hex').slice(0, 32)}`;
    expect(replayKey('so-1001-shipped', '2025-01-01T00:00:00.000Z', 1)).toBe(expected);
  });

  it('differ by first instant and by loop', () => {
    const keys = [replayKey('k', '2025-01-01T00:00:00.000Z', 1), replayKey('k', '2025-01-01T00:00:00.001Z', 1), replayKey('k', '2025-01-01T00:00:00.000Z', 2)];
    expect(new Set(keys).size).toBe(3);
  });

  it('kept: as they are in the first loop, #<loop> after', () => {
    expect(keptKey('k', 1)).toBe('k');
    expect(keptKey('k', 2)).toBe('k#2');
  });

  it('kept: a key too long to append to is shortened, still distinct and within 255 characters', () => {
    const a = keptKey('a'.repeat(254) + 'x', 12);
    const b = keptKey('a'.repeat(254) + 'y', 12);
    expect(a).toHaveLength(255);
    expect(a).toMatch(/#12$/);
    expect(a).not.toBe(b);
  });
});

describe('XES event keys', () => {
  it('follow the documented formula: elx_ + 32 hex digits of SHA-256 of the JSON array [trace id, position, name, time]', () => {
    const values: Array<[string, number, string, string]> = [
      ['case-1', 1, 'register request', '2021-01-01T00:00:00.000+01:00'],
      ['q"uo\\te\n', 12, 'Zürich € 😀 \u0001', ''],
      ['\ud800 lone', 3, '\u2028', '\u007f'],
    ];
    for (const [trace, position, name, time] of values) {
      const json = JSON.stringify([trace, position, name, time]);
      expect(xesEventKey(trace, position, name, time)).toBe(`elx_${createHash('sha256').update(json).digest('hex').slice(0, 32)}`);
    }
    // Pinned: keys must never change, or a re-import would send every event again.
    expect(xesEventKey('case-1', 1, 'register request', '2021-01-01T00:00:00.000+01:00')).toBe('elx_7dafc5b235c2b9684273f64994722db7');
  });
});

describe('an event text from its key content (what the journal keeps of a delivered event)', () => {
  it('is the same JSON value as the event itself, exact numbers, escapes and nesting included, and only for the event that was keyed', () => {
    const events: CanonicalEvent[] = [
      { event: 'Order placed', timestamp: '2021-01-01T02:00:00+02:00', objects: [{ type: 'Order', id: 'SO-1', qualifier: 'target', properties: { amount: 12.5, big: new ExactNumber('9007199254740993'), huge: new ExactNumber('1e400') } }], properties: { note: 'q"uo\\te\n\u0000 Zürich 😀 \ud800', nested: { b: [1, null, { z: true, a: 'x' }], a: -0 } }, actor: { id: 'u-1', type: 'user' } },
      { event: 'x', timestamp: '2021-01-01T00:00:00Z', objects: [{ type: 'T', id: '1' }] },
    ];
    const keeping = new KeyDeriver(1000, true);
    for (const event of events) {
      event.idempotency_key = keeping.keyFor(event);
      const text = keyedEventText(event)!;
      const parsed = parseJsonText(text);
      const reference = parseJsonText(toJsonText(event));
      expect(parsed.ok && reference.ok).toBe(true);
      // stableStringify: members sorted at every level, exact numbers as their digits.
      expect(stableStringify((parsed as { value: unknown }).value)).toBe(stableStringify((reference as { value: unknown }).value));
      if (event === events[0]) expect(text).toContain('"big":9007199254740993'); // digits as written, not a double's
      expect(keyedEventText({ ...event })).toBeUndefined(); // a copy (replay's shifted event) is written afresh
    }
    const notKeeping = new KeyDeriver(1000);
    const event: CanonicalEvent = { event: 'y', timestamp: '2021-01-01T00:00:00Z', objects: [{ type: 'T', id: '2' }] };
    event.idempotency_key = notKeeping.keyFor(event);
    expect(keyedEventText(event)).toBeUndefined();
  });

  it('gives a request body the event less its key and actor, as serialising it would, and only for the event that was keyed', () => {
    const events: CanonicalEvent[] = [
      { event: 'Order placed', timestamp: '2021-01-01T02:00:00+02:00', objects: [{ type: 'Order', id: 'SO-1', properties: { big: new ExactNumber('9007199254740993'), a: 'q"uo\\te\n 😀' } }], properties: { n: [1, { b: 2, a: 1 }] }, actor: { type: 'user', id: 'u-"1"', name: 'N' } },
      { event: 'x', timestamp: '2021-01-01T00:00:00Z', objects: [{ type: 'T', id: '1' }], actor: { id: 'a' } },
      { event: 'x', timestamp: '2021-01-01T00:00:00Z', objects: [{ type: 'T', id: '1' }], properties: {} },
    ];
    const keeping = new KeyDeriver(1000, true);
    for (const event of events) {
      event.idempotency_key = keeping.keyFor(event);
      const { actor: _actor, idempotency_key: _key, ...body } = event;
      const text = keyedBodyText(event)!;
      expect(text).toBe(stableStringify(body)); // members sorted, exact numbers as their digits
      const parsed = parseJsonText(text);
      const reference = parseJsonText(toJsonText(body));
      expect(parsed.ok && reference.ok && stableStringify(parsed.value) === stableStringify(reference.value)).toBe(true);
      expect(keyedBodyText({ ...event })).toBeUndefined();
    }
    const notKeeping = new KeyDeriver(1000);
    const event: CanonicalEvent = { event: 'y', timestamp: '2021-01-01T00:00:00Z', objects: [{ type: 'T', id: '2' }] };
    event.idempotency_key = notKeeping.keyFor(event);
    expect(keyedBodyText(event)).toBeUndefined();
  });
});
