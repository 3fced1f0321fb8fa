// Faults injected by the sandboxes: throttling, server errors, dropped connections, events the
// server refuses. Every event must end up delivered once or reported, never lost or doubled.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/upload/summary.js';
import { expectAccounted, fixturePath, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();
const eventsNdjson = fixturePath('events.ndjson');
const FAST_RETRIES = ['--backoff-base', '10'];

describe('throttling', () => {
  it('waits as long as Retry-After says before retrying a 429', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', faultSequence: ['429'], retryAfterSeconds: 1 });
    const run = await importInto(sandbox, await tempDir(), [eventsNdjson, ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(0);
    const [first, second] = sandbox.stats.requestTimes;
    expect(sandbox.stats.requestTimes).toHaveLength(2);
    // The backoff alone would have retried within 10 ms.
    expect(second! - first!).toBeGreaterThanOrEqual(900);
    expect(sandbox.stats.stored).toHaveLength(4);
    expect(run.summary).toMatchObject({ accepted: 4, retries: 1, requests: 2 });
  });

  it('backs off and retries a 429 that carries no Retry-After (flaring sends none)', async () => {
    const sandbox = await startSandbox({ target: 'flaring', faultSequence: ['429', '429'] });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'flare.ndjson'), [
      { event: 'Flaring Event', timestamp: '2024-02-01T06:00:00Z', objects: [{ type: 'flare_stack', id: 'STK-1' }], properties: { volume_mscf: 1, reason: 'planned' } },
    ]);
    const run = await importInto(sandbox, dir, [file, ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.statusCounts).toMatchObject({ '429': 2, '201': 1 });
    expect(run.summary).toMatchObject({ accepted: 1, retries: 2 });
  });
});

describe('server errors and dropped connections', () => {
  it('retries 5xx and resets, then delivers each event exactly once', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', faultSequence: ['503', '500', 'reset', '503', 'reset'] });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(6));
    const run = await importInto(sandbox, dir, [file, '--batch-size', '1', ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.statusCounts).toMatchObject({ '500': 1, '503': 2, reset: 2, '200': 6 });
    expect([...sandbox.stats.keyCounts.entries()].sort()).toEqual(generateEvents(6).map((event) => [event.idempotency_key, 1]).sort());
    expect(run.summary).toMatchObject({ read: 6, accepted: 6, retries: 5, requests: 11, rejectedServer: 0 });
  });

  it('ends with no duplicate committed when a batch was stored but its answer was lost (immutable)', async () => {
    const sandbox = await startSandbox({ target: 'immutable', faultSequence: ['commit-reset'] });
    const run = await importInto(sandbox, await tempDir(), [eventsNdjson, ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.statusCounts['commit-reset']).toBe(1);
    expect(sandbox.stats.stored).toHaveLength(4);
    expect([...sandbox.stats.keyCounts.values()]).toEqual([1, 1, 1, 1]);
    // The resent batch came back as duplicates: delivered, and said so.
    expect(run.summary).toMatchObject({ read: 4, accepted: 0, duplicates: 4, retries: 1 });
    expectAccounted(run.summary);
  });

  it('stops when retries run out on 5xx, counting the events "not sent" (never rejected) with the status and message', async () => {
    const sandbox = await startSandbox({ target: 'immutable', faultSequence: ['503', '503', '503'] });
    const run = await importInto(sandbox, await tempDir(), [eventsNdjson, '--max-retries', '2', ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.summary).toMatchObject({ outcome: 'aborted', read: 4, accepted: 0, rejectedServer: 0, unsent: 4, retries: 2, requests: 3 });
    expect(run.rejects).toHaveLength(0);
    expect(run.summary.error).toMatch(/kept failing on POST \/api\/v1\/events\/batch: HTTP 503 \(service_unavailable.*after 3 attempts/);
  });
});

describe('events the server refuses', () => {
  it('rejects a 422 alone while its flowmyna batch neighbours are delivered', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const events = generateEvents(5);
    // A leap second passes eventload's checks; FlowMyna's datetime parsing refuses it.
    events[2]!.timestamp = '2016-12-31T23:59:60Z';
    const file = await writeNdjson(join(dir, 'events.ndjson'), events);
    const run = await importInto(sandbox, dir, [file]);
    expect(run.code, run.stderr).toBe(1);
    expect(sandbox.stats.ingestRequests).toBe(1);
    expect(sandbox.stats.stored.map((stored) => (stored.body.objects as Array<{ id: string }>)[0]!.id)).toEqual(['SO-0', 'SO-1', 'SO-3', 'SO-4']);
    expect(run.summary).toMatchObject({ read: 5, accepted: 4, rejectedServer: 1, rejectedLocal: 0 });
    expect(run.rejects).toHaveLength(1);
    expect(run.rejects[0]).toMatchObject({ line: 3, stage: 'server', status: 422, event: { idempotency_key: 'gen-2' } });
    expect(run.rejects[0]!.reason).toContain('events.2.timestamp: Input should be a valid datetime');
  });

  it('rejects a 422 alone while its immutable batch neighbours are delivered', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const events = generateEvents(5);
    // Canonical actor ids may be 500 characters; the audit log takes 255.
    events[1]!.actor = { id: 'u'.repeat(300) };
    const file = await writeNdjson(join(dir, 'events.ndjson'), events);
    const run = await importInto(sandbox, dir, [file]);
    expect(run.code, run.stderr).toBe(1);
    expect([...sandbox.stats.keyCounts.keys()].sort()).toEqual(['gen-0', 'gen-2', 'gen-3', 'gen-4']);
    expect(run.summary).toMatchObject({ read: 5, accepted: 4, rejectedServer: 1 });
    expect(run.rejects[0]).toMatchObject({ line: 2, stage: 'server', status: 422 });
    expect(run.rejects[0]!.reason).toContain('actor_id: must be at most 255 characters');
  });
});

describe('a batch too large for the server', () => {
  it('is sent again in halves, so only an event too large on its own is rejected', async () => {
    const sandbox = await startSandbox({ target: 'immutable' }); // takes bodies up to 1 MiB
    const dir = await tempDir();
    const events = generateEvents(60).map((event) => ({ ...event, properties: { blob: 'x'.repeat(30_000) } })); // 1.8 MB in one batch
    // Over 1 MiB alone, yet within every limit eventload checks locally.
    events[7]!.objects.push({ type: 'Attachment', id: 'A-1', properties: { content: 'y'.repeat(1_100_000) } });
    const file = await writeNdjson(join(dir, 'big.ndjson'), events);
    const run = await importInto(sandbox, dir, [file, '--max-record-size', '3000000']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: 60, sent: 60, accepted: 59, rejectedServer: 1, rejectedLocal: 0 });
    expectAccounted(run.summary);
    expect(sandbox.stats.keyCounts.size).toBe(59);
    expect(run.rejects.map((reject) => [reject.line, reject.stage, reject.status])).toEqual([[8, 'server', 413]]);
  });
});

describe('accounting under random faults', () => {
  const faults = { failRate: 0.3, faultKinds: ['429', '503', 'reset'] as const, retryAfterSeconds: 0, seed: 7 };

  async function messyInput(dir: string) {
    const events = generateEvents(300);
    events[150]!.timestamp = '2016-12-31T23:59:60Z'; // refused by the server
    const lines = events.map((event) => JSON.stringify(event));
    lines.splice(10, 0, '{"event": "broken json"'); // refused when read
    lines.splice(200, 0, JSON.stringify({ event: 'No objects', timestamp: '2024-01-01T00:00:00Z', objects: [] })); // refused when validated
    const file = join(dir, 'messy.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    return { file, events };
  }

  it('accounts for every event read, in the --json summary and the --report file alike (flowmyna)', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', ...faults, faultKinds: [...faults.faultKinds] });
    const dir = await tempDir();
    const { file } = await messyInput(dir);
    const report = join(dir, 'report.json');
    const run = await importInto(sandbox, dir, [file, '--batch-size', '7', '--concurrency', '4', '--max-retries', '10', '--report', report, ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: 302, accepted: 299, rejectedLocal: 2, rejectedServer: 1, duplicates: 0, unsent: 0 });
    expect(run.summary.retries).toBeGreaterThan(0);
    expectAccounted(run.summary);
    const written = JSON.parse(await readFile(report, 'utf8')) as Summary;
    expect({ ...written, elapsedSeconds: 0 }).toEqual({ ...run.summary, elapsedSeconds: 0 });
    // Faults were hit, yet nothing was stored twice (resets here happen before the server commits).
    expect(sandbox.stats.statusCounts.reset ?? 0).toBeGreaterThan(0);
    const ids = sandbox.stats.stored.map((stored) => (stored.body.objects as Array<{ id: string }>)[0]!.id);
    expect(new Set(ids).size).toBe(299);
    expect(ids).toHaveLength(299);
    expect(run.rejects.map((reject) => reject.stage).sort()).toEqual(['read', 'server', 'validate']);
  });

  it('accounts for every event when answers are lost after the commit (immutable)', async () => {
    const sandbox = await startSandbox({ target: 'immutable', ...faults, faultKinds: ['429', '503', 'reset', 'commit-reset'] });
    const dir = await tempDir();
    const { file } = await messyInput(dir);
    const run = await importInto(sandbox, dir, [file, '--batch-size', '10', '--concurrency', '4', '--max-retries', '10', ...FAST_RETRIES]);
    expect(run.code, run.stderr).toBe(1);
    expectAccounted(run.summary);
    expect(run.summary).toMatchObject({ read: 302, rejectedLocal: 2, rejectedServer: 1, unsent: 0 });
    expect(run.summary.accepted + run.summary.duplicates).toBe(299);
    expect(sandbox.stats.statusCounts['commit-reset'] ?? 0).toBeGreaterThan(0);
    expect(run.summary.duplicates).toBeGreaterThan(0);
    expect(sandbox.stats.keyCounts.size).toBe(299);
    expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
  });
});
