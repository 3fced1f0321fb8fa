// The report's timeline stays within its bucket count however long the run, and loses no count
// when it widens: a long run's chart has wider buckets, not more of them.
import { describe, expect, it } from 'vitest';
import { Timeline } from '../../src/report/timeline.js';

describe('timeline', () => {
  it('keeps one-second buckets for a short run', () => {
    const timeline = new Timeline(10);
    timeline.add('read', 0, 3);
    timeline.add('read', 2500, 4);
    expect(timeline.data()).toEqual({ bucketSeconds: 1, buckets: 3, series: { read: [3, 0, 4] } });
  });

  it('widens past its last bucket, keeping every count (sums add, maxima keep the larger)', () => {
    const timeline = new Timeline(4);
    for (let second = 0; second < 100; second++) {
      timeline.add('read', second * 1000, 1);
      timeline.add('latency', second * 1000, second, 'max');
    }
    const data = timeline.data();
    expect(data.buckets).toBeLessThanOrEqual(4);
    expect(data.bucketSeconds).toBe(32);
    expect(data.series.read!.reduce((a, b) => a + b, 0)).toBe(100);
    expect(data.series.read).toEqual([32, 32, 32, 4]);
    expect(data.series.latency).toEqual([31, 63, 95, 99]);
  });

  it('gives every series the same length, up to the run end', () => {
    const timeline = new Timeline(8);
    timeline.add('a', 0, 1);
    timeline.add('b', 3000, 1);
    timeline.reach(5000);
    expect(timeline.data().series).toEqual({ a: [1, 0, 0, 0, 0, 0], b: [0, 0, 0, 1, 0, 0] });
  });

  it('folds one series into another bucket by bucket', () => {
    const timeline = new Timeline(8);
    timeline.add('a', 0, 1);
    timeline.add('b', 1000, 2);
    timeline.add('other', 1000, 1);
    timeline.fold('b', 'other');
    expect(timeline.data().series).toEqual({ a: [1, 0], other: [0, 3] });
  });
});
