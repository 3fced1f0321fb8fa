// `eventload replay` end to end against the sandbox, in real time at high speed, and resending
// a rejects file corrected by hand.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentials, expectAccounted, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

describe('replay against the sandbox', () => {
  it('sends events in timestamp order with their original spacing, scaled by --speed', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    // 12 events 10 s apart in event time, given out of order; at 100x they leave 100 ms apart.
    const events = generateEvents(12).map((event, i) => ({ ...event, timestamp: new Date(Date.parse('2024-01-01T00:00:00Z') + i * 10_000).toISOString() }));
    const shuffled = [events[1], events[0], events[2], events[4], events[3], ...events.slice(5)];
    const input = await writeNdjson(join(dir, 'events.ndjson'), shuffled);
    const result = await runCli(['replay', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--speed', '100x', '--json', '--no-journal'], { cwd: dir, env: credentials(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expectAccounted(summary);
    const replayed = sandbox.stats.stored;
    expect(replayed.map((stored) => (stored.body as { timestamp: string }).timestamp)).toEqual(events.map((event) => event.timestamp));
    expect(summary.replay).toMatchObject({ speed: 100, late: 0, scheduled: 12 });
    // Event i is due 100 ms × i after the first. On a busy machine a request may leave late (the
    // run reports it as lag) and the next ones catch up, so the bounds allow the lag it reported;
    // timing itself is measured by `npm run bench`, not here. The spacing is measured from the
    // second arrival: the first one also waits for a new connection and code run for the first
    // time on both sides, so it reaches the server later after leaving than the others do (30 to
    // 75 ms more on a loaded 2-core machine), which the 100 ms left for transit nearly used up.
    const times = sandbox.stats.requestTimes;
    const slack = summary.replay.lagMaxMs + 100;
    times.forEach((time, i) => i > 0 && expect(time - times[1]!).toBeGreaterThanOrEqual((i - 1) * 100 - slack));
    expect(times.at(-1)! - times[0]!).toBeLessThan(1100 + slack + 400);
  });

  it('shifts timestamps to --shift-to, keeps the original, and gives new keys', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    const events = generateEvents(3);
    const input = await writeNdjson(join(dir, 'events.ndjson'), events);
    const result = await runCli(['replay', input, '--target', 'immutable', '--endpoint', sandbox.url, '--shift-to', '2030-01-01T00:00:00Z', '--json'], { cwd: dir, env: credentials(sandbox) });
    expect(result.code, result.stderr).toBe(0);
    const bodies = sandbox.stats.stored.map((stored) => stored.body as { occurred_at: string; metadata: Record<string, unknown>; idempotency_key: string });
    expect(bodies.map((body) => body.occurred_at)).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:01:00.000Z', '2030-01-01T00:02:00.000Z']);
    expect(bodies.map((body) => body.metadata.original_timestamp)).toEqual(events.map((event) => event.timestamp));
    expect(bodies.every((body, i) => body.idempotency_key !== events[i]!.idempotency_key)).toBe(true);
  });

  it('--dry-run prints the schedule and sends nothing', async () => {
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(61)); // one hour of events, a minute apart
    const result = await runCli(['replay', input, '--target', 'flowmyna', '--speed', '10', '--dry-run'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('events             61');
    expect(result.stdout).toContain('span               1 h 0 min 0 s');
    expect(result.stdout).toMatch(/expected duration  (360\.0 s|0 h 6 min 0 s)/);
  });
});

describe('resending a rejects file', () => {
  it('sends the corrected events and the original rows mapped again, and rejects what is still wrong', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    const csv = join(dir, 'orders.csv');
    await writeFile(csv, ['id,when,what', 'A-1,2024-01-01T10:00:00Z,paid', 'A-2,not a time,paid', 'A-3,2024-01-01T11:00:00Z,'].join('\n'));
    const mapping = join(dir, 'orders.mapping.json');
    await writeFile(mapping, JSON.stringify({ event: 'what', timestamp: 'when', objects: [{ type: { const: 'Order' }, id: 'id' }] }));
    const first = await importInto(sandbox, dir, [csv, '-m', mapping]);
    expect(first.summary).toMatchObject({ accepted: 1, rejectedLocal: 2 });

    // Correct the two rejected rows by hand: one in its original record, one as a canonical event.
    const rejectsFile = join(dir, 'rejects.ndjson');
    const lines = (await readFile(rejectsFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ run: { command: 'import' } }); // the run's header line, kept: replay passes over it
    lines[1].record.when = '2024-01-01T10:30:00Z';
    lines[2].event = { event: 'paid', timestamp: '2024-01-01T11:00:00Z', objects: [{ type: 'Order', id: 'A-3' }] };
    const fixed = join(dir, 'fixed.rejects.ndjson');
    await writeFile(fixed, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const resent = await runCli(['replay', fixed, '-m', mapping, '--target', 'flowmyna', '--endpoint', sandbox.url, '--json', '--rejects', join(dir, 'again.ndjson')], { cwd: dir, env: credentials(sandbox) });
    expect(resent.code, resent.stderr).toBe(0);
    expect(JSON.parse(resent.stdout)).toMatchObject({ read: 2, accepted: 2, rejectedLocal: 0 });
    expect(sandbox.stats.stored.map((stored) => (stored.body as { objects: Array<{ id: string }> }).objects[0]!.id).sort()).toEqual(['A-1', 'A-2', 'A-3']);

    // Uncorrected, the same lines are rejected again, each with its reason.
    const again = await runCli(['replay', rejectsFile, '-m', mapping, '--target', 'flowmyna', '--endpoint', sandbox.url, '--json', '--no-journal', '--rejects', join(dir, 'still.ndjson')], { cwd: dir, env: credentials(sandbox) });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ read: 2, accepted: 0, rejectedLocal: 2 });
  });
});
