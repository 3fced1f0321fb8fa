// OCEL JSON (2.0 and 1.0) through the real pipeline: the corpus checked against counts taken with
// JSON.parse, the conversion rules (object values at the event's time, object-to-object
// relationships, typed attributes), the keys, both section orders, and broken input.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpus, hasCorpus, runCli, withTempDir } from '../../helpers.js';
import { eventsOf, expectedFromJson, itemsOf } from './helpers.js';

const ocel = (name: string) => corpus(`ocel/${name}`);

describe.skipIf(!hasCorpus)('OCEL JSON corpus (skipped: ../shared/corpus is not present)', () => {
  it('reads every .jsonocel with the events, objects, qualifiers and times the file holds', async () => {
    const files = (await readdir(corpus('ocel'))).filter((name) => name.endsWith('.jsonocel'));
    expect(files).toHaveLength(5);
    for (const name of files) {
      const { events: expected, objects } = await expectedFromJson(ocel(name));
      // pm4py's example_log writes its times without a zone.
      const timezone = name === 'pm4py_example_log.jsonocel' ? 'UTC' : undefined;
      const events = await eventsOf(ocel(name), { timezone });
      expect(events.length, name).toBe(expected.length);
      expect(events.flatMap((event) => event.objects).length, name).toBe(expected.flatMap((event) => event.relationships).length);
      events.forEach((event, i) => {
        const want = expected[i]!;
        expect(event.event).toBe(want.type);
        expect(event.timestamp).toBe(timezone ? `${want.time}+00:00` : want.time);
        expect(event.objects.map((object) => [object.id, object.qualifier])).toEqual(want.relationships);
        for (const object of event.objects) expect(object.type).toBe(objects.get(object.id));
      });
      expect(new Set(events.map((event) => event.idempotency_key)).size, name).toBe(events.length);
      expect((await eventsOf(ocel(name), { timezone })).map((event) => event.idempotency_key)).toEqual(events.map((event) => event.idempotency_key));
    }
  });

  it('gives each object the attribute values valid at the event, and its object-to-object relationships', async () => {
    const events = await eventsOf(ocel('pm4py_ocel20_example.jsonocel'));
    const quantities = events.flatMap((event) => event.objects.filter((object) => object.id === 'PO1').map((object) => [event.event, object.properties?.po_quantity]));
    expect(quantities).toEqual([
      ['Create Purchase Order', '500'],
      ['Change PO Quantity', '600'],
      ['Insert Invoice', '600'],
      ['Insert Invoice', '600'],
    ]);
    const po = events[2]!.objects.find((object) => object.id === 'PO1')!;
    expect(po.properties?.['ocel:relationships']).toEqual([
      { id: 'R1', type: 'Invoice', qualifier: 'Invoice from PO' },
      { id: 'R2', type: 'Invoice', qualifier: 'Invoice from PO' },
    ]);
    expect(events[0]!.properties).toEqual({ pr_creator: 'Mike' });
  });

  it('reads a log whose events come before its objects (pm4py newocel), in two passes', async () => {
    const events = await eventsOf(ocel('pm4py_newocel.jsonocel'));
    expect(events).toHaveLength(20);
    expect(events[0]!.objects.map((object) => object.type)).toEqual(['order', 'item', 'item', 'item']);
  });

  it('validates every .jsonocel from the command line', async () => {
    for (const name of (await readdir(corpus('ocel'))).filter((file) => file.endsWith('.jsonocel'))) {
      const run = await runCli(['validate', ocel(name), '--timezone', 'UTC']);
      expect(run.code, `${name}: ${run.stdout}${run.stderr}`).toBe(0);
    }
  });
});

const log = (events: unknown[], objects: unknown[] = OBJECTS, order: 'objects-first' | 'events-first' = 'objects-first') => {
  const sections: Record<string, unknown> = {
    objectTypes: [{ name: 'Order', attributes: [{ name: 'status', type: 'string' }, { name: 'total', type: 'float' }] }, { name: 'Item', attributes: [] }],
    eventTypes: [{ name: 'Pay', attributes: [{ name: 'amount', type: 'integer' }, { name: 'urgent', type: 'boolean' }, { name: 'weird', type: 'decimal128' }] }],
    objects,
    events,
  };
  const keys = order === 'objects-first' ? ['objectTypes', 'eventTypes', 'objects', 'events'] : ['events', 'objects', 'eventTypes', 'objectTypes'];
  return JSON.stringify(Object.fromEntries(keys.map((key) => [key, sections[key]])), null, 2);
};

