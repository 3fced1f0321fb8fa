// sync as the workers of a --shard job: each takes its own files (and its own journal beside the
// config), the shards deliver every event once between them, and a second run has nothing to send.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { credentials, generateEvents, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

describe('sync --shard', () => {
  it('splits the files between workers, delivers each event once, and remembers per shard', { timeout: 120_000 }, async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    const events = generateEvents(600);
    for (let i = 0; i < 6; i++) await writeNdjson(join(dir, `day-${i}.ndjson`), events.slice(i * 100, i * 100 + 100));
    await writeFile(join(dir, 'job.json'), JSON.stringify({ files: ['day-*.ndjson'], target: 'immutable', endpoint: sandbox.url, allowHttp: true }));
    const sync = (index: number) => runCli(['sync', '--config', 'job.json', '--shard', `${index}/2`, '--json'], { cwd: dir, env: credentials(sandbox) });
    const first = await Promise.all([sync(0), sync(1)]);
    const summaries = first.map((result) => {
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    });
    expect(summaries.map((summary) => summary.shard.index)).toEqual([0, 1]);
    expect(summaries.map((summary) => summary.files)).toEqual([3, 3]);
    expect(summaries[0].accepted + summaries[1].accepted).toBe(600);
    expect(new Set(sandbox.stats.stored.map((event) => event.key)).size).toBe(600);
    expect(sandbox.stats.stored.length).toBe(600);

    const again = JSON.parse((await sync(1)).stdout);
    expect(again).toMatchObject({ files: 3, unchanged: 3, changed: 0, shard: { index: 1, count: 2 } });
    const status = JSON.parse((await runCli(['status', '--journal', '.eventload', '--json'], { cwd: dir })).stdout);
    expect(status.targets[0]).toMatchObject({ accepted: 600, shards: { count: 2, present: [0, 1], missing: [] } });
  });
});
