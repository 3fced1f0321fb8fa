// `sync` and a file that is still being written: a last line without a line end is not read until
// it is complete (counted as pending), and once completed it is sent exactly once, with the key a
// one-shot import of the finished file gives.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsAsRead, useSandboxes, useTempDirs } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const MAPPING = { event: { const: 'Order placed' }, timestamp: { column: 'ts', timezone: 'UTC' }, objects: [{ type: { const: 'Order' }, id: 'id' }], actor: { id: { const: 'u-1' }, type: { const: 'user' } } };

describe('sync of a file still being written', () => {
  for (const format of ['csv', 'ndjson'] as const) {
    it(`${format}: holds back a last line without a line end as pending, and sends it once when complete`, async () => {
      const sandbox = await sandboxes({ target: 'immutable' });
      const dir = await tempDir();
      await mkdir(join(dir, 'exports'));
      await writeFile(join(dir, 'm.json'), JSON.stringify(MAPPING));
      const config = join(dir, 'sync.json');
      await writeFile(config, JSON.stringify({ files: [`exports/*.${format}`], ...(format === 'csv' && { mapping: 'm.json' }), target: 'immutable', endpoint: sandbox.url, token: { env: 'MY_KEY' } }));
      const sync = (args: string[] = []) => runCli(['sync', '--config', config, ...args], { cwd: dir, env: { MY_KEY: sandbox.token, IMMUTABLE_API_KEY: undefined } });
      const file = join(dir, 'exports', `orders.${format}`);
      const row = (id: string, second: number) =>
        format === 'csv' ? `${id},2024-03-01 10:00:0${second}` : JSON.stringify({ event: 'Order placed', timestamp: `2024-03-01T10:00:0${second}Z`, objects: [{ type: 'Order', id }], actor: { id: 'u-1', type: 'user' } });
      const complete = format === 'csv' ? `id,ts\n${row('ORD-1', 1)}\n${row('ORD-2', 2)}\n` : `${row('ORD-1', 1)}\n${row('ORD-2', 2)}\n`;
      // The writer has got this far: the third record is cut off mid-value, no line end yet.
      const third = row('ORD-3', 3);
      const cut = third.indexOf('ORD-3') + 'ORD-'.length;
      await writeFile(file, complete + third.slice(0, cut));

      const first = await sync(['--json']);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ read: 2, accepted: 2, pending: 1 });
      expect(sandbox.stats.stored).toHaveLength(2);
      const line = await sync();
      expect(line.stdout).toMatch(/nothing to send|pending 1/);
      expect(sandbox.stats.stored).toHaveLength(2);

      // The writer finishes the record.
      await appendFile(file, `${third.slice(cut)}\n`);
      const second = await sync(['--json']);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ read: 3, accepted: 1, skippedByJournal: 2, pending: 0 });
      const ids = sandbox.stats.stored.map((event) => ['ORD-1', 'ORD-2', 'ORD-3'].find((id) => JSON.stringify(event.body).includes(`"${id}"`)));
      expect(ids).toEqual(['ORD-1', 'ORD-2', 'ORD-3']);
      // The same keys a one-shot import of the finished file derives.
      const oneShot = await eventsAsRead([file], format === 'csv' ? { mapping: join(dir, 'm.json') } : {});
      expect(sandbox.stats.stored.map((event) => event.key)).toEqual(oneShot.map((event) => event.idempotency_key));
      expect((await sync()).stdout).toMatch(/1 unchanged, nothing to send/);
    });
  }

  it('reads a pretty-printed JSON file whose closing bracket has no line end: that is the end of the file, not a record', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    await mkdir(join(dir, 'exports'));
    const config = join(dir, 'sync.json');
    await writeFile(config, JSON.stringify({ files: ['exports/*.json'], target: 'immutable', endpoint: sandbox.url, token: { env: 'MY_KEY' } }));
    const events = [1, 2].map((n) => ({ event: 'Order placed', timestamp: `2024-03-01T10:00:0${n}Z`, objects: [{ type: 'Order', id: `ORD-${n}` }], actor: { id: 'u-1', type: 'user' } }));
    await writeFile(join(dir, 'exports', 'orders.json'), JSON.stringify(events, null, 2));
    const run = await runCli(['sync', '--config', config, '--json'], { cwd: dir, env: { MY_KEY: sandbox.token, IMMUTABLE_API_KEY: undefined } });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ read: 2, accepted: 2, pending: 0 });
  });
});