const OBJECTS = [
  {
    id: 'o1',
    type: 'Order',
    attributes: [
      { name: 'status', time: '1970-01-01T00:00:00Z', value: 'new' },
      { name: 'status', time: '2024-01-02T00:00:00Z', value: 'paid' },
      { name: 'total', time: '1970-01-01T00:00:00Z', value: '12.5' },
    ],
    relationships: [{ objectId: 'i1', qualifier: 'contains' }],
  },
  { id: 'i1', type: 'Item' },
];

const pay = (id: string, time: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'Pay',
  time,
  attributes: [
    { name: 'amount', value: '5' },
    { name: 'urgent', value: 'true' },
  ],
  relationships: [
    { objectId: 'o1', qualifier: 'paid order' },
    { objectId: 'i1', qualifier: 'item' },
  ],
  ...extra,
});

describe('OCEL 2.0 JSON conversion', () => {
  it('maps types, times, qualifiers, typed attributes and values at the event time; both section orders give the same events', async () => {
    await withTempDir(async (dir) => {
      const events = [pay('e1', '2024-01-01T10:00:00+01:00'), pay('e2', '2024-01-02T10:00:00Z')];
      await writeFile(join(dir, 'first.jsonocel'), log(events));
      await writeFile(join(dir, 'last.json'), log(events, OBJECTS, 'events-first'));
      const read = await eventsOf(join(dir, 'first.jsonocel'));
      expect(read[0]).toEqual({
        event: 'Pay',
        timestamp: '2024-01-01T10:00:00+01:00',
        objects: [
          { type: 'Order', id: 'o1', qualifier: 'paid order', properties: { status: 'new', total: 12.5, 'ocel:relationships': [{ id: 'i1', type: 'Item', qualifier: 'contains' }] } },
          { type: 'Item', id: 'i1', qualifier: 'item' },
        ],
        properties: { amount: 5, urgent: true },
        idempotency_key: read[0]!.idempotency_key,
      });
      expect(read[1]!.objects[0]!.properties?.status).toBe('paid');
      expect(await eventsOf(join(dir, 'last.json'))).toEqual(read);
    });
  });

  it('rejects an event that names an undeclared object, and keeps an unknown attribute type as a string with a note', async () => {
    await withTempDir(async (dir) => {
      const ghost = pay('e2', '2024-01-02T10:00:00Z', { relationships: [{ objectId: 'ghost', qualifier: 'x' }] });
      const odd = pay('e3', '2024-01-03T10:00:00Z', { attributes: [{ name: 'weird', value: 12 }] });
      const bad = pay('e4', '2024-01-04T10:00:00Z', { attributes: [{ name: 'amount', value: 'five' }] });
      await writeFile(join(dir, 'log.jsonocel'), log([pay('e1', '2024-01-01T10:00:00Z'), ghost, odd, bad]));
      const items = await itemsOf(join(dir, 'log.jsonocel'));
      expect(items.map((item) => item.kind)).toEqual(['event', 'rejected', 'event', 'rejected']);
      expect(items[1]).toMatchObject({ stage: 'read', issues: [{ code: 'EL_OCEL_UNKNOWN_OBJECT', path: 'relationships[0].objectId' }] });
      expect(items[3]).toMatchObject({ issues: [{ code: 'EL_OCEL_VALUE_TYPE', path: 'attributes.amount' }] });
      const third = items[2]!;
      const kept = third.kind === 'event' ? third.event : undefined;
      expect(kept?.properties).toEqual({ weird: '12', 'ocel:notes': ['attribute "weird": type "decimal128" is not an OCEL type; kept as a string'] });
    });
  });

  it('keeps an attribute named "__proto__", of an event or an object, as a property like any other', async () => {
    await withTempDir(async (dir) => {
      const objects = [{ ...OBJECTS[0], attributes: [{ name: '__proto__', time: '1970-01-01T00:00:00Z', value: 'o-proto' }] }, OBJECTS[1]];
      await writeFile(join(dir, 'log.jsonocel'), log([pay('e1', '2024-01-01T10:00:00Z', { attributes: [{ name: '__proto__', value: 'e-proto' }] })], objects));
      const [event] = await eventsOf(join(dir, 'log.jsonocel'));
      expect(JSON.stringify(event!.properties)).toBe('{"__proto__":"e-proto"}');
      expect(JSON.stringify(event!.objects[0]!.properties)).toBe('{"__proto__":"o-proto","ocel:relationships":[{"id":"i1","type":"Item","qualifier":"contains"}]}');
    });
  });

  it('an object property holding a NUL character rejects every event that names the object while it holds, not only the first', async () => {
    await withTempDir(async (dir) => {
      const objects = [
        { ...OBJECTS[0], attributes: [{ name: 'status', time: '1970-01-01T00:00:00Z', value: 'n\u0000ew' }, { name: 'status', time: '2024-01-02T00:00:00Z', value: 'paid' }] },
        OBJECTS[1],
      ];
      await writeFile(join(dir, 'log.jsonocel'), log([pay('e1', '2024-01-01T09:00:00Z'), pay('e2', '2024-01-01T10:00:00Z'), pay('e3', '2024-01-02T10:00:00Z'), pay('e4', '2024-01-03T10:00:00Z')], objects));
      const items = await itemsOf(join(dir, 'log.jsonocel'));
      expect(items.map((item) => item.kind)).toEqual(['rejected', 'rejected', 'event', 'event']);
      for (const item of items.slice(0, 2)) expect(item).toMatchObject({ stage: 'validate', issues: [{ path: 'objects[0].properties.status', code: 'EL_NUL_CHARACTER' }] });
    });
  });

  it('keys: the same on every read, different for two logs that share event ids, the same for logs given one logId', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'a.jsonocel'), log([pay('e1', '2024-01-01T10:00:00Z')]));
      await writeFile(join(dir, 'b.jsonocel'), log([pay('e1', '2024-01-01T10:00:00Z')], [...OBJECTS, { id: 'o2', type: 'Order' }]));
      const [a] = await eventsOf(join(dir, 'a.jsonocel'));
      const [again] = await eventsOf(join(dir, 'a.jsonocel'));
      const [b] = await eventsOf(join(dir, 'b.jsonocel'));
      expect(a!.idempotency_key).toMatch(/^elo_[0-9a-f]{32}$/);
      expect(again!.idempotency_key).toBe(a!.idempotency_key);
      expect(b!.idempotency_key).not.toBe(a!.idempotency_key);
      const named = { readerOptions: { logId: 'shop-2024' } };
      expect((await eventsOf(join(dir, 'a.jsonocel'), named))[0]!.idempotency_key).toBe((await eventsOf(join(dir, 'b.jsonocel'), named))[0]!.idempotency_key);
    });
  });

  it('malformed JSON: the events before it are read, then one EL_OCEL_SYNTAX with line and column', async () => {
    await withTempDir(async (dir) => {
      const text = log([pay('e1', '2024-01-01T10:00:00Z'), pay('e2', '2024-01-02T10:00:00Z')]);
      const cut = text.indexOf('"e2"');
      const broken = `${text.slice(0, cut)}e2"${text.slice(cut + 4)}`;
      const lines = broken.slice(0, cut).split('\n');
      await writeFile(join(dir, 'broken.jsonocel'), broken);
      const items = await itemsOf(join(dir, 'broken.jsonocel'));
      expect(items.map((item) => item.kind)).toEqual(['event', 'rejected']);
      expect(items[1]).toMatchObject({ position: { line: lines.length }, issues: [{ code: 'EL_OCEL_SYNTAX' }] });
      const second = items[1]!;
      const message = second.kind === 'rejected' ? second.issues[0]!.message : '';
      expect(message).toContain(`at line ${lines.length}, column ${lines.at(-1)!.length + 1}`);
      // Events first: found again in the second pass, after the events before it.
      const late = log([pay('e1', '2024-01-01T10:00:00Z')], OBJECTS, 'events-first');
      await writeFile(join(dir, 'late.jsonocel'), `${late.slice(0, -2)},,}`);
      const lateItems = await itemsOf(join(dir, 'late.jsonocel'));
      expect(lateItems.map((item) => (item.kind === 'rejected' ? item.issues[0]!.code : item.kind))).toEqual(['event', 'EL_OCEL_SYNTAX']);
    });
  });

  it('reads standard input and gzip (spooled for the second pass), and a .json by its content', async () => {
    await withTempDir(async (dir) => {
      const text = log([pay('e1', '2024-01-01T10:00:00Z')], OBJECTS, 'events-first');
      await writeFile(join(dir, 'log.jsonocel.gz'), gzipSync(text));
      const fromFile = await eventsOf(join(dir, 'log.jsonocel.gz'));
      expect(fromFile).toHaveLength(1);
      const stdin = await runCli(['validate', '-', '--json'], { input: text });
      expect(stdin.code, stdin.stderr).toBe(0);
      expect(JSON.parse(stdin.stdout)).toMatchObject({ read: 1, valid: 1 });
    });
  });
});
