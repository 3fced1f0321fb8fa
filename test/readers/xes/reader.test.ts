// The XES reader and its default mapping, through the real pipeline: typed and nested attributes,
// global defaults, trace attributes written after the events, notes for values kept as strings,
// positions, keys, the reader's options, sniffing, gzip and a document that breaks part way.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readEvents, type PipelineItem } from '../../../src/pipeline/read-events.js';
import { parseMapping } from '../../../src/mapping/load.js';
import { xesEventKey } from '../../../src/events/keys.js';
import { looksLikeXes } from '../../../src/readers/xes/reader.js';
import { runCli, withTempDir } from '../../helpers.js';

const LOG = `<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="region" value="unknown"/>
  </global>
  <global scope="event">
    <string key="lifecycle:transition" value="complete"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <trace>
    <string key="concept:name" value="order-1"/>
    <event>
      <string key="concept:name" value="register"/>
      <string key="lifecycle:transition" value="start"/>
      <date key="time:timestamp" value="2024-03-04T09:15:02.117+01:00"/>
      <string key="org:resource" value="Pete"/>
      <int key="items" value="3"/>
      <int key="big" value="123456789012345678901"/>
      <float key="amount" value="12.50"/>
      <boolean key="rush" value="true"/>
      <id key="ref" value="7f3c"/>
      <long key="legacy" value="42"/>
      <list key="tags">
        <string key="tag" value="a"/>
        <string key="tag" value="b"/>
      </list>
      <container key="address">
        <string key="city" value="Eindhoven"/>
        <int key="number" value="2"><string key="unit" value="house"/></int>
      </container>
    </event>
    <event>
      <string key="concept:name" value="register"/>
      <date key="time:timestamp" value="2024-03-04T09:20:00.000+01:00"/>
    </event>
    <float key="total" value="99.5"/>
  </trace>
  <trace>
    <event>
      <string key="concept:name" value="decide"/>
      <date key="time:timestamp" value="2024-03-05T10:00:00"/>
    </event>
  </trace>
</log>
`;

async function collect(file: string, extra: { timezone?: string; mapping?: object; format?: string } = {}): Promise<PipelineItem[]> {
  const items: PipelineItem[] = [];
  const mapping = extra.mapping ? parseMapping(extra.mapping, 'm.json') : undefined;
  for await (const item of readEvents({ files: [file], timezone: extra.timezone, mapping, format: extra.format })) items.push(item);
  return items;
}

const events = (items: PipelineItem[]) => items.flatMap((item) => (item.kind === 'event' ? [item] : []));

