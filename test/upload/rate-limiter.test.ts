// The shared token bucket, driven by an injected clock: what it lets through at once, and when
// the rest may go. Waiting callers poll the clock after short real sleeps, so each test waits
// at most a few hundred milliseconds.
import { describe, expect, it } from 'vitest';
import { nextSlot, RateLimiter } from '../../src/upload/rate-limiter.js';

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

  it('shards take turns: a worker sends only in its own time slots, once per slot, and never in another worker\'s', async () => {
    // 10 requests/s for the whole job: slots of 100 ms; 1,000,000 ms is slot 10000, worker 1's of 3 (10000 mod 3).
    const time = clock(1_000_000);
    const own = new RateLimiter(10, 1, time.now, { index: 1, count: 3 });
    const other = new RateLimiter(10, 1, time.now, { index: 0, count: 3 });
    expect(await settled(own.take())).toBe(true);
    const otherFirst = other.take();
    expect(await settled(otherFirst)).toBe(false); // slot 10000 is not worker 0's
    const second = own.take();
    expect(await settled(second)).toBe(false); // one request per slot
    time.advance(100); // slot 10001: worker 2's
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await settled(second)).toBe(false);
    expect(await settled(otherFirst)).toBe(false);
    time.advance(100); // slot 10002: worker 0's
    await otherFirst;
    expect(await settled(second)).toBe(false);
    time.advance(100); // slot 10003: worker 1's again
    await second;
  });

  it('with slots, one second of the clock sees at most the slots it spans (rate + 1, one request each), however late in its slot each worker sends', () => {
    // Three workers that always have a request ready; each leaves at a random point of its slot
    // (a busy event loop), as late as the slot's end. 10 requests/s: slots of 100 ms.
    const rate = 10;
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const sentAt: number[] = [];
    for (let index = 0; index < 3; index++) {
      let last = -Infinity;
      let now = 1_000_003 + index;
      while (now < 1_030_000) {
        const { slot, start } = nextSlot(now, rate, { index, count: 3 }, last);
        expect(((slot % 3) + 3) % 3).toBe(index);
        expect(slot).toBeGreaterThan(last);
        last = slot;
        now = Math.max(now, start) + random() * 99; // it leaves within its slot
        sentAt.push(now);
      }
    }
    sentAt.sort((a, b) => a - b);
    expect(sentAt.length).toBeGreaterThan(250);
    let most = 0;
    for (let i = 0, j = 0; i < sentAt.length; i++) {
      while (sentAt[j]! < sentAt[i]! - 999.999) j++;
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(rate + 1); // a whole second spans at most rate + 1 slots, one request each
  });
});
