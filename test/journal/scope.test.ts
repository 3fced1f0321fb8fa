// The journal's scope: one endpoint is one scope however it is spelled (old spellings are folded
// in), and sandbox runs have a stable scope of their own, apart from every real endpoint.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Database } from '../../src/sqlite/database.js';
import { describe, expect, it } from 'vitest';
import { scopeEndpoint } from '../../src/journal/endpoint-scope.js';
import { Journal } from '../../src/journal/journal.js';
import { credentials, generateEvents, parseSummary, startCli, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

describe('endpoint normalisation', () => {
  it('gives every spelling of one endpoint the same scope', () => {
    const same = ['https://api.example.com/v1', 'HTTPS://API.Example.COM/v1', 'https://api.example.com:443/v1/', 'https://api.example.com/./v1', 'https://api.example.com//v1//', 'https://api.example.com/x/../v1', 'https://api.example.com./v1', 'https://api.example.com/%76%31'];
    for (const spelling of same) expect(scopeEndpoint(spelling), spelling).toBe('https://api.example.com/v1');
    expect(scopeEndpoint('HTTP://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(scopeEndpoint('http://127.0.0.1:80')).toBe('http://127.0.0.1');
    expect(scopeEndpoint('https://h/a%2fb')).toBe('https://h/a%2Fb');
    expect(scopeEndpoint('https://h/caf%c3%a9')).toBe('https://h/caf%C3%A9');
    // Different endpoints stay different.
    expect(scopeEndpoint('https://h/v1')).not.toBe(scopeEndpoint('https://h/v2'));
    expect(scopeEndpoint('http://h')).not.toBe(scopeEndpoint('https://h'));
    expect(scopeEndpoint('https://h:8443')).not.toBe(scopeEndpoint('https://h'));
    expect(scopeEndpoint('sandbox:flowmyna')).toBe('sandbox:flowmyna');
  });

  it('three spellings of the sandbox endpoint store 200 events, not 600', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(200));
    const port = new URL(sandbox.url).port;
    const codes: number[] = [];
    for (const endpoint of [`http://127.0.0.1:${port}`, `HTTP://127.0.0.1:${port}`, `http://127.0.0.1:${port}/./`]) {
      const run = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', endpoint, '--journal', 'j.db', '--json', '-q'], { cwd: dir, env: credentials(sandbox) });
      codes.push(run.code!);
    }
    expect(codes).toEqual([0, 0, 0]);
    expect(sandbox.stats.stored).toHaveLength(200);
  }, 60_000);

  it('finds what older versions recorded under another spelling, and folds it into one scope', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const events = generateEvents(50);
    const input = await writeNdjson(join(dir, 'events.ndjson'), events);
    const port = new URL(sandbox.url).port;
    const path = join(dir, 'j.db');
    // As an older eventload left it: 30 events delivered under `HTTP://127.0.0.1:P/`, 10 of them
    // also (rejected, then delivered) under another spelling.
    const journal = Journal.open(path);
    for (const [spelling, slice, state] of [[`HTTP://127.0.0.1:${port}/`, events.slice(0, 30), 'accepted'], [`http://127.0.0.1:${port}//`, events.slice(20, 30), 'rejected']] as const) {
      const scope = journal.scope('flowmyna', 'placeholder', journal.startRun('import', 'flowmyna', 'placeholder'));
      const keys = slice.map((event) => event.idempotency_key!);
      await scope.record(keys.map((key) => ({ key, state })), await scope.markInFlight(keys));
      scope.merge();
      const db = Database.open(path);
      db.prepare("UPDATE scopes SET endpoint = ? WHERE endpoint = 'placeholder'").run(spelling);
      db.prepare("UPDATE runs SET endpoint = ? WHERE endpoint = 'placeholder'").run(spelling);
      db.close();
    }
    journal.close();

    const run = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', `http://127.0.0.1:${port}`, '--journal', path, '--json', '-q'], { cwd: dir, env: credentials(sandbox) });
    expect(run.code, run.stderr).toBe(0);
    expect(parseSummary(run)).toMatchObject({ read: 50, skippedByJournal: 30, accepted: 20 });
    expect(sandbox.stats.stored).toHaveLength(20);
    const status = JSON.parse((await runCli(['status', '--journal', path, '--json'], { cwd: dir })).stdout);
    expect(status.targets).toHaveLength(1);
    expect(status.targets[0]).toMatchObject({ endpoint: `http://127.0.0.1:${port}`, accepted: 50, rejected: 0, inflight: 0 });
  }, 60_000);
});

