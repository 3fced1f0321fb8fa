// A full disk under the rejects file once crashed the run (exit 70, "Cannot call end after a stream
// was destroyed"). Now the run stops sending at once, settles only what it could record, exits 3
// with one line naming the file and the cause, and a rerun on a healthy disk loses nothing.
// Needs root to mount a small tmpfs (as on this machine and in CI).
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentials, expectAccounted, generateEvents, readRejects, useSandboxes, useTempDirs } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();
const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];

afterEach(() => {
  for (const point of mounted.splice(0)) execFileSync('umount', [point]);
});

/** A 32 KiB tmpfs: room for a few dozen rejects lines, then ENOSPC. */
async function smallDisk(dir: string): Promise<string> {
  const point = join(dir, 'full');
  await mkdir(point);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', point]);
  mounted.push(point);
  return point;
}

describe.skipIf(!isRoot)('a full disk for the rejects file (needs root for mount -t tmpfs)', () => {
  it('import stops at once with exit 3 naming the file and ENOSPC, accounts exactly, and a rerun with rejects on a healthy disk loses nothing', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const full = await smallDisk(dir);
    // 300 events, every 4th refused by the server (a leap second), every 7th line unreadable; each rejects line ~1.5 KB.
    const padding = 'x'.repeat(1200);
    const events = generateEvents(300, 'df').map((event, i) => ({ ...event, properties: { n: i, padding }, ...(i % 4 === 1 && { timestamp: '2016-12-31T23:59:60Z' }) }));
    const lines = events.map((event, i) => (i % 7 === 3 ? `{ unreadable ${i} ${padding}` : JSON.stringify(event)));
    await writeFile(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
    const serverRejected = events.filter((_, i) => i % 4 === 1 && i % 7 !== 3).map((event) => event.idempotency_key);
    const unreadable = lines.filter((_, i) => i % 7 === 3);
    const deliverable = events.filter((_, i) => i % 4 !== 1 && i % 7 !== 3).map((event) => event.idempotency_key);

    const run = (rejects: string) =>
      runCli(['import', 'events.ndjson', '-t', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '--batch-size', '10', '--concurrency', '2', '--rejects', rejects, '--json'], { cwd: dir, env: credentials(sandbox) });

    const first = await run(join(full, 'rejects.ndjson'));
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toBe(`eventload: EL_OUTPUT_WRITE: --rejects ${join(full, 'rejects.ndjson')}: cannot write (ENOSPC)\n`);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ outcome: 'aborted', error: `--rejects ${join(full, 'rejects.ndjson')}: cannot write (ENOSPC)`, rejects: join(full, 'rejects.ndjson') });
    expect(summary.rejectsNotWritten).toBeGreaterThan(0);
    expect(summary.read).toBeLessThan(300); // it stopped reading
    expectAccounted(summary);
    // The file holds whole lines only, each one a rejection the summary counted as written.
    const written = await readRejects(join(full, 'rejects.ndjson'));
    expect(written.length).toBe(summary.rejectedLocal + summary.rejectedServer - summary.rejectsNotWritten);

    const second = await run(join(dir, 'rejects.ndjson'));
    expect(second.code, second.stderr).toBe(1);
    expectAccounted(JSON.parse(second.stdout));
    const again = await readRejects(join(dir, 'rejects.ndjson'));
    const all = [...written, ...again];
    // Nothing lost: every rejection is in one of the two files, every deliverable event on the server once.
    expect(new Set(all.filter((line) => line.stage === 'server').map((line) => line.event.idempotency_key))).toEqual(new Set(serverRejected));
    expect(new Set(all.filter((line) => line.stage === 'read').map((line) => line.raw))).toEqual(new Set(unreadable));
    expect(new Set(sandbox.stats.stored.map((stored) => (stored.body as { properties: { n: number } }).properties.n))).toEqual(new Set(deliverable.map((key) => Number(key!.slice(3)))));
    expect(sandbox.stats.stored).toHaveLength(deliverable.length);
  });

  it('validate stops with exit 3 and one line naming the file and the cause', async () => {
    const dir = await tempDir();
    const full = await smallDisk(dir);
    const lines = Array.from({ length: 100 }, (_, i) => `{ unreadable ${i} ${'y'.repeat(1000)}`);
    await writeFile(join(dir, 'bad.ndjson'), `${lines.join('\n')}\n`);
    const result = await runCli(['validate', 'bad.ndjson', '--rejects', join(full, 'r.ndjson'), '--reporter', 'json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toBe(`eventload: EL_OUTPUT_WRITE: --rejects ${join(full, 'r.ndjson')}: cannot write (ENOSPC)\n`);
    const report = JSON.parse(result.stdout);
    expect(report.read).toBeLessThan(100);
    expect(report.rejectsNotWritten).toBe(1);
    expect((await readRejects(join(full, 'r.ndjson'))).length).toBe(report.invalid - 1);
    expect((await readFile(join(full, 'r.ndjson'), 'utf8')).endsWith('\n')).toBe(true);
  });
});
