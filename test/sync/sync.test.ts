// `eventload sync` as cron runs it: only new data is sent, unchanged files are not read again,
// two runs never overlap, and a stale lock from a killed run is recovered.
import { appendFile, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEvents, startCli, useSandboxes, useTempDirs, waitFor } from '../import/helpers.js';
import { runCli } from '../helpers.js';
import type { Sandbox } from '../../src/sandbox/index.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const ndjson = (events: unknown[]) => events.map((event) => JSON.stringify(event)).join('\n') + '\n';

async function setUp(sandbox: Sandbox, extra: Record<string, unknown> = {}) {
  const dir = await tempDir();
  await mkdir(join(dir, 'exports'));
  const config = join(dir, 'orders.sync.json');
  await writeFile(config, JSON.stringify({ files: ['exports/*.ndjson'], target: 'immutable', endpoint: sandbox.url, token: { env: 'MY_AUDIT_KEY' }, ...extra }));
  const env = { MY_AUDIT_KEY: sandbox.token, IMMUTABLE_API_KEY: undefined };
  const sync = (args: string[] = []) => runCli(['sync', '--config', config, ...args], { cwd: dir, env });
  return { dir, config, env, sync };
}

describe('sync', () => {
  it('sends only what is new: unchanged files are skipped unread, appended rows alone are sent', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const { dir, sync } = await setUp(sandbox);
    const events = generateEvents(30);
    await writeFile(join(dir, 'exports', 'day1.ndjson'), ndjson(events.slice(0, 20)));

    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^sync .*orders\.sync\.json: 1 files, 0 unchanged; read 20, accepted 20, duplicates 0, rejected 0, skipped 0, not sent 0 in [\d.]+ s\n$/);
    expect(sandbox.stats.stored).toHaveLength(20);

    const second = await sync();
    expect(second.stdout).toMatch(/1 files, 1 unchanged, nothing to send/);
    const requests = sandbox.stats.ingestRequests;

    // Touched but not changed: still not read.
    await utimes(join(dir, 'exports', 'day1.ndjson'), new Date(), new Date(Date.now() + 5000));
    expect((await sync()).stdout).toMatch(/1 unchanged, nothing to send/);
    expect(sandbox.stats.ingestRequests).toBe(requests);

    // A day's export grows, and a new one lands.
    await appendFile(join(dir, 'exports', 'day1.ndjson'), ndjson(events.slice(20, 25)));
    await writeFile(join(dir, 'exports', 'day2.ndjson'), ndjson(events.slice(25)));
    const third = await sync(['--json']);
    const summary = JSON.parse(third.stdout);
    expect(summary).toMatchObject({ files: 2, unchanged: 0, read: 30, accepted: 10, skipped: 20, skippedByJournal: 20, duplicates: 0 });
    expect(sandbox.stats.stored).toHaveLength(30);
    expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
  });

  it('refuses to run while another sync holds the lock (exit 4), and recovers a stale lock', async () => {
    const sandbox = await sandboxes({ target: 'immutable', latencyMs: 300 });
    const { dir, config, env } = await setUp(sandbox, { batchSize: 1, concurrency: 1 });
    await writeFile(join(dir, 'exports', 'a.ndjson'), ndjson(generateEvents(20)));
    const running = startCli(dir, ['sync', '--config', config], env);
    await waitFor(() => sandbox.stats.ingestRequests >= 1);
    const second = await runCli(['sync', '--config', config], { cwd: dir, env });
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(/^eventload: EL_LOCKED: another run is using the journal .*journal\.db \(eventload sync, pid \d+, started \d{4}-.*\); wait for it to finish, or give this run another journal/);
    running.child.kill('SIGKILL');
    await running.done;

    // The killed run left its lock behind: the next run takes it over and finishes the work.
    const lockFile = join(dir, '.eventload', 'journal.db.lock');
    expect(JSON.parse(await readFile(lockFile, 'utf8')).pid).toBe(running.child.pid);
    const resumed = await runCli(['sync', '--config', config], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/recovered a stale lock left by pid \d+/);
    const keys = [...sandbox.stats.keyCounts.entries()];
    expect(keys).toHaveLength(20);
    expect(keys.every(([, count]) => count === 1)).toBe(true); // immutable deduplicates any resend
  });

  it('reports config mistakes with their path, and missing secrets by variable name', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const { dir, config, sync } = await setUp(sandbox);
    await writeFile(config, JSON.stringify({ files: ['x/*.csv'], target: 'immutable', token: { env: 'NOPE_NOT_SET' }, concurrency: 'many' }));
    const bad = await sync();
    expect(bad).toMatchObject({ code: 2, stdout: '', stderr: `eventload: EL_CONFIG_FILE: ${config}: concurrency: expected a whole number of at least 1, or \"auto\"\n` });
    await writeFile(config, JSON.stringify({ files: ['x/*.csv'], target: 'immutable', token: { env: 'NOPE_NOT_SET' } }));
    const missing = await runCli(['sync', '--config', config], { cwd: dir, env: { NOPE_NOT_SET: undefined } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`eventload: EL_CONFIG_FILE: ${config}: token: environment variable NOPE_NOT_SET is not set\n`);
  });

  it('never prints the token it read from the environment', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const { dir, sync } = await setUp(sandbox);
    await writeFile(join(dir, 'exports', 'a.ndjson'), ndjson(generateEvents(3)));
    const result = await sync(['--json']);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(sandbox.token);
  });
});
