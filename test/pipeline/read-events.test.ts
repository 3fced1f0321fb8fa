// The pipeline's groups: readEvents hands out items one by one or in the groups the reader made,
// and both ways give the same items in the same order.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../../src/mapping/load.js';
import { batchesOf, readEvents, type PipelineItem } from '../../src/pipeline/read-events.js';
import { fixture, withTempDir } from '../helpers.js';

const mapping = parseMapping({ event: { template: 'Order {status}' }, timestamp: { column: 'at', timezone: 'Europe/Berlin' }, objects: [{ type: { const: 'Order' }, id: 'order' }] }, 'mapping.json');

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('readEvents in groups', () => {
  it('gives the same items in groups as one by one, across files and formats', async () => {
    await withTempDir(async (dir) => {
      const csv = join(dir, 'orders.csv');
      const rows = Array.from({ length: 2000 }, (_, i) => (i % 500 === 3 ? `O${i},,2024-01-01 10:00` : `O${i},placed,2024-01-01 10:00`));
      await writeFile(csv, `order,status,at\n${rows.join('\n')}\nbroken\n`);
      const options = { files: [csv], mapping };
      const single = await all(readEvents(options));
      const groups = await all(readEvents(options).batches());
      expect(groups.length).toBeGreaterThan(1);
      expect(groups.flat()).toEqual(single);
      expect(single).toHaveLength(2001);
      expect(single.filter((item) => item.kind === 'rejected').map((item) => `${item.position.line} ${(item as { stage: string }).stage}`)).toEqual(['5 map', '505 map', '1005 map', '1505 map', '2002 read']);
    });
    // A reader without groups of its own (NDJSON) gives one group per item.
    const ndjson = { files: [fixture('events.ndjson')] };
    const groups = await all(readEvents(ndjson).batches());
    expect(groups.every((group) => group.length === 1)).toBe(true);
    expect(groups.flat()).toEqual(await all(readEvents(ndjson)));
  });

  it('makes one group per item of any other iterable (a filter, a scheduler)', async () => {
    const items: PipelineItem[] = [1, 2, 3].map((line) => ({ kind: 'skipped', position: { file: 'x', line }, reason: 'test' }));
    async function* plain() {
      yield* items;
    }
    expect(await all(batchesOf(plain()))).toEqual(items.map((item) => [item]));
  });
});
