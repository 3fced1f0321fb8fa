// Every run gathers its report data from its own events and the journal keeps it with the run:
// the figures agree with the --json summary, rejects keep their first examples with file and line,
// and the directly-follows graph of a multi-object import is what was sent.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import type { RunData } from '../../src/report/run-data.js';
import { fixturePath, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { orderEvents } from './helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();
const opened: Journal[] = [];
afterEach(() => opened.splice(0).forEach((journal) => journal.close()));

function stored(path: string, which: number | 'last'): RunData {
  const journal = Journal.openReadOnly(path);
  opened.push(journal);
  const found = journal.runReport(which);
  if (!('data' in found)) throw new Error(`no report for run ${which}`);
  return JSON.parse(found.data) as RunData;
}

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

describe('run data', () => {
  it('is stored with the run, its figures those of --json, its rejects grouped with file:line', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const run = await importInto(sandbox, dir, [fixturePath('orders-mistakes.csv'), '-m', fixturePath('orders.mapping.json'), '--journal', join(dir, 'j.db')]);
    expect(run.code).toBe(1);
    const summary = run.summary;
    expect(summary.runId).toBeTypeOf('number');
    const data = stored(join(dir, 'j.db'), summary.runId!);
    expect(data.runId).toBe(summary.runId);
    const { elapsedSeconds: _a, peakRssMb: _b, ...figures } = summary;
    expect(data.summary).toMatchObject(figures);
    expect(data.rejects.reduce((total, group) => total + group.count, 0)).toBe(summary.rejectedLocal + summary.rejectedServer);
    expect(data.rejects.map((group) => [group.code, group.count])).toEqual(summary.rejectedByReason.map((group) => [group.code, group.count]));
    for (const group of data.rejects) {
      expect(group.examples.length).toBe(Math.min(group.count, 5));
      for (const example of group.examples) {
        expect(example.file).toMatch(/orders-mistakes\.csv$/);
        expect(example.line).toBeGreaterThan(1);
      }
    }
    expect(sum(data.timeline.series.read)).toBe(summary.read);
    expect(sum(data.timeline.series.accepted)).toBe(summary.accepted);
    expect(sum(data.timeline.series.rejected)).toBe(summary.rejectedLocal + summary.rejectedServer);
    expect(sum(data.timeline.series.requests)).toBeGreaterThan(0);
    expect(sum(Object.values(data.arrivals.byEvent.series).flat())).toBe(summary.accepted + summary.duplicates);
    expect(stored(join(dir, 'j.db'), 'last').runId).toBe(summary.runId);
  });

  it('draws the directly-follows graph of a multi-object import per object type', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const file = await writeNdjson(join(dir, 'orders.ndjson'), orderEvents(50));
    const run = await importInto(sandbox, dir, [file, '--journal', join(dir, 'j.db')]);
    expect(run.code).toBe(0);
    const data = stored(join(dir, 'j.db'), 'last');
    const order = data.dfg.types.find((t) => t.type === 'Order')!;
    const item = data.dfg.types.find((t) => t.type === 'Item')!;
    expect(order.objects).toBe(50);
    expect(order.edges).toEqual([{ from: 'Order placed', to: 'Order shipped', count: 50 }]);
    expect(item.objects).toBe(100);
    expect(item.edges).toEqual([{ from: 'Order placed', to: 'Item picked', count: 100 }, { from: 'Item picked', to: 'Order shipped', count: 100 }]);
    expect(item.starts).toEqual([{ event: 'Order placed', count: 100 }]);
    expect(item.ends).toEqual([{ event: 'Order shipped', count: 100 }]);
    expect(data.dfg.forgotten).toBe(0);
    expect(sum(data.arrivals.byObjectType.series.Item)).toBe(200); // placed and shipped hold items, once per event
    expect(sum(data.arrivals.byEvent.series['Item picked'])).toBe(100);
  });

  it('has no run id without a journal: nothing keeps the data for later', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const run = await importInto(sandbox, dir, [fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--no-journal']);
    expect(run.code).toBe(0);
    expect(run.summary.runId).toBeUndefined();
  });
});