describe('sandbox runs in the journal', () => {
  it('use the stable scope sandbox:<target>: a rerun after kill -9 skips what was delivered', async () => {
    const dir = await tempDir();
    const total = 400;
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(total));
    const args = ['import', input, '--target', 'flowmyna', '--sandbox', '--journal', 'j.db', '--batch-size', '1', '--concurrency', '1', '--rate', '100'];
    const first = startCli(dir, [...args, '-q'], {});
    // Killed once the journal holds some answers (the sandbox lives in that process).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await runCli(['status', '--journal', 'j.db', '--json'], { cwd: dir });
      if (status.code === 0 && (JSON.parse(status.stdout).targets[0]?.accepted ?? 0) >= 20) break;
      if (Date.now() > deadline) throw new Error('the first run delivered nothing');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    first.child.kill('SIGKILL');
    await first.done;

    const rerun = await runCli([...args, '--rate', '100000', '--report', 'report.json', '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    const report = JSON.parse(await (await import('node:fs/promises')).readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.skippedByJournal).toBeGreaterThanOrEqual(20);
    expect(report.accepted + report.skippedByJournal).toBe(total);
    // The rerun's own sandbox stored exactly what it sent.
    expect(rerun.stdout).toContain(`stored ${report.accepted} events`);
  }, 90_000);

  it('status lists sandbox scopes apart, and --prune-sandbox removes only them, saying how many events', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(12));
    expect((await runCli(['import', input, '--target', 'flowmyna', '--sandbox', '--journal', 'j.db', '-q', '--json'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '-q', '--json'], { cwd: dir, env: credentials(sandbox) })).code).toBe(0);

    const status = await runCli(['status', '--journal', 'j.db'], { cwd: dir });
    expect(status.code).toBe(0);
    const [real, rehearsals] = status.stdout.split('\n\n');
    expect(real).toContain(`flowmyna  ${sandbox.url}`);
    expect(real).not.toContain('sandbox:');
    expect(rehearsals).toMatch(/^sandbox rehearsals .*--prune-sandbox.*\nflowmyna  sandbox:flowmyna\n  accepted 12 /);
    expect(JSON.parse((await runCli(['status', '--journal', 'j.db', '--json'], { cwd: dir })).stdout).targets.map((t: { sandbox: boolean }) => t.sandbox).sort()).toEqual([false, true]);

    const prune = await runCli(['status', '--journal', 'j.db', '--prune-sandbox'], { cwd: dir });
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toBe('journal j.db: removed 1 sandbox scope with 12 events\n');
    const after = JSON.parse((await runCli(['status', '--journal', 'j.db', '--json'], { cwd: dir })).stdout);
    expect(after.targets).toEqual([expect.objectContaining({ endpoint: sandbox.url, accepted: 12, sandbox: false })]);
  }, 60_000);
});

describe('foreign files given as the journal', () => {
  async function customersDb(dir: string): Promise<{ path: string; bytes: Buffer }> {
    const path = join(dir, 'crm.db');
    const db = Database.open(path);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada'), ('Grace');");
    db.close();
    return { path, bytes: await (await import('node:fs/promises')).readFile(path) };
  }

  it('a SQLite file of another application is refused (exit 2) by status and import, byte for byte untouched', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const { path, bytes } = await customersDb(dir);
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    const { readFile, readdir } = await import('node:fs/promises');

    const status = await runCli(['status', '--journal', path], { cwd: dir });
    expect(status.code).toBe(2);
    expect(status.stderr).toBe(`eventload: EL_JOURNAL_FOREIGN: ${path} is not an eventload journal (a SQLite database with tables customers); it was left untouched. Give the journal another path (--journal FILE)\n`);
    expect((await readFile(path)).equals(bytes)).toBe(true);

    const run = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', path], { cwd: dir, env: credentials(sandbox) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not an eventload journal .*left untouched/);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(sandbox.stats.ingestRequests).toBe(0);
    // Nothing left beside it either (no lock, no -wal).
    expect((await readdir(dir)).sort()).toEqual(['crm.db', 'events.ndjson']);

    const prune = await runCli(['status', '--journal', path, '--prune-sandbox'], { cwd: dir });
    expect(prune.code).toBe(2);
    expect((await readFile(path)).equals(bytes)).toBe(true);
  }, 60_000);

  it('a file that is not SQLite at all is refused (exit 2) and untouched', async () => {
    const dir = await tempDir();
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'remember the milk\n'.repeat(500));
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    for (const args of [['status', '--journal', path], ['import', input, '--target', 'flowmyna', '--sandbox', '--journal', path]]) {
      const run = await runCli(args, { cwd: dir });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^eventload: EL_JOURNAL_FOREIGN: .*notes\.txt is not an eventload journal \(not a SQLite database\); it was left untouched/);
      expect(await (await import('node:fs/promises')).readFile(path, 'utf8')).toBe('remember the milk\n'.repeat(500));
    }
  }, 60_000);

  it('marks the journals it creates, and still takes those of older layouts (recognised by their tables)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'new.db');
    Journal.open(path).close();
    const db = Database.open(path, { readOnly: true });
    expect(db.pragma('application_id')).toBe(0x454c4a31);
    db.close();
    // A layout-2 journal from before the mark: accepted, and marked from then on.
    const old = join(dir, 'old.db');
    const journal = Journal.open(old);
    journal.close();
    const unmark = Database.open(old);
    unmark.pragma('application_id = 0');
    unmark.close();
    expect(() => Journal.openReadOnly(old).close()).not.toThrow();
    Journal.open(old).close();
    const check = Database.open(old, { readOnly: true });
    expect(check.pragma('application_id')).toBe(0x454c4a31);
    check.close();
  });
});
