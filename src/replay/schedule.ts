// The replay scheduler: turns a stream of pipeline items into the same items, each event let out
// when it is due by its timestamp at the chosen speed, shifted in time and re-keyed as asked.
//
// Timing. The first event sent fixes the start (wall clock) and the first event time t0. An event
// with event time t is due at start + offset(t) / speed, where offset(t) = t − t0 minus the idle
// time that --max-gap took out before it. A late event (older than one already sent) is due at
// once, together with the latest event sent. The scheduler sleeps (on the injected clock) only
// while an event is not yet due; when the consumer resumes it late, the event leaves at once and
// the consumer measures the lag (recordLag). `--speed max` never waits.
//
// Max gap. Gaps are capped in event time, before dividing by speed: `--max-gap 5s --speed 10`
// gives at most 0.5 s of wall time between two events. It only changes when events are sent,
// never their timestamps: shifted timestamps keep every original gap.
//
// Shift. With --shift-to, every timestamp moves by one delta (shift instant − t0), so the first
// event lands at that instant (`now`: the moment the first event is sent). The shifted value keeps
// the original's offset and written precision (see shiftTimestamp); the original goes into
// properties.original_timestamp unless --no-keep-original (an existing original_timestamp, as in
// a replay of a replay, is left as it is). An event whose timestamp does not change at all
// (no shift and the first loop) is passed on as it came.
//
// Loop. With --loop N the selected window is sent N times; repetition k (1-based) adds
// (k − 1) × (span + 1 s) to every timestamp, where span = latest − earliest event time in the
// window, so each repetition's earliest event comes 1 s (event time) after the previous one's latest. It is
// paced as one continuous stream (the 1 s pause and max-gap apply between repetitions too). To
// repeat, the window is held in memory: memory grows with the window, so at most
// LOOP_BUFFER_LIMIT events (ConfigError beyond). The whole window is read before the first event
// is sent, so a window that is too large fails before anything was sent.
//
// Idempotency keys change exactly when the timestamp does, so a replay into the same workspace at
// another time is not deduplicated away:
//   key = replayKey(original key, I, loop)   (events/keys.ts: a hash of the three)
// where I is the instant the run's first event lands at, as UTC ISO 8601 with milliseconds
// (new Date(...).toISOString()), and loop is the repetition number from 1. So `--shift-to now`
// gives new keys on every run, and a rerun with the same fixed --shift-to (after a crash, say)
// gives the same keys and is deduplicated, as a retry should be. With --keep-keys the original
// keys are sent as they are, except that repetitions after the first append `#<loop>` (`k#2`),
// since the same key would otherwise repeat within one run.
//
// Window. --from/--until select by original timestamp (from ≤ t < until); events outside are
// yielded as skipped ('outside --from/--until') and counted in `filtered`. Rejected and skipped
// items pass through at once, never delayed. An event whose timestamp cannot be read as an
// instant is rejected (stage validate) rather than dropped.
import { ConfigError } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';
import { contentOf, keptKey, keyFor, replayKey } from '../events/keys.js';
import { inWindow, instantOf, shiftTimestamp } from '../events/timestamp.js';
import type { PipelineItem } from '../pipeline/read-events.js';
import type { Clock } from './clock.js';
import { LOOP_BUFFER_LIMIT, type ReplayOptions } from './options.js';
import { ReorderWindow, type Timed } from './reorder.js';

/** Event time between the last event of one repetition and the first of the next. */
export const LOOP_PAUSE_MS = 1000; // 1 s

export interface ReplayStats {
  /** Events let out by the scheduler (every repetition counts). */
  scheduled: number;
  /** Events older than one already sent, sent at once (counted in every repetition). */
  late: number;
  /** Worst and 95th-percentile lag (dispatch − scheduled time) reported through recordLag, ms. */
  lagMaxMs: number;
  lagP95Ms: number;
  /** Events outside --from/--until. */
  filtered: number;
  /** The repetition under way (1-based; 0 before any event). */
  loops: number;
}

export function createReplayStats(): ReplayStats {
  return { scheduled: 0, late: 0, lagMaxMs: 0, lagP95Ms: 0, filtered: 0, loops: 0 };
}

type EventItem = Extract<PipelineItem, { kind: 'event' }>;

