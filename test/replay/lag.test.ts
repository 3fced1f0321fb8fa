// recordLag: worst and 95th-percentile lag in constant memory.
import { describe, expect, it } from 'vitest';
import { createReplayStats, recordLag } from '../../src/replay/schedule.js';

describe('recordLag', () => {
  it('keeps the worst lag and the nearest-rank p95', () => {
    const stats = createReplayStats();
    for (let lag = 1; lag <= 100; lag++) recordLag(stats, lag);
    expect(stats.lagMaxMs).toBe(100);
    expect(stats.lagP95Ms).toBe(95);
  });

  it('is right whatever order the samples come in', () => {
    const stats = createReplayStats();
    const lags = Array.from({ length: 1000 }, (_, index) => (index * 389) % 1000); // 0..999, shuffled
    for (const lag of lags) recordLag(stats, lag);
    expect(stats.lagP95Ms).toBe(949);
    expect(stats.lagMaxMs).toBe(999);
  });

  it('follows the p95 down when most lags are small again', () => {
    const stats = createReplayStats();
    for (let i = 0; i < 10; i++) recordLag(stats, 5000);
    expect(stats.lagP95Ms).toBeGreaterThan(4900);
    for (let i = 0; i < 1000; i++) recordLag(stats, 2);
    expect(stats.lagP95Ms).toBe(2);
    expect(stats.lagMaxMs).toBe(5000);
  });

  it('stays within 2 % for long lags', () => {
    const stats = createReplayStats();
    for (let i = 1; i <= 1000; i++) recordLag(stats, i * 100); // 100 ms .. 100 s
    expect(stats.lagP95Ms).toBeGreaterThan(95_000 * 0.98);
    expect(stats.lagP95Ms).toBeLessThanOrEqual(95_000);
  });

  it('counts a negative or non-finite lag as none', () => {
    const stats = createReplayStats();
    recordLag(stats, -3);
    recordLag(stats, Number.NaN);
    expect(stats).toMatchObject({ lagMaxMs: 0, lagP95Ms: 0 });
  });

  it('keeps separate stats apart', () => {
    const a = createReplayStats();
    const b = createReplayStats();
    recordLag(a, 500);
    recordLag(b, 7);
    expect([a.lagP95Ms, b.lagP95Ms]).toEqual([500, 7]);
  });
});
