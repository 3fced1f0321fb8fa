// `--concurrency auto`: adaptive request concurrency in the spirit of Vector's ARC. Additive
// increase while every slot is busy and the server keeps up; multiplicative decrease on 429/503
// or when answers take much longer than the run's baseline. Bounded by --concurrency-max.
//
// Where the server pushed back is remembered (the ceiling): the limit climbs back to just below
// it and stays there, and tries the ceiling again only after a hold that doubles each time the
// server pushes back there again. Probing on every round would cost a 429 every few dozen
// answers, and a 429's Retry-After pauses every request of the run, so each probe is expensive.
export interface AdaptiveSample {
  /** The server said "slow down" (429, 503). */
  throttled: boolean;
  /** How long the answer took. */
  ms: number;
  /** Requests in flight when this one was sent. */
  inFlight: number;
}

export const ADAPTIVE_DEFAULTS = {
  initial: 2,
  decrease: 0.75, // on throttling; Vector uses 0.9 for latency, halving collapses too far for a sawtooth
  latencyDecrease: 0.9,
  // An answer this many times slower than the baseline counts as rising latency.
  latencyFactor: 3,
  // Small absolute differences on loopback are noise, not congestion.
  latencyFloorMs: 25,
  baselineWeight: 0.05, // slow EWMA: the baseline follows the server, not one slow answer
  probeHoldMs: 10_000, // first wait before trying the ceiling again
  probeHoldMaxMs: 5 * 60_000,
};

export class AdaptiveConcurrency {
  private value: number;
  private baseline: number | undefined;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  /** The limit at which the server last pushed back; reached again only after `probeAt`. */
  private ceiling = Number.POSITIVE_INFINITY;
  private probeHold: number = ADAPTIVE_DEFAULTS.probeHoldMs;
  private probeAt = 0;
  /** Answers that came back without a push-back while the ceiling itself was in use. */
  private answersAtCeiling = 0;
  /** Counters for the report and the tests. */
  readonly history = { increases: 0, decreases: 0, throttled: 0, peak: 0 };

  constructor(private readonly max: number, private readonly now: () => number = Date.now, initial = ADAPTIVE_DEFAULTS.initial) {
    this.value = Math.max(1, Math.min(initial, max));
    this.history.peak = Math.floor(this.value);
  }

  /** The number of requests allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.value));
  }

  observe(sample: AdaptiveSample): void {
    if (sample.throttled) {
      this.history.throttled++;
      // A request sent before the last cut was refused at the old level: that says nothing new.
      if (this.now() - sample.ms <= this.lastDecrease) return;
      this.pushedBack(Math.max(1, sample.inFlight));
      this.decrease(ADAPTIVE_DEFAULTS.decrease);
      return;
    }
    const baseline = this.baseline;
    this.baseline = baseline === undefined ? sample.ms : baseline + ADAPTIVE_DEFAULTS.baselineWeight * (sample.ms - baseline);
    if (baseline !== undefined && sample.ms > baseline * ADAPTIVE_DEFAULTS.latencyFactor && sample.ms - baseline > ADAPTIVE_DEFAULTS.latencyFloorMs) {
      if (this.now() - this.lastDecrease >= Math.max(sample.ms, baseline, 10)) this.decrease(ADAPTIVE_DEFAULTS.latencyDecrease);
      return;
    }
    if (sample.inFlight >= this.ceiling && ++this.answersAtCeiling >= this.ceiling) {
      // A full round of answers at the ceiling without a push-back: the server has more room now.
      this.ceiling = Number.POSITIVE_INFINITY;
      this.probeHold = ADAPTIVE_DEFAULTS.probeHoldMs;
    }
    // Only a limit that is actually used is worth raising: +1 per round of `limit` answers.
    if (sample.inFlight >= this.limit && this.value < this.max) {
      const next = Math.min(this.max, this.value + 1 / this.limit);
      // Just below the ceiling: stay there until the hold is over; then try the ceiling itself,
      // and nothing above it until a round at the ceiling has gone through.
      if (Math.floor(next) >= this.ceiling && (this.now() < this.probeAt || Math.floor(next) > this.ceiling)) return;
      this.value = next;
      this.history.increases++;
      this.history.peak = Math.max(this.history.peak, this.limit);
    }
  }

  /**
   * The server refused at `level` requests in flight: hold below it. Refused again at (or above)
   * the level it was probing: wait twice as long before the next try. Only a throttle sets the
   * ceiling; one slow answer (a GC pause, a busy disk) says nothing about what the server takes.
   */
  private pushedBack(level: number): void {
    if (level >= this.ceiling) this.probeHold = Math.min(2 * this.probeHold, ADAPTIVE_DEFAULTS.probeHoldMaxMs);
    this.ceiling = level;
    this.answersAtCeiling = 0;
    this.probeAt = this.now() + this.probeHold;
  }

  // Throttles are cut once per round (answers to requests sent before a cut are ignored above),
  // slow answers at most once per round trip.
  private decrease(factor: number): void {
    this.lastDecrease = this.now();
    this.value = Math.max(1, this.value * factor);
    this.history.decreases++;
  }
}
