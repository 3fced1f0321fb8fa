// --repeat-window, from the command line, the mapping and a --config file: how far back an identical
// row counts as a repeat (its own key) rather than as the same event (the same key).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventload, fixturePath, readNdjson, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const header = 'order_id,status,created_at,customer_id,customer_name,sales_rep,amount,currency,item_count,note\n';
const row = (order: string) => `${order},placed,2024-03-01 09:15:00,C-17,Acme GmbH,u-ana,12.50,EUR,3,\n`;

/** Keys a dry run gives rows A, B, A (the repeat at distance 2), one body per event. */
async function keysOf(args: string[], mapping?: Record<string, unknown>): Promise<string[]> {
  const dir = await tempDir();
  await writeFile(join(dir, 'rows.csv'), header + row('A') + row('B') + row('A'));
  let mappingFile = fixturePath('orders.mapping.json');
  if (mapping) {
    mappingFile = join(dir, 'mapping.json');
    await writeFile(mappingFile, JSON.stringify({ ...JSON.parse(await readFile(fixturePath('orders.mapping.json'), 'utf8')), ...mapping }));
  }
  const run = await eventload(dir, ['import', 'rows.csv', '-m', mappingFile, '--target', 'immutable', '--dry-run', '--out', 'bodies.ndjson', '--batch-size', '1', '-q', ...args], { IMMUTABLE_API_KEY: undefined });
  expect(run.code, run.stderr).toBe(0);
  return (await readNdjson(join(dir, 'bodies.ndjson'))).map((body) => body.idempotency_key);
}

describe('--repeat-window', () => {
  it('gives a repeat within the window its own key, and one further back the same key', async () => {
    const [a, b, again] = await keysOf([]);
    expect(new Set([a, b, again]).size).toBe(3);
    const narrow = await keysOf(['--repeat-window', '1']);
    expect(narrow).toEqual([a, b, a]);
    expect(await keysOf(['--repeat-window', '2'])).toEqual([a, b, again]);
  });

  it('is read from the mapping (repeat_window) and from a --config file (repeatWindow), the flag winning', async () => {
    const [a, b] = await keysOf([]);
    expect(await keysOf([], { repeat_window: 1 })).toEqual([a, b, a]);
    const dir = await tempDir();
    await writeFile(join(dir, 'config.json'), JSON.stringify({ repeatWindow: 1 }));
    expect(await keysOf(['--config', join(dir, 'config.json')])).toEqual([a, b, a]);
    const [, , again] = await keysOf(['--repeat-window', '5'], { repeat_window: 1 });
    expect(again).not.toBe(a);
  });

  it('refuses a window of 0 or past the largest (exit 2, EL_REPEAT_WINDOW), in the mapping too', async () => {
    const dir = await tempDir();
    for (const value of ['0', '100000001']) {
      const run = await eventload(dir, ['validate', fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--repeat-window', value]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/EL_REPEAT_WINDOW: --repeat-window: expected a whole number from 1 to 100,000,000/);
    }
    await writeFile(join(dir, 'mapping.json'), JSON.stringify({ ...JSON.parse(await readFile(fixturePath('orders.mapping.json'), 'utf8')), repeat_window: 0 }));
    const run = await eventload(dir, ['validate', fixturePath('orders.csv'), '-m', join(dir, 'mapping.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/EL_MAPPING: .*repeat_window/);
  });
});
