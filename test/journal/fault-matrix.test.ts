// The fault matrix: 10,000 events through 10% 429 (with Retry-After), 5% 503, 5% connection
// resets and 5% commit-then-reset, and every event is accounted for.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAccounted, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

// Drawn uniformly from this list on 25% of requests: 429 twice as often as each of the others.
const FAULTS = { failRate: 0.25, faultKinds: ['429', '429', '503', 'reset', 'commit-reset'] as const, retryAfterSeconds: 0, seed: 7 };
const FAST_RETRIES = ['--backoff-base', '1', '--max-retries', '12', '--concurrency', '16'];

describe('fault matrix', () => {
  it('immutable: read = accepted + duplicates + rejected, and no event is committed twice', async () => {
    const sandbox = await sandboxes({ target: 'immutable', ...FAULTS, faultKinds: [...FAULTS.faultKinds] });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(10_000));
    const run = await importInto(sandbox, dir, [input, '--batch-size', '1', ...FAST_RETRIES], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.summary);
    expect(run.summary.read).toBe(10_000);
    expect(run.summary.accepted + run.summary.duplicates).toBe(10_000);
    expect(run.summary.retries).toBeGreaterThan(1000);
    // Every commit-then-reset came back as "duplicate" when resent; none was stored twice.
    expect(sandbox.stats.keyCounts.size).toBe(10_000);
    expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
    expect(run.summary.duplicates).toBeGreaterThan(0);
    expect(sandbox.stats.statusCounts['commit-reset']).toBeGreaterThan(0);
  }, 180_000);

  it('flowmyna in batches: nothing lost, and extra copies only for answers that were lost', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', ...FAULTS, faultKinds: [...FAULTS.faultKinds] });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(10_000));
    const run = await importInto(sandbox, dir, [input, '--batch-size', '50', ...FAST_RETRIES], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.summary);
    expect(run.summary.accepted).toBe(10_000);
    const perEvent = new Map<string, number>();
    for (const { body } of sandbox.stats.stored) {
      const id = (body.objects as Array<{ id: string }>)[0]!.id;
      perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
    }
    expect(perEvent.size).toBe(10_000);
    // FlowMyna has no deduplication: each commit-then-reset batch is stored again when resent.
    const lostAnswers = sandbox.stats.statusCounts['commit-reset'] ?? 0;
    expect(sandbox.stats.stored.length - 10_000).toBe(lostAnswers * 50);
  }, 180_000);
});
