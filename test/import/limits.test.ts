// Concurrency and rate, measured by the server: how many requests it saw at once, and when each
// arrived. Bounds are generous for timing, exact for delivery.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAccounted, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

/** The most requests that arrived within any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('--concurrency', () => {
  it('never has more requests in flight than asked, and does use them all', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', latencyMs: 60 });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(40));
    const run = await importInto(sandbox, dir, [file, '--batch-size', '1', '--concurrency', '3']);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.ingestRequests).toBe(40);
    expect(sandbox.stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(sandbox.stats.maxInFlight).toBeGreaterThanOrEqual(2); // the workers do overlap
    expect(run.summary).toMatchObject({ read: 40, accepted: 40 });
  });

  it('holds batches to the limit as well', async () => {
    const sandbox = await startSandbox({ target: 'immutable', latencyMs: 60 });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(120));
    const run = await importInto(sandbox, dir, [file, '--batch-size', '5', '--concurrency', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.ingestRequests).toBe(24);
    expect(sandbox.stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(sandbox.stats.stored).toHaveLength(120);
  });
});

describe('--rate', () => {
  it('spaces requests to the given rate, within one second of tolerance', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(25));
    const rate = 10;
    const run = await importInto(sandbox, dir, [file, '--batch-size', '1', '--concurrency', '8', '--rate', String(rate)]);
    expect(run.code, run.stderr).toBe(0);
    const times = sandbox.stats.requestTimes;
    expect(times).toHaveLength(25);
    // 25 requests at 10/s take 2.4 s; unlimited they would take a few milliseconds.
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeGreaterThanOrEqual(((25 - 1) / rate - 1) * 1000);
    // In any second, no more than a second's worth of slack beyond the rate.
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(2 * rate);
    expect(busiestWindow(times, 2000)).toBeLessThanOrEqual(3 * rate);
  });

  it("keeps to flaring's documented 100/min burst 10 by default, so the server never says 429", async () => {
    const sandbox = await startSandbox({ target: 'flaring' }); // enforces 100/min, burst 10, with no Retry-After
    const dir = await tempDir();
    const events = Array.from({ length: 11 }, (_, i) => ({
      event: 'Flaring Event',
      timestamp: new Date(Date.UTC(2024, 0, 1, i)).toISOString(),
      objects: [{ type: 'flare_stack', id: `STK-${i}` }],
      properties: { volume_mscf: i, reason: 'planned' },
    }));
    const file = await writeNdjson(join(dir, 'flares.ndjson'), events);
    const run = await importInto(sandbox, dir, [file, '--concurrency', '8']);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.statusCounts['429']).toBeUndefined();
    expect(sandbox.stats.stored).toHaveLength(11);
    expect(run.summary).toMatchObject({ accepted: 11, retries: 0 });
    expectAccounted(run.summary);
  });
});
