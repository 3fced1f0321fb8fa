// The shared token bucket, driven by an injected clock: what it lets through at once, and when
// the rest may go. Waiting callers poll the clock after short real sleeps, so each test waits
// at most a few hundred milliseconds.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/upload/rate-limiter.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Resolves to whether the promise settled within a few event-loop turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('RateLimiter', () => {
  it('lets the burst through at once and holds the next caller', async () => {
    const time = clock();
    const limiter = new RateLimiter(10, 3, time.now);
    expect(await settled(Promise.all([limiter.take(), limiter.take(), limiter.take()]))).toBe(true);
    const fourth = limiter.take();
    expect(await settled(fourth)).toBe(false);
    time.advance(100);
    await fourth;
  });

  it('releases a held caller once the clock has refilled one token', async () => {
    const time = clock();
    const limiter = new RateLimiter(10, 1, time.now); // one token per 100 ms
    await limiter.take();
    const next = limiter.take();
    expect(await settled(next)).toBe(false);
    time.advance(50);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the limiter has looked at the clock again
    expect(await settled(next)).toBe(false); // half a token is not a token
    time.advance(50);
    await expect(Promise.race([next.then(() => 'released'), new Promise((resolve) => setTimeout(() => resolve('held'), 5000))])).resolves.toBe('released');
  });

  it('never saves up more than the burst while idle', async () => {
    const time = clock();
    const limiter = new RateLimiter(10, 2, time.now);
    time.advance(60_000); // a minute idle would be 600 tokens without the cap
    expect(await settled(Promise.all([limiter.take(), limiter.take()]))).toBe(true);
    const third = limiter.take();
    expect(await settled(third)).toBe(false);
    time.advance(100);
    await third;
  });

  it('serves callers in the order they arrived', async () => {
    const time = clock();
    const limiter = new RateLimiter(100, 1, time.now);
    const order: number[] = [];
    const takes = [0, 1, 2, 3].map((n) => limiter.take().then(() => order.push(n)));
    for (let i = 0; i < 50 && order.length < 4; i++) {
      time.advance(10); // one token
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(takes);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('has no limit without a rate, but still obeys a pause from the server', async () => {
    const time = clock();
    const limiter = new RateLimiter(undefined, 1, time.now);
    expect(await settled(Promise.all(Array.from({ length: 100 }, () => limiter.take())))).toBe(true);
    limiter.pauseUntil(time.now() + 200);
    expect(limiter.pausedFor).toBe(200);
    const paused = limiter.take();
    expect(await settled(paused)).toBe(false);
    time.advance(200);
    await paused;
  });

  it('keeps the later of two pauses', () => {
    const time = clock();
    const limiter = new RateLimiter(undefined, 1, time.now);
    limiter.pauseUntil(time.now() + 5000);
    limiter.pauseUntil(time.now() + 1000);
    expect(limiter.pausedFor).toBe(5000);
    time.advance(6000);
    expect(limiter.pausedFor).toBe(0);
  });
});
