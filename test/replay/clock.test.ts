// The injected clocks: the fake one moves on when slept on; the real one really waits and stops on abort.
import { describe, expect, it } from 'vitest';
import { FakeClock, realClock } from '../../src/replay/clock.js';

describe('FakeClock', () => {
  it('moves virtual time on by each sleep at once, and logs it', async () => {
    const clock = new FakeClock(1000);
    await clock.sleep(250);
    await clock.sleep(0);
    clock.advance(5);
    expect(clock.now()).toBe(1255);
    expect(clock.sleeps).toEqual([250, 0]);
  });

  it('does not move when the sleep is already aborted', async () => {
    const clock = new FakeClock(0);
    await clock.sleep(100, AbortSignal.abort());
    expect(clock.now()).toBe(0);
  });
});

describe('realClock', () => {
  it('reads close to Date.now()', () => {
    expect(Math.abs(realClock.now() - Date.now())).toBeLessThan(1000);
  });

  it('sleeps at least as long as asked', async () => {
    const before = realClock.now();
    await realClock.sleep(20);
    expect(realClock.now() - before).toBeGreaterThanOrEqual(19);
  });

  it('wakes early, without throwing, when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const before = realClock.now();
    await realClock.sleep(60_000, controller.signal);
    expect(realClock.now() - before).toBeLessThan(5000);
  });
});
