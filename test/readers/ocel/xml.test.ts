// OCEL XML (2.0 and 1.0) through the real pipeline: the corpus against counts taken from the
// file's text and against the same logs' JSON; one log in JSON, XML and SQLite gives identical
// canonical events and keys; both section orders; broken XML.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instantOf } from '../../../src/events/timestamp.js';
import { corpus, hasCorpus, runCli, withTempDir } from '../../helpers.js';
import { eventsOf, itemsOf } from './helpers.js';
import { SAMPLE_LOG, toXml, writeSqlite, type Log20 } from './writers.js';

const ocel = (name: string) => corpus(`ocel/${name}`);
const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe.skipIf(!hasCorpus)('OCEL XML corpus (skipped: ../shared/corpus is not present)', () => {
  it('reads every .xmlocel with as many events and relationships as its text holds', async () => {
    const files = (await readdir(corpus('ocel'))).filter((name) => name.endsWith('.xmlocel'));
    expect(files).toHaveLength(4);
    for (const name of files) {
      const text = await readFile(ocel(name), 'utf8');
      const eventsText = text.slice(text.indexOf('<events>'), text.indexOf('</events>'));
      const events = await eventsOf(ocel(name), { timezone: 'Europe/Berlin' });
      expect(events.length, name).toBe(count(eventsText, /<event[\s>]/g));
      // 2.0: one <relationship> per link; 1.0: one object-id entry per link.
      expect(events.flatMap((event) => event.objects).length, name).toBe(count(eventsText, /<relationship |key="object-id"/g));
    }
  });

  it('pm4py_ocel20_example: the XML (naive CET times) is the JSON log: same events, qualifiers, instants and keys', async () => {
    const fromJson = await eventsOf(ocel('pm4py_ocel20_example.jsonocel'));
    const fromXml = await eventsOf(ocel('pm4py_ocel20_example.xmlocel'), { timezone: 'Europe/Berlin' });
    expect(fromXml.map(({ timestamp, ...rest }) => rest)).toEqual(fromJson.map(({ timestamp, ...rest }) => rest));
    expect(fromXml.map((event) => instantOf(event.timestamp))).toEqual(fromJson.map((event) => instantOf(event.timestamp)));
    expect(fromXml[0]!.timestamp).toBe('2022-01-09T15:00:00+01:00');
    expect(fromXml[0]!.objects).toMatchObject([{ id: 'PR1', type: 'Purchase Requisition', qualifier: 'Regular placement of PR' }]);
  });

  it('OCEL 1.0: each XML gives the events, times and objects of its JSON twin, nested values included', async () => {
    for (const base of ['pm4net_minimal', 'pm4net_minimal_nested', 'pm4py_example_log']) {
      const options = { timezone: 'UTC' };
      const fromJson = await eventsOf(ocel(`${base}.jsonocel`), options);
      const fromXml = await eventsOf(ocel(`${base}.xmlocel`), options);
      const outline = (events: typeof fromJson) => events.map((event) => [event.event, event.timestamp, event.objects.map((object) => [object.type, object.id])]);
      expect(outline(fromXml), base).toEqual(outline(fromJson));
    }
    const [nested] = await eventsOf(ocel('pm4net_minimal_nested.xmlocel'));
    expect(nested!.properties).toEqual({
      resource: 'Alessandro',
      'prepaid-amount': 200,
      'nested-list': [true, false],
      'nested-map': { resource: 'Nested Allesandro', 'prepaid-amount': 300, 'double-nested-list': [500] },
    });
  });

  it('pm4py_ocel20_example as JSON, XML and SQLite written from it: identical canonical events and keys', async () => {
    await withTempDir(async (dir) => {
      const log = JSON.parse(await readFile(ocel('pm4py_ocel20_example.jsonocel'), 'utf8')) as Log20;
      await writeFile(join(dir, 'p2p.xmlocel'), toXml(log));
      writeSqlite(log, join(dir, 'p2p.sqlite'));
      const fromJson = await eventsOf(ocel('pm4py_ocel20_example.jsonocel'));
      expect(await eventsOf(join(dir, 'p2p.xmlocel'))).toEqual(fromJson);
      expect(await eventsOf(join(dir, 'p2p.sqlite'))).toEqual(fromJson);
    });
  });
});

describe('OCEL 2.0 XML', () => {
  it('one log in JSON, XML (.xmlocel and .xml) and SQLite: identical canonical events and keys', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'log.jsonocel'), JSON.stringify(SAMPLE_LOG));
      await writeFile(join(dir, 'log.xmlocel'), toXml(SAMPLE_LOG));
      await writeFile(join(dir, 'log.xml'), toXml(SAMPLE_LOG));
      writeSqlite(SAMPLE_LOG, join(dir, 'log.sqlite'));
      const fromJson = await eventsOf(join(dir, 'log.jsonocel'));
      expect(fromJson[0]!.properties).toEqual({ amount: 5, urgent: true, due: '2024-02-01T00:00:00Z' });
      expect(await eventsOf(join(dir, 'log.xmlocel'))).toEqual(fromJson);
      expect(await eventsOf(join(dir, 'log.xml'))).toEqual(fromJson);
      expect(await eventsOf(join(dir, 'log.sqlite'))).toEqual(fromJson);
    });
  });

  it('reads events that come before the objects (two passes), and reports malformed XML with line and column after the events before it', async () => {
    await withTempDir(async (dir) => {
      const xml = toXml(SAMPLE_LOG);
      const head = xml.slice(0, xml.indexOf('  <objects>'));
      const objects = xml.slice(xml.indexOf('  <objects>'), xml.indexOf('  <events>'));
      const events = xml.slice(xml.indexOf('  <events>'), xml.indexOf('</log>'));
      await writeFile(join(dir, 'late.xmlocel'), `${head}${events}${objects}</log>\n`);
      await writeFile(join(dir, 'log.jsonocel'), JSON.stringify(SAMPLE_LOG));
      expect(await eventsOf(join(dir, 'late.xmlocel'))).toEqual(await eventsOf(join(dir, 'log.jsonocel')));

      const at = xml.indexOf('<event id="e2"');
      const broken = `${xml.slice(0, at)}<event id="e2" <<${xml.slice(at + 14)}`;
      await writeFile(join(dir, 'broken.xmlocel'), broken);
      const items = await itemsOf(join(dir, 'broken.xmlocel'));
      expect(items.map((item) => (item.kind === 'rejected' ? item.issues[0]!.code : item.kind))).toEqual(['event', 'EL_OCEL_SYNTAX']);
      const line = broken.slice(0, at).split('\n').length;
      expect(items[1]).toMatchObject({ position: { line } });
      const second = items[1]!;
      expect(second.kind === 'rejected' && second.issues[0]!.message).toMatch(new RegExp(`^not well-formed XML at line ${line}, column \\d+: `));
      const run = await runCli(['validate', join(dir, 'broken.xmlocel')]);
      expect(run.stdout + run.stderr).toContain('EL_OCEL_SYNTAX');
    });
  });
});