const scheduledTimes = new WeakMap<CanonicalEvent, number>();

/** The wall-clock time (ms, on the replay's clock) the scheduler assigned to an event item. */
export function scheduledAt(item: PipelineItem): number | undefined {
  return item.kind === 'event' ? scheduledTimes.get(item.event) : undefined;
}

export interface ReplayControl {
  /** Ends the replay: a sleep under way ends at once and nothing more is yielded. */
  signal?: AbortSignal;
}

/** The items, paced, ordered, shifted and re-keyed as `options` say. */
export async function* replayItems(
  items: AsyncIterable<PipelineItem>,
  options: ReplayOptions,
  clock: Clock,
  stats: ReplayStats,
  control: ReplayControl = {},
): AsyncGenerator<PipelineItem> {
  const { signal } = control;
  const scheduler = new Scheduler(options, clock, stats, signal);
  if (options.loop <= 1) {
    for await (const selected of selectWindow(items, options, stats)) {
      if (signal?.aborted) return;
      if (selected.kind === 'pass') {
        yield selected.item;
        continue;
      }
      stats.loops = 1;
      const item = await scheduler.schedule(selected.entry, 1, 0);
      if (!item) return;
      yield item;
    }
    return;
  }

  const limit = options.loopBufferLimit ?? LOOP_BUFFER_LIMIT;
  const window: Timed<EventItem>[] = [];
  let earliest = Infinity;
  let latest = -Infinity;
  for await (const selected of selectWindow(items, options, stats)) {
    if (signal?.aborted) return;
    if (selected.kind === 'pass') {
      yield selected.item;
      continue;
    }
    if (window.length >= limit) {
      throw new ConfigError(
        `--loop ${options.loop}: the selected window has more than ${limit.toLocaleString('en-US')} events, too many to hold for repeating; select a smaller window with --from/--until`,
        'EL_REPLAY_WINDOW_TOO_LARGE',
      );
    }
    window.push(selected.entry);
    earliest = Math.min(earliest, selected.entry.time);
    latest = Math.max(latest, selected.entry.time);
  }
  const period = latest - earliest + LOOP_PAUSE_MS;
  for (let loop = 1; loop <= options.loop && window.length > 0; loop++) {
    stats.loops = loop;
    for (const entry of window) {
      const item = await scheduler.schedule(entry, loop, (loop - 1) * period);
      if (!item) return;
      yield item;
    }
  }
}

class Scheduler {
  private readonly timeline: Timeline;
  private start = 0;
  private shiftDelta = 0;
  private firstInstant = '';
  private started = false;

  constructor(private readonly options: ReplayOptions, private readonly clock: Clock, private readonly stats: ReplayStats, private readonly signal: AbortSignal | undefined) {
    this.timeline = new Timeline(options.maxGapMs);
  }

  /** Waits until the event is due; undefined when the replay was stopped meanwhile. */
  async schedule(entry: Timed<EventItem>, loop: number, loopOffset: number): Promise<EventItem | undefined> {
    const time = entry.time + loopOffset;
    if (!this.started) {
      this.started = true;
      this.start = this.clock.now();
      const shiftTo = this.options.shiftTo === 'now' ? Math.round(this.start) : this.options.shiftTo;
      this.shiftDelta = shiftTo === undefined ? 0 : shiftTo - time;
      this.firstInstant = new Date(time + this.shiftDelta).toISOString();
    }
    const offset = this.timeline.add(time);
    let due = this.clock.now();
    if (this.options.speed !== 'max') {
      due = this.start + offset / this.options.speed;
      if (!(await this.waitUntil(due))) return undefined;
    }
    const event = this.rewrite(entry.item.event, this.shiftDelta + loopOffset, loop);
    scheduledTimes.set(event, due);
    this.stats.scheduled++;
    if (entry.late) this.stats.late++;
    return event === entry.item.event ? entry.item : { ...entry.item, event };
  }

  /** Never sleeps for an event that is already due; re-reads the clock after each sleep (timers may wake early). */
  private async waitUntil(due: number): Promise<boolean> {
    for (let now = this.clock.now(); now < due; now = this.clock.now()) {
      if (this.signal?.aborted) return false;
      await this.clock.sleep(due - now, this.signal);
    }
    return !this.signal?.aborted;
  }