describe('xes reader', () => {
  it('maps every event with its typed attributes, its case and its resource', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'orders.xes');
      await writeFile(file, LOG);
      const items = await collect(file, { timezone: 'Europe/Amsterdam' });
      expect(items.map((item) => item.kind)).toEqual(['event', 'event', 'event']);
      const [first, second, third] = events(items);
      expect(first!.position).toEqual({ file, line: 14 });
      expect(second!.position.line).toBe(34);
      expect(first!.event).toEqual({
        event: 'register',
        timestamp: '2024-03-04T09:15:02.117+01:00',
        objects: [
          { type: 'Case', id: 'order-1', qualifier: 'case', properties: { total: 99.5, region: 'unknown' } },
          { type: 'Resource', id: 'Pete', qualifier: 'resource' },
        ],
        actor: { id: 'Pete' },
        properties: {
          'lifecycle:transition': 'start',
          items: 3,
          big: '123456789012345678901',
          amount: 12.5,
          rush: true,
          ref: '7f3c',
          legacy: '42',
          tags: [{ tag: 'a' }, { tag: 'b' }],
          address: { city: 'Eindhoven', number: { value: 2, attributes: { unit: 'house' } } },
          'xes:notes': ['attribute "legacy" has type "long", which XES does not define; kept as the string "42"'],
        },
        idempotency_key: xesEventKey('order-1', 1, 'register', '2024-03-04T09:15:02.117+01:00'),
      });
      // The event global gives the transition; its placeholder time is never used as a time.
      expect(second!.event.properties).toEqual({ 'lifecycle:transition': 'complete' });
      expect(second!.event.idempotency_key).toBe(xesEventKey('order-1', 2, 'register', '2024-03-04T09:20:00.000+01:00'));
      // A trace without concept:name is named by its place in the log; a zone-less time takes --timezone.
      expect(third!.event.objects[0]).toEqual({ type: 'Case', id: 'trace 2', qualifier: 'case', properties: { region: 'unknown' } });
      expect(third!.event.timestamp).toBe('2024-03-05T10:00:00+01:00');
    });
  });

  it('gives each event the globals declared before it closes: a later block adds keys and replaces values, an event\'s own value wins', async () => {
    const event = (name: string, extra = '') => `<event><string key="concept:name" value="${name}"/><date key="time:timestamp" value="2024-03-04T09:00:00Z"/>${extra}</event>`;
    const log = `<log xes.version="1849-2016">
  <global scope="event"><string key="channel" value="web"/><string key="lifecycle:transition" value="complete"/></global>
  <trace><string key="concept:name" value="a"/>${event('first')}</trace>
  <global scope="event"><string key="channel" value="phone"/><int key="priority" value="1"/></global>
  <global scope="trace"><string key="region" value="north"/></global>
  <trace><string key="concept:name" value="b"/>${event('second')}${event('third', '<int key="priority" value="5"/>')}</trace>
</log>
`;
    await withTempDir(async (dir) => {
      const file = join(dir, 'globals.xes');
      await writeFile(file, log);
      const [first, second, third] = events(await collect(file));
      expect(first!.event.properties).toEqual({ channel: 'web', 'lifecycle:transition': 'complete' });
      expect(first!.event.objects[0]!.properties).toBeUndefined();
      // Replaced values keep their place; new keys come after, in the order they were declared.
      expect(Object.entries(second!.event.properties!)).toEqual([['channel', 'phone'], ['lifecycle:transition', 'complete'], ['priority', 1]]);
      expect(Object.entries(third!.event.properties!)).toEqual([['priority', 5], ['channel', 'phone'], ['lifecycle:transition', 'complete']]);
      expect(third!.event.objects[0]).toEqual({ type: 'Case', id: 'b', qualifier: 'case', properties: { region: 'north' } });
      // The event's members keep their order (the JSON written for it, and bodies, depend on it).
      expect(Object.keys(third!.event)).toEqual(['event', 'timestamp', 'objects', 'properties', 'idempotency_key']);
    });
  });

  it('rejects a zone-less time without --timezone, and an event without its own time', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'orders.xes');
      await writeFile(file, LOG.replace('<date key="time:timestamp" value="2024-03-04T09:20:00.000+01:00"/>', ''));
      const items = await collect(file);
      expect(items.map((item) => (item.kind === 'rejected' ? item.issues[0]!.code : item.kind))).toEqual(['event', 'EL_TIMESTAMP_MISSING', 'EL_TIMESTAMP_NO_ZONE']);
    });
  });

  it('names events with their lifecycle transition and types cases as the options say', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'orders.xes');
      await writeFile(file, LOG);
      const items = await collect(file, { timezone: 'UTC', mapping: { reader: { lifecycleInName: true, caseType: 'Order', resourceType: 'Employee' } } });
      expect(events(items).map((item) => item.event.event)).toEqual(['register+start', 'register+complete', 'decide+complete']);
      expect(events(items)[0]!.event.objects.map((object) => object.type)).toEqual(['Order', 'Employee']);
    });
  });

  it('gives the same keys on every import, and different keys to another log with the same case ids', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'a.xes');
      await writeFile(file, LOG);
      const other = join(dir, 'b.xes');
      await writeFile(other, LOG.replaceAll('register', 'ship'));
      const keys = async (path: string) => events(await collect(path, { timezone: 'UTC' })).map((item) => item.event.idempotency_key);
      const first = await keys(file);
      expect(await keys(file)).toEqual(first);
      expect(new Set(first).size).toBe(3);
      // Only the third event is the same in both (same case id, place, name and time): it keeps its key.
      const second = await keys(other);
      expect(second.slice(0, 2).filter((key) => first.includes(key))).toEqual([]);
      expect(second[2]).toBe(first[2]);
    });
  });

  it('recognises XES by its content, not OCEL XML', () => {
    expect(looksLikeXes('<?xml version="1.0"?>\n<log>\n  <trace>')).toBe(true);
    expect(looksLikeXes('<log xes.version="2.0">')).toBe(true);
    expect(looksLikeXes('<?xml version="1.0"?>\n<log>\n  <object-types>')).toBe(false);
    expect(looksLikeXes('<log>\n  <global scope="event"><string key="ocel:activity" value="__INVALID__"/>')).toBe(false);
    expect(looksLikeXes('{"event": "x"}')).toBe(false);
  });

  it('reads a .xes.gz file and a file named otherwise, by its content', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'orders.xes.gz'), gzipSync(LOG));
      await writeFile(join(dir, 'orders.log'), LOG);
      for (const name of ['orders.xes.gz', 'orders.log']) {
        const result = await runCli(['validate', name, '--timezone', 'UTC'], { cwd: dir });
        expect(result.stdout + result.stderr).toBe('3 records read: 3 valid, 0 invalid\n');
      }
      const piped = await runCli(['validate', '-', '--timezone', 'UTC'], { cwd: dir, input: LOG });
      expect(piped.stdout).toBe('3 records read: 3 valid, 0 invalid\n');
    });
  });

  it('reports malformed XML once with its line and column, after the events before it', async () => {
    await withTempDir(async (dir) => {
      const broken = LOG.replace('<float key="total" value="99.5"/>', '<float key="total" value="99.5"/>\n  </event>');
      await writeFile(join(dir, 'broken.xes'), broken);
      const result = await runCli(['validate', 'broken.xes', '--timezone', 'UTC'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('broken.xes:39: EL_XML_MALFORMED: file: not well-formed XML at line 39, column 11: unexpected close tag; the rest of the file could not be read\n');
      expect(result.stdout).toMatch(/^3 records read: 2 valid, 1 invalid$/m);
    });
  });

  // The default mapping vouches that its events hold no NUL character (XML cannot carry one), so
  // the per-event scan is skipped for them: what could still bring one in must still be caught.
  it('never lets a NUL character through: the XML stops at one, and options and overlays are still checked', async () => {
    await withTempDir(async (dir) => {
      for (const [name, nul] of [['raw.xes', '\u0000'], ['ref.xes', '&#0;'], ['hex.xes', '&#x0;']] as const) {
        await writeFile(join(dir, name), LOG.replace('value="Pete"', `value="Pe${nul}te"`));
        const items = await collect(join(dir, name), { timezone: 'UTC' });
        expect(events(items)).toEqual([]);
        expect(items).toMatchObject([{ kind: 'rejected', position: { line: 18 }, issues: [{ code: 'EL_XML_MALFORMED' }] }]);
      }
      const file = join(dir, 'orders.xes');
      await writeFile(file, LOG);
      const option = await collect(file, { timezone: 'UTC', mapping: { reader: { caseType: 'Or\u0000der' } } });
      expect(option.map((item) => item.kind === 'rejected' && item.issues[0]!.code)).toEqual(['EL_NUL_CHARACTER', 'EL_NUL_CHARACTER', 'EL_NUL_CHARACTER']);
      expect(option[0]).toMatchObject({ issues: [{ path: 'objects[0].type' }] });
      const overlay = await collect(file, { timezone: 'UTC', mapping: { properties: { note: { const: 'a\u0000b' } } } });
      expect(overlay.map((item) => item.kind === 'rejected' && item.issues[0]!.path)).toEqual(['properties.note', 'properties.note', 'properties.note']);
    });
  });

  it('keeps an attribute keyed "__proto__" as a property like any other, never as a prototype', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'proto.xes');
      const event = (name: string, extra: string) => `<event><string key="concept:name" value="${name}"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/>${extra}</event>`;
      const proto = '<container key="__proto__"><string key="concept:name" value="inherited"/></container>';
      await writeFile(file, `<log xes.version="2.0"><trace><string key="concept:name" value="t"/>${event('a', proto)}${event('b', `<string key="__proto__" value="p"/>${proto}`)}<event>${proto}<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event></trace></log>`);
      const items = await collect(file);
      // Own members, so written out; the prototype of each properties object is untouched.
      expect(events(items).every((item) => Object.getPrototypeOf(item.event.properties) === Object.prototype)).toBe(true);
      expect(events(items).map((item) => JSON.stringify(item.event.properties))).toEqual(['{"__proto__":{"concept:name":"inherited"}}', '{"__proto__":["p",{"concept:name":"inherited"}]}']);
      // The third event has no concept:name of its own, and gets none from the container.
      expect(items[2]).toMatchObject({ kind: 'rejected', issues: [{ code: 'EL_FIELD_REQUIRED', path: 'event.concept:name' }] });
    });
  });

  it('rejects an event outside a trace with its own code', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'flat.xes'), '<log xes.version="2.0">\n<event><string key="concept:name" value="x"/></event>\n</log>\n');
      const result = await runCli(['validate', 'flat.xes'], { cwd: dir });
      expect(result.stdout).toContain('flat.xes:2: EL_XES_STRUCTURE: event: an <event> directly in the <log>');
    });
  });

  describe('a trace longer than the events the reader holds (holdEvents, 100 by default)', () => {
    /** One trace of `count` events, one line each, and trace attributes at the lines `late` says (after that many events). */
    const longTrace = (count: number, late: Record<number, string> = {}) => {
      const lines = ['<log xes.version="2.0">', '<trace>', '<string key="concept:name" value="machine-7"/>'];
      for (let i = 1; i <= count; i++) {
        lines.push(`<event><string key="concept:name" value="step ${i}"/><date key="time:timestamp" value="2024-03-01T10:00:00.${String(i).padStart(3, '0')}Z"/></event>`);
        if (late[i]) lines.push(late[i]!);
      }
      return [...lines, '</trace>', '</log>', ''].join('\n');
    };

    it('hands events on before the trace ends, every one with its case and its place in the trace', async () => {
      const { xesBatches } = await import('../../../src/readers/xes/batches.js');
      // The log's text up to its 250th event, and no further: a reader that held the trace whole would give nothing yet.
      const text = longTrace(1000);
      const head = text.slice(0, text.indexOf('step 251'));
      let restAsked = false;
      let before = 0;
      const chunks = async function* () {
        yield head;
        restAsked = true;
        yield text.slice(head.length);
      };
      for await (const batch of xesBatches(chunks(), 'long.xes', 100)) if (!restAsked) before += batch.length;
      expect(before).toBe(200);

      await withTempDir(async (dir) => {
        const file = join(dir, 'long.xes');
        await writeFile(file, text);
        const found = events(await collect(file));
        expect(found).toHaveLength(1000);
        expect(found.map((item) => item.event.event)).toEqual(Array.from({ length: 1000 }, (_, i) => `step ${i + 1}`));
        expect(new Set(found.map((item) => JSON.stringify(item.event.objects)))).toEqual(new Set([JSON.stringify([{ type: 'Case', id: 'machine-7', qualifier: 'case' }])]));
        expect(found.map((item) => item.event.idempotency_key)).toEqual(found.map((item, i) => xesEventKey('machine-7', i + 1, `step ${i + 1}`, item.event.timestamp)));
      });
    });

    it('rejects a trace attribute that comes after events already handed on, naming the holdEvents that takes it; one that comes in time reaches every event', async () => {
      await withTempDir(async (dir) => {
        const file = join(dir, 'late.xes');
        // After event 250 (handed on at 100 and 200), and after event 30 of the same trace (in time).
        await writeFile(file, longTrace(300, { 30: '<string key="plant" value="north"/>', 250: '<string key="shift" value="night"/>' }));
        const items = await collect(file);
        const rejected = items.filter((item) => item.kind === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(rejected[0]).toMatchObject({ position: { file, line: 255 }, issues: [{ path: 'trace.shift', code: 'EL_XES_LATE_TRACE_ATTRIBUTE' }] });
        expect(rejected[0]!.issues[0]!.message).toContain('comes after 200 of the trace\'s events');
        expect(rejected[0]!.issues[0]!.message).toContain('holdEvents, at 251 or more');
        const found = events(items);
        expect(found).toHaveLength(300);
        expect(found.map((item) => item.event.objects[0]!.properties)).toEqual(Array(300).fill({ plant: 'north' }));

        // Holding the whole trace (the option, in the mapping's reader section), both reach all 300.
        const held = await collect(file, { mapping: { reader: { holdEvents: 1000 } } });
        expect(held.filter((item) => item.kind === 'rejected')).toEqual([]);
        expect(events(held).map((item) => item.event.objects[0]!.properties)).toEqual(Array(300).fill({ plant: 'north', shift: 'night' }));

        // The CLI says so with the file, line and code, and counts the attribute as a rejected record.
        const result = await runCli(['validate', 'late.xes'], { cwd: dir });
        expect(result.code).toBe(1);
        expect(result.stdout).toContain('late.xes:255: EL_XES_LATE_TRACE_ATTRIBUTE: trace.shift: the trace attribute "shift" comes after 200');
        expect(result.stdout).toContain('301 records read: 300 valid, 1 invalid');
      });
    });
  });
});
