// One writer per journal: two runs on one journal (a slow cron run overlapping the next, or a run
// by hand during cron) must never both send. Real processes, against the FlowMyna sandbox, which
// (like the real API) stores every event it is sent: the server's own count is the proof.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Database } from '../../src/sqlite/database.js';
import { describe, expect, it } from 'vitest';
import { credentials, expectAccounted, generateEvents, parseSummary, startCli, useSandboxes, useTempDirs, waitFor, writeNdjson, storedPerEvent } from '../import/helpers.js';
import { root, runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

/** The pid of a process that has exited (and so holds nothing). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

const LOCKED_LINE = /^eventload: EL_LOCKED: another run is using the journal .*j\.db \(eventload import, pid (\d+), started \d{4}-\d\d-\d\dT[\d:.]+Z\); wait for it to finish, or give this run another journal \(--journal FILE\)\n$/;

describe('two runs on one journal', () => {
  it('a second import while one runs exits 4 naming the first; the server gets each event once', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 2 });
    const dir = await tempDir();
    const total = 3000;
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(total));
    const args = ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '--batch-size', '1', '--concurrency', '8', '--json', '-q'];
    const first = startCli(dir, args, credentials(sandbox));
    await waitFor(() => sandbox.stats.stored.length >= 200, 30_000);
    const second = await runCli(args, { cwd: dir, env: credentials(sandbox) });
    expect(second.code, second.stderr).toBe(4);
    expect(second.stderr).toMatch(LOCKED_LINE);
    expect(Number(LOCKED_LINE.exec(second.stderr)![1])).toBe(first.child.pid);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expectAccounted(parseSummary(done));
    const perEvent = storedPerEvent(sandbox.stats.stored);
    expect(perEvent.size).toBe(total);
    expect([...perEvent.values()].every((count) => count === 1)).toBe(true);
    expect(sandbox.stats.stored).toHaveLength(total);
  }, 120_000);

  it('two imports started at the same instant: one runs, the other exits 4; each event arrives once', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 2 });
    const dir = await tempDir();
    const total = 2000;
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(total));
    const args = ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '--batch-size', '1', '--concurrency', '8', '--json', '-q'];
    const runs = await Promise.all([runCli(args, { cwd: dir, env: credentials(sandbox) }), runCli(args, { cwd: dir, env: credentials(sandbox) })]);
    expect(runs.map((run) => run.code).sort(), runs.map((run) => run.stderr).join('\n')).toEqual([0, 4]);
    const locked = runs.find((run) => run.code === 4)!;
    expect(locked.stderr).toMatch(LOCKED_LINE);
    expect(locked.stderr).not.toMatch(/SQLITE_BUSY|move it away/);
    expect(storedPerEvent(sandbox.stats.stored).size).toBe(total);
    expect(sandbox.stats.stored).toHaveLength(total);
  }, 120_000);

  it('two syncs started at the same instant on a new journal, 20 times: never SQLITE_BUSY, never a false stale lock', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 5 });
    const total = 20;
    for (let round = 0; round < 20; round++) {
      const dir = await tempDir();
      await mkdir(join(dir, 'exports'));
      await writeNdjson(join(dir, 'exports', 'a.ndjson'), generateEvents(total, `round${round}`).map((event) => ({ ...event, objects: [{ type: 'Order', id: `R${round}-${event.objects[0]!.id}` }] })));
      const config = join(dir, 'sync.json');
      await writeFile(config, JSON.stringify({ files: ['exports/*.ndjson'], target: 'flowmyna', endpoint: sandbox.url, batchSize: 1, concurrency: 2 }));
      const sync = () => runCli(['sync', '--config', config], { cwd: dir, env: credentials(sandbox) });
      const runs = await Promise.all([sync(), sync()]);
      for (const run of runs) {
        expect(run.stderr).not.toMatch(/SQLITE_BUSY|stale lock|move it away|internal error/);
        // Both can finish (0) when the first is done before the second starts; never anything else.
        expect([0, 4], run.stderr).toContain(run.code);
        if (run.code === 4) expect(run.stderr).toMatch(/^eventload: EL_LOCKED: another run is using the journal .* \(eventload sync, pid \d+/);
      }
    }
    const perEvent = storedPerEvent(sandbox.stats.stored);
    expect(perEvent.size).toBe(20 * total);
    expect([...perEvent.values()].every((count) => count === 1)).toBe(true);
  }, 300_000);

  it('a lock left by a dead process is taken over, and the run says so on stderr', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(10));
    const pid = await deadPid();
    await writeFile(join(dir, 'j.db.lock'), JSON.stringify({ pid, host: (await import('node:os')).hostname(), since: '2026-01-01T00:00:00.000Z', command: 'import' }));
    const run = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '--json', '-q'], { cwd: dir, env: credentials(sandbox) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(`eventload: recovered a stale lock left by pid ${pid} (since 2026-01-01T00:00:00.000Z), which is no longer running; journal j.db\n`);
    expect(sandbox.stats.stored).toHaveLength(10);
    await expect(readFile(join(dir, 'j.db.lock'))).rejects.toThrow(/ENOENT/); // released at the end
  });

  it('many runs finding one stale lock at once: exactly one takes it over, and no two ever hold it together', async () => {
    const dir = await tempDir();
    const journal = join(dir, 'j.db');
    await writeFile(`${journal}.lock`, JSON.stringify({ pid: await deadPid(), host: (await import('node:os')).hostname(), since: '2026-01-01T00:00:00.000Z' }));
    // Each contender takes the lock, holds it for 1.5 s, and reports when it held it.
    const script = `
      const { acquireJournalLock } = await import(${JSON.stringify(join(root, 'dist', 'journal', 'lock.js'))});
      await new Promise((resolve) => setTimeout(resolve, Number(process.argv[1]) - Date.now()));
      try {
        const lock = acquireJournalLock(${JSON.stringify(journal)}, 'import');
        const from = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const to = Date.now(); // before the release: the next holder can take it the moment it is released
        lock.release();
        console.log(JSON.stringify({ from, to, recovered: Boolean(lock.recovered) }));
      } catch (error) {
        console.log(JSON.stringify({ locked: error.code }));
      }`;
    const startAt = Date.now() + 1500; // every contender is loaded by then, and starts at that instant
    const outputs = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(startAt)]);
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('close', () => resolve(out));
      })),
    );
    const results = outputs.map((out) => JSON.parse(out) as { from?: number; to?: number; recovered?: boolean; locked?: string });
    const holders = results.filter((result) => result.from !== undefined).sort((a, b) => a.from! - b.from!);
    expect(results.filter((result) => result.recovered)).toHaveLength(1);
    expect(holders.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < holders.length; i++) expect(holders[i]!.from).toBeGreaterThanOrEqual(holders[i - 1]!.to!);
    expect(results.every((result) => result.from !== undefined || result.locked === 'EL_LOCKED')).toBe(true);
  }, 60_000);
});

describe('a journal busy in another program', () => {
  it('names who holds it (exit 4) and never advises moving it away', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(5));
    const path = join(dir, 'j.db');
    const first = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', path, '-q', '--json'], { cwd: dir, env: credentials(sandbox) });
    expect(first.code, first.stderr).toBe(0);
    // Another program (an older eventload, a sqlite3 shell) holds a write lock on the file itself.
    const db = Database.open(path);
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
    try {
      const run = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', path, '-q', '--json'], { cwd: dir, env: credentials(sandbox) });
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).toMatch(/^eventload: EL_LOCKED: the journal .*j\.db is busy: another process \(an older eventload, or another program\) has it open for writing; wait for it to finish/);
      expect(run.stderr).not.toMatch(/move it away/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    expect(sandbox.stats.stored).toHaveLength(5);
  }, 60_000);

  it('status reads while a run holds the lock: no waiting, no exit 4', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 20 });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(5000));
    const running = startCli(dir, ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '--batch-size', '1', '--concurrency', '2', '-q'], credentials(sandbox));
    await waitFor(() => sandbox.stats.stored.length >= 20, 30_000);
    const status = await runCli(['status', '--journal', 'j.db', '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    // Answered while the import still runs (5,000 events at 20 ms each take far longer).
    expect(running.child.exitCode).toBeNull();
    expect(sandbox.stats.stored.length).toBeLessThan(5000);
    expect(JSON.parse(status.stdout).targets[0]).toMatchObject({ target: 'flowmyna' });
    expect(JSON.parse(status.stdout).targets[0].accepted).toBeGreaterThan(0);
    running.child.kill('SIGKILL');
    await running.done;
  }, 60_000);
});
