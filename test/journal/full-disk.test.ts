// A journal on a disk that fills up mid-run: the run stops sending at once, drains what is on the
// wire, accounts for every event, and exits 3 naming the journal and the cause; resumed on a
// healthy disk, nothing is lost and only the in-flight bound is sent twice. The disk is a real
// tmpfs of 1 MiB (mounting needs root: CI and this machine run as root).
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentials, expectAccounted, generateEvents, parseSummary, useSandboxes, useTempDirs, writeNdjson, storedPerEvent } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();
const isRoot = process.getuid?.() === 0;

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});

describe.skipIf(!isRoot)('a full disk for the journal (skipped: mounting a tmpfs needs root)', () => {
  it('stops at once, exits 3 with one line and an exact account; resuming elsewhere loses nothing', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 2 });
    const dir = await tempDir();
    const disk = join(dir, 'small-disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    mounted.push(disk);
    // Leave about 160 KB: enough to open the journal and record a few dozen requests, not 600.
    const free = () => Number(statfsSync(disk).bavail) * Number(statfsSync(disk).bsize);
    await writeFile(join(disk, 'filler'), Buffer.alloc(free() - 160 * 1024));

    const total = 3000;
    const concurrency = 4;
    const batchSize = 5;
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(total));
    const args = (journal: string) => ['import', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', journal, '--concurrency', String(concurrency), '--batch-size', String(batchSize), '--json', '-q'];
    const full = await runCli(args(join(disk, 'j.db')), { cwd: dir, env: credentials(sandbox), timeoutMs: 120_000 });
    expect(full.code, full.stderr).toBe(3);
    expect(full.stderr).toMatch(/^eventload: EL_JOURNAL_WRITE: journal .*small-disk\/j\.db: cannot write \(database or disk is full\); stopped sending\. Free space .*, then run the same command again[^\n]*\n$/);
    const summary = parseSummary(full);
    expect(summary.outcome).toBe('aborted');
    expectAccounted(summary);
    // Exact: what the server stored is what the summary says was accepted, and it was mid-run.
    expect(summary.accepted).toBe(sandbox.stats.stored.length);
    expect(summary.accepted).toBeGreaterThan(0);
    expect(summary.unsent).toBeGreaterThan(0);
    const storedBefore = sandbox.stats.stored.length;

    // The journal (with its -wal file, which holds the recent commits) moved to a healthy disk.
    const healthy = join(dir, 'healthy');
    await mkdir(healthy);
    await copyFile(join(disk, 'j.db'), join(healthy, 'j.db'));
    if (existsSync(join(disk, 'j.db-wal'))) await copyFile(join(disk, 'j.db-wal'), join(healthy, 'j.db-wal'));
    const resumed = await runCli(args(join(healthy, 'j.db')), { cwd: dir, env: credentials(sandbox), timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectAccounted(parseSummary(resumed));
    expect(parseSummary(resumed).skippedByJournal).toBeGreaterThan(0);

    const perEvent = storedPerEvent(sandbox.stats.stored);
    expect(perEvent.size).toBe(total); // nothing lost
    // Sent twice: at most what was on the wire when the journal stopped taking writes.
    expect(sandbox.stats.stored.length - total).toBeLessThanOrEqual(concurrency * batchSize);
    expect(storedBefore).toBeLessThan(total);
  }, 240_000);
});