  private rewrite(event: CanonicalEvent, delta: number, loop: number): CanonicalEvent {
    if (delta === 0) return event;
    const originalKey = event.idempotency_key ?? keyFor(contentOf(event), 0);
    const shifted: CanonicalEvent = {
      ...event,
      timestamp: shiftTimestamp(event.timestamp, delta),
      idempotency_key: this.options.keepKeys ? keptKey(originalKey, loop) : replayKey(originalKey, this.firstInstant, loop),
    };
    if (this.options.keepOriginal) shifted.properties = { ...event.properties, original_timestamp: event.properties?.original_timestamp ?? event.timestamp };
    return shifted;
  }
}

/**
 * Maps event times to replay offsets (event-time ms since the first event, minus the idle time
 * --max-gap took out). Gaps are measured from the latest event so far, so a late event neither
 * opens a gap for the ones after it nor counts as due earlier than the latest one: it is due at
 * once, with it (and its lag is measured from then, not from its place in history).
 */
export class Timeline {
  private first: number | undefined;
  private latest = -Infinity;
  private removed = 0;

  constructor(private readonly maxGapMs: number | undefined) {}

  /** Takes the next event time; returns the offset at which that event is due. */
  add(time: number): number {
    if (this.first === undefined) this.first = this.latest = time;
    if (time > this.latest) {
      const gap = time - this.latest;
      if (this.maxGapMs !== undefined && gap > this.maxGapMs) this.removed += gap - this.maxGapMs;
      this.latest = time;
    }
    return this.end;
  }

  /** The offset of the latest event so far: how long the replay has taken at speed 1. */
  get end(): number {
    return this.first === undefined ? 0 : this.latest - this.first - this.removed;
  }

  capGap(gap: number): number {
    return this.maxGapMs === undefined ? gap : Math.min(gap, this.maxGapMs);
  }
}

type Selected = { kind: 'pass'; item: PipelineItem } | { kind: 'timed'; entry: Timed<EventItem> };

/** --from/--until, unreadable timestamps and the reorder window; everything but events passes at once. */
async function* selectWindow(items: AsyncIterable<PipelineItem>, options: ReplayOptions, counts: { filtered: number }): AsyncGenerator<Selected> {
  const window = new ReorderWindow<EventItem>(options.reorderWindow);
  for await (const item of items) {
    if (item.kind !== 'event') {
      yield { kind: 'pass', item };
      continue;
    }
    const time = instantOf(item.event.timestamp);
    if (Number.isNaN(time)) {
      const issues = [{ path: 'timestamp', message: `"${item.event.timestamp}" cannot be read as an instant to schedule`, code: 'EL_TIMESTAMP_INVALID' as const }];
      yield { kind: 'pass', item: { kind: 'rejected', position: item.position, stage: 'validate', issues, record: item.record, event: item.event } };
      continue;
    }
    if (!inWindow(time, options)) {
      counts.filtered++;
      yield { kind: 'pass', item: { kind: 'skipped', position: item.position, reason: 'outside --from/--until' } };
      continue;
    }
    const entry = window.add(item, time);
    if (entry) yield { kind: 'timed', entry };
  }
  for (const entry of window.drain()) yield { kind: 'timed', entry };
}

// Lag: the consumer reports each event's dispatch time − scheduled time. A histogram keeps p95
// in constant memory: 1 ms buckets below 1,024 ms, then 64 buckets per doubling (within 1.6 %).
const LINEAR_BUCKETS = 1024;
const BUCKETS_PER_DOUBLING = 64;
const DOUBLINGS = 32; // up to 2^42 ms, about 139 years
const BUCKET_COUNT = LINEAR_BUCKETS + DOUBLINGS * BUCKETS_PER_DOUBLING;

function bucketOf(lag: number): number {
  if (lag < LINEAR_BUCKETS) return Math.floor(lag);
  const doubling = Math.floor(Math.log2(lag)) - 10;
  const within = Math.floor((lag / 2 ** (doubling + 10) - 1) * BUCKETS_PER_DOUBLING);
  return Math.min(BUCKET_COUNT - 1, LINEAR_BUCKETS + doubling * BUCKETS_PER_DOUBLING + within);
}

