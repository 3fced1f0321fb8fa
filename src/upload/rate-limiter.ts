// A token bucket shared by every worker: --rate is requests per second for the whole run,
// whatever the concurrency. The server can also pause everyone (429 Retry-After, RateLimit headers).
import { setTimeout as sleep } from 'node:timers/promises';

export class RateLimiter {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  /** perSecond undefined = no limit (only server pauses apply). */
  constructor(private readonly perSecond: number | undefined, private readonly burst = 1, private readonly now: () => number = Date.now) {
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
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await wait(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond!);
    this.last = now;
  }
}

/** Sleeps, cut short (without an error) when the signal is aborted. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<unknown> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
