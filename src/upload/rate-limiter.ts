// A token bucket shared by every worker: --rate is requests per second for the whole run,
// whatever the concurrency. The server can also pause everyone (429 Retry-After, RateLimit headers).
//
// The workers of a sharded job (--shard I/N) are separate processes: instead of a bucket each,
// which may all send at the same moment, they take turns. The clock is cut into slots of
// 1 / perSecond seconds (perSecond is then the whole job's rate); worker I sends at most one
// request per slot, in the slots whose number is I modulo N. Two workers never share a slot, so
// any second of the server's clock sees at most about perSecond requests from the whole job,
// whatever each worker's timing, without the workers talking to each other: they need only share
// the clock (one machine, or machines kept in time by NTP).
import { setTimeout as sleep } from 'node:timers/promises';

/** This worker's turn among `count` workers (any `index`, taken modulo `count`). */
export interface RateSlots {
  index: number;
  count: number;
}

export class RateLimiter {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  /** The last slot this worker sent in (with `slots`). */
  private lastSlot = -Infinity;

  /** perSecond undefined = no limit (only server pauses apply). With `slots`, perSecond is the whole job's and burst is 1. */
  constructor(
    private readonly perSecond: number | undefined,
    private readonly burst = 1,
    private readonly now: () => number = Date.now,
    private readonly slots?: RateSlots,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Makes every caller wait until `time` (ms since epoch); keeps the later of two pauses. */
  pauseUntil(time: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, time);
  }

  get pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /**
   * Resolves when the caller may send one request. Callers are served in arrival order. Once
   * `signal` is aborted it resolves at once without using a token: the caller checks the signal.
   */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForToken(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const pause = this.pausedUntil - this.now();
      if (pause > 0) {
        await wait(pause, signal);
        continue;
      }
      if (this.perSecond === undefined) return;
      if (this.slots) {
        const ms = this.waitForSlot();
        if (ms === 0) return;
        await wait(ms, signal);
        continue;
      }
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await wait(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }

  /** 0 when this worker may send now (and the slot is then used), else the milliseconds until its next slot. */
  private waitForSlot(): number {
    const now = this.now();
    const { slot, start } = nextSlot(now, this.perSecond!, this.slots!, this.lastSlot);
    if (start > now) return Math.max(1, Math.ceil(start - now));
    this.lastSlot = slot;
    return 0;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond!);
    this.last = now;
  }
}

/**
 * The first slot at or after `now` (ms on the shared clock) that is this worker's and later than
 * `after` (the last one it used), with its start; the worker may send once the start has come.
 */
export function nextSlot(now: number, perSecond: number, slots: RateSlots, after: number): { slot: number; start: number } {
  const length = 1000 / perSecond;
  let slot = Math.max(Math.floor(now / length), after + 1);
  slot += (((slots.index - slot) % slots.count) + slots.count) % slots.count;
  return { slot, start: slot * length };
}

/** Sleeps, cut short (without an error) when the signal is aborted. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<unknown> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