/** The lowest lag a bucket holds. */
function bucketValue(bucket: number): number {
  if (bucket < LINEAR_BUCKETS) return bucket;
  const doubling = Math.floor((bucket - LINEAR_BUCKETS) / BUCKETS_PER_DOUBLING);
  return 2 ** (doubling + 10) * (1 + ((bucket - LINEAR_BUCKETS) % BUCKETS_PER_DOUBLING) / BUCKETS_PER_DOUBLING);
}

/** Keeps the p95 bucket as a cursor, so each sample costs a step or two, not a scan. */
class LagHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private cursor = 0;
  /** Samples in buckets below the cursor. */
  private below = 0;

  /** Adds one sample; returns the new p95 (nearest rank). */
  add(lag: number): number {
    const bucket = bucketOf(lag);
    this.counts[bucket]!++;
    this.total++;
    if (bucket < this.cursor) this.below++;
    const rank = Math.ceil(0.95 * this.total);
    while (this.below + this.counts[this.cursor]! < rank) this.below += this.counts[this.cursor++]!;
    while (this.cursor > 0 && this.below >= rank) this.below -= this.counts[--this.cursor]!;
    return bucketValue(this.cursor);
  }
}

const histograms = new WeakMap<ReplayStats, LagHistogram>();

/** Records one event's lag (dispatch time − scheduledAt, ms); updates lagMaxMs and lagP95Ms. */
export function recordLag(stats: ReplayStats, lagMs: number): void {
  const lag = Number.isFinite(lagMs) ? Math.max(0, lagMs) : 0;
  let histogram = histograms.get(stats);
  if (!histogram) histograms.set(stats, (histogram = new LagHistogram()));
  stats.lagMaxMs = Math.max(stats.lagMaxMs, lag);
  stats.lagP95Ms = Math.min(histogram.add(lag), stats.lagMaxMs);
}

export interface SchedulePreview {
  /** Events that would be sent, every repetition counted. */
  events: number;
  eventsPerLoop: number;
  /** Earliest and latest original timestamps in the window ('' when there are none). */
  firstEvent: string;
  lastEvent: string;
  /** latest − earliest event time, ms. */
  spanMs: number;
  /** Wall time from the first event sent to the last, at the chosen speed, after max-gap, over all repetitions (0 at speed max). */
  expectedDurationMs: number;
  /** Events outside --from/--until. */
  filtered: number;
  /** Events too far out of order for the reorder window, per repetition. */
  late: number;
}

/** What `--dry-run` prints: reads every item, sends and waits for nothing. Holds no events. */
export async function previewSchedule(items: AsyncIterable<PipelineItem>, options: ReplayOptions): Promise<SchedulePreview> {
  const timeline = new Timeline(options.maxGapMs);
  const counts = { filtered: 0 };
  let events = 0;
  let late = 0;
  let first: number | undefined;
  let earliest: Timed<EventItem> | undefined;
  let latest: Timed<EventItem> | undefined;
  for await (const selected of selectWindow(items, options, counts)) {
    if (selected.kind === 'pass') continue;
    const entry = selected.entry;
    events++;
    if (entry.late) late++;
    first ??= entry.time;
    timeline.add(entry.time);
    if (!earliest || entry.time < earliest.time) earliest = entry;
    if (!latest || entry.time >= latest.time) latest = entry;
  }
  if (!earliest || !latest || first === undefined) {
    return { events: 0, eventsPerLoop: 0, firstEvent: '', lastEvent: '', spanMs: 0, expectedDurationMs: 0, filtered: counts.filtered, late: 0 };
  }
  // Each repetition is paced like the first; between two, the gap from the latest event of one to
  // the first sent of the next is the pause plus however far before that first event the earliest lies.
  const loops = options.loop;
  const pause = timeline.capGap(LOOP_PAUSE_MS + first - earliest.time);
  const total = loops * timeline.end + (loops - 1) * pause;
  return {
    events: events * loops,
    eventsPerLoop: events,
    firstEvent: earliest.item.event.timestamp,
    lastEvent: latest.item.event.timestamp,
    spanMs: latest.time - earliest.time,
    expectedDurationMs: options.speed === 'max' ? 0 : total / options.speed,
    filtered: counts.filtered,
    late,
  };
}
