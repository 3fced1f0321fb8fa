// The bounded reorder window on its own.
import { describe, expect, it } from 'vitest';
import { ReorderWindow, type Timed } from '../../src/replay/reorder.js';

function run(capacity: number, times: number[]): Timed<string>[] {
  const window = new ReorderWindow<string>(capacity);
  const out: Timed<string>[] = [];
  times.forEach((time, index) => {
    const left = window.add(`#${index}`, time);
    if (left) out.push(left);
  });
  return [...out, ...window.drain()];
}

describe('ReorderWindow', () => {
  it('puts disorder shorter than the window right', () => {
    expect(run(3, [5, 1, 4, 2, 3, 9, 7, 8]).map((entry) => entry.time)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
  });

  it('keeps input order among equal times', () => {
    expect(run(10, [2, 1, 2, 1, 2]).map((entry) => entry.item)).toEqual(['#1', '#3', '#0', '#2', '#4']);
  });

  it('holds at most its capacity', () => {
    const window = new ReorderWindow<number>(2);
    expect(window.add(1, 30)).toBeUndefined();
    expect(window.add(2, 10)).toBeUndefined();
    expect(window.add(3, 20)).toEqual({ item: 2, time: 10, late: false });
    expect(window.size).toBe(2);
  });

  it('lets an event older than one already out through at once, marked late', () => {
    const out = run(1, [0, 5, 6, 1, 7]);
    expect(out.map((entry) => [entry.time, entry.late])).toEqual([[0, false], [5, false], [1, true], [6, false], [7, false]]);
  });

  it('with capacity 0 passes events as read, marking the ones that go back in time', () => {
    expect(run(0, [0, 2, 1, 2, 3]).map((entry) => [entry.time, entry.late])).toEqual([[0, false], [2, false], [1, true], [2, false], [3, false]]);
  });

  it('never drops anything, whatever the disorder', () => {
    const times = Array.from({ length: 500 }, (_, index) => (index * 7919) % 503);
    const out = run(16, times);
    expect(out).toHaveLength(500);
    expect(out.map((entry) => entry.item).sort()).toEqual(times.map((_, index) => `#${index}`).sort());
    const onTime = out.filter((entry) => !entry.late).map((entry) => entry.time);
    expect(onTime).toEqual([...onTime].sort((a, b) => a - b));
  });

  it('refuses a capacity that is not a whole number from 0', () => {
    expect(() => new ReorderWindow(-1)).toThrow(RangeError);
  });
});
