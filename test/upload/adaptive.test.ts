// Adaptive concurrency: against a model server, and against the sandbox throttling above 8.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency } from '../../src/upload/adaptive.js';
import { expectAccounted, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

describe('AdaptiveConcurrency', () => {
  it('climbs while every slot is busy, then settles near a server limit of 8 with few throttled answers', () => {
    let clock = 0;
    const adaptive = new AdaptiveConcurrency(64, () => clock);
    const limits: number[] = [];
    let throttled = 0;
    for (let i = 0; i < 4000; i++) {
      clock += 5; // one answer every 5 ms
      const inFlight = adaptive.limit;
      const tooMany = inFlight > 8;
      if (tooMany) throttled++;
      adaptive.observe({ throttled: tooMany, ms: 4, inFlight });
      limits.push(adaptive.limit);
    }
    const settled = limits.slice(1000);
    expect(Math.max(...settled)).toBeLessThanOrEqual(9);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(6);
    const mean = settled.reduce((sum, value) => sum + value, 0) / settled.length;
    expect(mean).toBeGreaterThanOrEqual(7);
    expect(throttled / 4000).toBeLessThan(0.05);
  });

  it('tries the limit where the server pushed back only after a hold that doubles each time', () => {
    let clock = 0;
    const adaptive = new AdaptiveConcurrency(64, () => clock);
    const throttledAt: number[] = [];
    for (let i = 0; i < 24_000; i++) {
      clock += 5; // two minutes of answers, one every 5 ms
      const inFlight = adaptive.limit;
      if (inFlight > 8) throttledAt.push(clock);
      adaptive.observe({ throttled: inFlight > 8, ms: 4, inFlight });
    }
    // The first push-back, then probes after about 10 s, 20 s, 40 s: a handful of 429s in 24,000 answers.
    expect(throttledAt.length).toBeGreaterThanOrEqual(2);
    expect(throttledAt.length).toBeLessThanOrEqual(6);
    const gaps = throttledAt.slice(1).map((at, i) => at - throttledAt[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(10_000);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(2 * gaps[i - 1]! - 1000);
    expect(adaptive.limit).toBe(8);
  });

  it('climbs past an old ceiling when the server gets more room', () => {
    let clock = 0;
    let serverLimit = 8;
    const adaptive = new AdaptiveConcurrency(64, () => clock);
    for (let i = 0; i < 60_000; i++) {
      clock += 5;
      if (clock === 30_000) serverLimit = 16;
      const inFlight = adaptive.limit;
      adaptive.observe({ throttled: inFlight > serverLimit, ms: 4, inFlight });
    }
    expect(adaptive.limit).toBeGreaterThanOrEqual(14);
    expect(adaptive.limit).toBeLessThanOrEqual(16);
  });

  it('never goes above the maximum or below one', () => {
    let clock = 0;
    const adaptive = new AdaptiveConcurrency(5, () => clock);
    for (let i = 0; i < 500; i++) adaptive.observe({ throttled: false, ms: 1, inFlight: adaptive.limit });
    expect(adaptive.limit).toBe(5);
    for (let i = 0; i < 500; i++) {
      clock += 100;
      adaptive.observe({ throttled: true, ms: 1, inFlight: adaptive.limit });
    }
    expect(adaptive.limit).toBe(1);
  });

  it('backs off when answers get much slower than the baseline, not on loopback noise', () => {
    let clock = 0;
    const adaptive = new AdaptiveConcurrency(64, () => clock, 10);
    for (let i = 0; i < 200; i++) adaptive.observe({ throttled: false, ms: 2 + (i % 3), inFlight: 0 });
    expect(adaptive.limit).toBe(10);
    clock += 1000;
    adaptive.observe({ throttled: false, ms: 200, inFlight: 10 });
    expect(adaptive.limit).toBe(9);
  });

  it('cuts at most once per round trip for one burst of throttling', () => {
    let clock = 0;
    const adaptive = new AdaptiveConcurrency(64, () => clock, 16);
    for (let i = 0; i < 16; i++) adaptive.observe({ throttled: true, ms: 50, inFlight: 16 });
    expect(adaptive.limit).toBe(12);
  });
});

describe('--concurrency auto against the sandbox', () => {
  it('settles near the 8 requests the server allows, delivering everything with few 429s', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', maxConcurrent: 8, retryAfterSeconds: 0, latencyMs: 5 });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3000));
    const run = await importInto(sandbox, dir, [input, '--batch-size', '1', '--concurrency', 'auto', '--concurrency-max', '64', '--backoff-base', '20', '--max-retries', '20'], { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expectAccounted(run.summary);
    expect(run.summary.accepted).toBe(3000);
    const report = (run.summary as unknown as { concurrency: { final: number; peak: number; throttled: number } }).concurrency;
    expect(report.final).toBeGreaterThanOrEqual(4);
    expect(report.final).toBeLessThanOrEqual(12);
    expect(report.peak).toBeLessThanOrEqual(16);
    const throttled = sandbox.stats.statusCounts['429'] ?? 0;
    expect(throttled / sandbox.stats.ingestRequests).toBeLessThan(0.1);
  }, 150_000);

  it('holds at most concurrency × batch size events between reader and socket', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna', latencyMs: 10 });
    const dir = await tempDir();
    const input = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(4000));
    const run = await importInto(sandbox, dir, [input, '--batch-size', '10', '--concurrency', '4']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.accepted).toBe(4000);
    expect(run.summary.peakEventsInFlight).toBe(40);
    expect(sandbox.stats.maxInFlight).toBeLessThanOrEqual(4);
  });
});
