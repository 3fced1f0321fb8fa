// The clock replay schedules against, injected so that tests can run hours of event time in
// virtual time: a real one (monotonic, epoch-based milliseconds) and a fake one.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch (may be fractional). */
  now(): number;
  /** Resolves after `ms`, or early (never rejecting) once `signal` is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Real time. `now()` is the process start's wall time plus a monotonic counter, so a wall-clock
 * step (NTP, DST on a badly set machine) neither stalls nor rushes a replay under way.
 */
export const realClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  async sleep(ms, signal) {
    if (ms <= 0 || signal?.aborted) return;
    // Whole milliseconds: timers have no finer resolution; the scheduler re-checks the clock after waking.
    await delay(Math.ceil(ms), undefined, { signal }).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'AbortError')) throw error;
    });
  },
};

/**
 * Virtual time for tests: `sleep(ms)` moves the clock on by `ms` at once and resolves. Made for
 * one sleeper at a time (the scheduler, then a consumer between pulls): two sleeps started
 * together would add up rather than overlap. Every sleep is logged in `sleeps`, so a test can
 * tell that nothing waited when nothing should have.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private time: number;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return;
    this.time += Math.max(0, ms);
  }

  /** Moves virtual time on without anybody sleeping (work that takes time). */
  advance(ms: number): void {
    this.time += ms;
  }
}
