// A mapping file laid over a format's default mapping (XES, BPMN, canonical NDJSON): every field it
// gives is used, field by field, and nothing it gives is ignored.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../../src/mapping/load.js';
import { readEvents, type PipelineItem } from '../../src/pipeline/read-events.js';
import { fixture, withTempDir } from '../helpers.js';

const XES = `<log xes.version="2.0">
  <trace>
    <string key="concept:name" value="PO-7"/>
    <event>
      <string key="concept:name" value="approve"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/>
      <string key="org:resource" value="Sara"/>
      <string key="org:group" value="Purchasing"/>
      <int key="amount" value="120"/>
    </event>
    <event>
      <date key="time:timestamp" value="2024-01-02T11:00:00.000+01:00"/>
    </event>
  </trace>
</log>
`;

async function collect(file: string, mapping: object): Promise<PipelineItem[]> {
  const items: PipelineItem[] = [];
  for await (const item of readEvents({ files: [file], mapping: parseMapping(mapping, 'm.json') })) items.push(item);
  return items;
}

describe('a mapping file laid over a default mapping', () => {
  it('XES: replaces the name and actor, replaces the case object by its qualifier, adds an object and properties', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'po.xes');
      await writeFile(file, XES);
      const items = await collect(file, {
        event: { template: '{event.concept:name} by {event.org:group}' },
        actor: { id: { const: 'erp-import' } },
        objects: [
          { type: { const: 'PurchaseOrder' }, id: 'trace.concept:name', qualifier: { const: 'case' } },
          { type: { const: 'Group' }, id: 'event.org:group', qualifier: { const: 'group' } },
        ],
        properties: { amount_eur: { column: 'event.amount', as: 'number' } },
      });
      const first = items[0]!;
      expect(first.kind).toBe('event');
      if (first.kind !== 'event') return;
      expect(first.event.event).toBe('approve by Purchasing');
      expect(first.event.actor).toEqual({ id: 'erp-import' });
      expect(first.event.timestamp).toBe('2024-01-02T10:00:00.000+01:00');
      expect(first.event.objects).toEqual([
        { type: 'PurchaseOrder', id: 'PO-7', qualifier: 'case' },
        { type: 'Resource', id: 'Sara', qualifier: 'resource' },
        { type: 'Group', id: 'Purchasing', qualifier: 'group' },
      ]);
      expect(first.event.properties).toEqual({ 'org:group': 'Purchasing', amount: 120, amount_eur: 120 });
      expect(first.event.idempotency_key).toMatch(/^elx_/);
      // The second event has no name: the file's template cannot make one either, so it is still rejected.
      expect(items[1]).toMatchObject({ kind: 'rejected', stage: 'map' });
    });
  });

  it('XES: a field the default cannot make (no concept:name) is supplied by the file', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'po.xes');
      await writeFile(file, XES);
      const items = await collect(file, { event: { template: 'step {event_index}' } });
      expect(items.map((item) => (item.kind === 'event' ? item.event.event : item.kind))).toEqual(['step 1', 'step 2']);
    });
  });

  it('BPMN: the event name and the timestamp of the file win over the default', async () => {
    const items = await collect(fixture('bpmn/hiring.ndjson'), { event: { template: '{type}' }, timestamp: 'timestamp' });
    const first = items.find((item) => item.kind === 'event');
    expect(first?.kind === 'event' && first.event.event).toMatch(/^bpmnx:/);
    expect(first?.kind === 'event' && first.event.objects.some((object) => object.qualifier === 'case')).toBe(true);
  });

  it('canonical NDJSON: objects of the file are added to each event', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'events.ndjson');
      await writeFile(file, `${JSON.stringify({ event: 'paid', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'Order', id: 'o1' }], properties: { region: 'EU' } })}\n`);
      const items = await collect(file, { objects: [{ type: { const: 'Region' }, id: 'properties.region', qualifier: { const: 'region' } }] });
      expect(items[0]?.kind === 'event' && items[0].event.objects).toEqual([
        { type: 'Order', id: 'o1' },
        { type: 'Region', id: 'EU', qualifier: 'region' },
      ]);
    });
  });
});
