// Delivery across crashes and stops, with real processes against the FlowMyna sandbox, which
// (like the real API) does not deduplicate: every event sent twice is stored twice.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAccounted, generateEvents, importInto, startCli, useSandboxes, useTempDirs, waitFor, writeNdjson, credentials, storedPerEvent } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

describe('resume after kill -9', () => {
  it('delivers every event, resending only what was in flight at each kill', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 15 });
    const dir = await tempDir();
    const total = 3000;
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(total));
    const concurrency = 4;
    const batchSize = 10;
    const args = ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--concurrency', String(concurrency), '--batch-size', String(batchSize), '--json', '-q'];
    const kills = 5;
    for (let kill = 0; kill < kills; kill++) {
      const before = sandbox.stats.stored.length;
      const run = startCli(dir, args, credentials(sandbox));
      // Kill at a different point each time: after some more events have been stored.
      const more = 40 + Math.floor(Math.random() * 300);
      await waitFor(() => sandbox.stats.stored.length >= Math.min(total, before + more), 30_000);
      run.child.kill('SIGKILL');
      const result = await run.done;
      expect(result.signal).toBe('SIGKILL');
    }
    const final = await importInto(sandbox, dir, [input, '--concurrency', String(concurrency), '--batch-size', String(batchSize)]);
    expect(final.code, final.stderr).toBe(0);
    expectAccounted(final.summary);

    const perEvent = storedPerEvent(sandbox.stats.stored);
    expect(perEvent.size).toBe(total); // nothing lost
    const extra = sandbox.stats.stored.length - total;
    // Only requests on the wire at a kill can be stored twice: at most concurrency × batch size per kill.
    expect(extra).toBeLessThanOrEqual(kills * concurrency * batchSize);
    expect(final.summary.skippedByJournal).toBeGreaterThan(0);
  });
});

describe('graceful stop', () => {
  it('on SIGINT lets requests under way finish, records them, and a re-run sends the rest once', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 30 });
    const dir = await tempDir();
    const total = 600;
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(total));
    const args = ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--concurrency', '4', '--batch-size', '5', '--json', '-q'];
    const run = startCli(dir, args, credentials(sandbox));
    await waitFor(() => sandbox.stats.stored.length >= 50);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    const summary = JSON.parse(stopped.stdout);
    expect(summary.outcome).toBe('interrupted');
    expectAccounted(summary);

    const rest = await importInto(sandbox, dir, [input, '--concurrency', '4', '--batch-size', '5']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.summary.skippedByJournal).toBe(summary.accepted);
    // Drained requests were recorded: nothing was stored twice.
    const perEvent = storedPerEvent(sandbox.stats.stored);
    expect(perEvent.size).toBe(total);
    expect([...perEvent.values()].every((count) => count === 1)).toBe(true);
  });

  it('after --drain-timeout cuts off requests that hang, and exits 143 on SIGTERM', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 20_000 });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(20));
    const run = startCli(dir, ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--batch-size', '1', '--concurrency', '2', '--drain-timeout', '1', '--json', '-q'], credentials(sandbox));
    await waitFor(() => sandbox.stats.inFlight >= 2);
    const started = Date.now();
    run.child.kill('SIGTERM');
    const stopped = await run.done;
    expect(stopped.code).toBe(143);
    expect(Date.now() - started).toBeLessThan(10_000);
    const summary = JSON.parse(stopped.stdout);
    expect(summary).toMatchObject({ outcome: 'interrupted', accepted: 0 });
    expectAccounted(summary);
    // They stay "in flight" in the journal, to be resent by the next run.
    const status = await runCli(['status', '--json'], { cwd: dir });
    const [entry] = JSON.parse(status.stdout).targets;
    expect(entry.inflight).toBe(2);
  });
});

describe('rejected events', () => {
  it('are not resent by a re-run unless --retry-rejected', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const events = generateEvents(5);
    events[2]!.timestamp = '2016-12-31T23:59:60Z'; // a leap second: kept locally, refused by the server
    const input = await writeNdjson(join(dir, 'events.ndjson'), events);
    const first = await importInto(sandbox, dir, [input]);
    expect(first.summary).toMatchObject({ accepted: 4, rejectedServer: 1 });
    const second = await importInto(sandbox, dir, [input]);
    expect(second.summary).toMatchObject({ accepted: 0, rejectedServer: 0, skippedByJournal: 5 });
    expect(second.code).toBe(0);
    const third = await importInto(sandbox, dir, [input, '--retry-rejected']);
    expect(third.summary).toMatchObject({ accepted: 0, rejectedServer: 1, skippedByJournal: 4 });
  });
});

describe('duplicate keys in one input', () => {
  it('sends a key once even when it comes again later in the same first run', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const events = generateEvents(300);
    events[250]!.idempotency_key = events[3]!.idempotency_key; // a mapped key column with a repeat
    const input = await writeNdjson(join(dir, 'events.ndjson'), events);
    const run = await importInto(sandbox, dir, [input, '--batch-size', '1', '--concurrency', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ read: 300, accepted: 299, skippedByJournal: 1 });
    expect(sandbox.stats.keyCounts.get(events[3]!.idempotency_key!)).toBe(1);
  });
});

describe('journal files', () => {
  it('a corrupt journal is one clear error (exit 2), never a crash', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    const journal = join(dir, 'broken.db');
    await writeFile(journal, 'garbage '.repeat(1000));
    const run = await runCli(['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', journal], { cwd: dir, env: credentials(sandbox) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^eventload: EL_JOURNAL_FOREIGN: .*broken\.db is not an eventload journal \(not a SQLite database\); it was left untouched/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(sandbox.stats.ingestRequests).toBe(0);
    expect(await readFile(journal, 'utf8')).toBe('garbage '.repeat(1000));
  });

  it('status shows counts per target and how the last run ended', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(7));
    await importInto(sandbox, dir, [input]);
    const status = await runCli(['status'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`immutable  ${sandbox.url}`);
    expect(status.stdout).toContain('accepted 7 · duplicates 0 · rejected 0 · in flight 0');
    expect(status.stdout).toMatch(/last run: import started .*, completed at /);
    const missing = await runCli(['status', '--journal', join(dir, 'none.db')], { cwd: dir });
    expect(missing.code).toBe(2);
  });
});
