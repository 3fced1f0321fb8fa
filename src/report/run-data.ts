// What an HTML report shows of one run, aggregated as the run goes: counts over time, rejects by
// reason with their first examples, arrivals per event name and object type, and the
// directly-follows graph. Never a list of events: its size depends on the number of reasons,
// names and buckets (all capped), not on the number of events, so a report of a run of a million
// events is as small as one of a thousand. Stored in the journal so `eventload report RUN` renders
// a past run; the HTML is written from it (src/report/html/).
import { formatIssues, reasonOf, type Issue, type Position } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';
import type { ReasonCode } from '../codes.js';
import { redact } from '../secrets/redact.js';
import type { Summary } from '../upload/summary.js';
import { DfgBuilder, OTHER, type DfgData } from './dfg.js';
import { addAnswer, addRetry, Timeline, type TimelineData } from './timeline.js';

/**
 * A delivery's stored shape: bumped when it changes incompatibly, and an older eventload refuses a
 * newer one by its number. Verifications are stored with their own number (VERIFY_DATA_VERSION,
 * verify-data.ts), above this one, so an eventload that predates them refuses them too.
 */
export const RUN_DATA_VERSION = 1;

export interface RejectGroup {
  code: ReasonCode;
  status?: number;
  count: number;
  /** The first few records rejected for this reason, with their file and line. */
  examples: Array<{ file: string; line: number; message: string }>;
}

export interface RunData {
  version: number;
  /** The journal's run id (absent with --no-journal or --dry-run: nothing to find it by later). */
  runId?: number;
  command: string;
  target: string;
  endpoint: string;
  dryRun: boolean;
  startedAt: string;
  /** The run's account: exactly the summary --json prints. */
  summary: Summary;
  /** Per bucket: read, accepted, duplicates, rejected, requests, latencyMsSum (÷ requests = mean), latencyMsMax, retries, throttled (429). */
  timeline: TimelineData;
  rejects: RejectGroup[];
  /** What the server holds now (accepted or duplicate; in a dry run: what would be sent), per event name and per object type, over time. */
  arrivals: { byEvent: TimelineData; byObjectType: TimelineData; namesFolded: number };
  dfg: DfgData;
}

/** Examples kept per reason, and the longest message kept of each. */
const EXAMPLES_PER_REASON = 5;
const MAX_MESSAGE = 300;
/** Series drawn per arrivals chart; the rest are summed as OTHER. */
const MAX_SERIES = 12;
/** Names tracked while the run goes before new ones are counted as OTHER straight away. */
const MAX_TRACKED_NAMES = 200;

/** What the builder needs of the run's start. */
export interface RunStart {
  command: string;
  target: string;
  endpoint: string;
  dryRun: boolean;
}

export class RunDataBuilder {
  private readonly started: number;
  private readonly startedAt: string;
  private run: RunStart | undefined;
  private readonly timeline = new Timeline();
  private readonly byEvent = new Timeline();
  private readonly byObjectType = new Timeline();
  private readonly rejects = new Map<string, RejectGroup>();
  private readonly dfg: DfgBuilder;
  private namesFolded = 0;

  constructor(options: { objectCap?: number; now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.startedAt = new Date(this.started).toISOString();
    this.dfg = new DfgBuilder(options.objectCap);
  }

  private readonly now: () => number;

  private get ms(): number {
    return this.now() - this.started;
  }

  start(run: RunStart): void {
    this.run = run;
  }

  read(count: number): void {
    this.timeline.add('read', this.ms, count);
  }

  /** A request leaves with these events: the graph follows the order they are sent in. */
  sent(events: readonly CanonicalEvent[]): void {
    for (const event of events) this.dfg.add(event);
  }

  /** One request answered; `arrived`: its events the server now holds; `latencyMs`: the answering attempt's time. */
  answered(tally: { accepted: number; duplicates: number; rejected: number }, arrived: readonly CanonicalEvent[], latencyMs: number | undefined): void {
    const ms = this.ms;
    this.timeline.add('accepted', ms, tally.accepted);
    this.timeline.add('duplicates', ms, tally.duplicates);
    this.timeline.add('rejected', ms, tally.rejected);
    if (latencyMs !== undefined) addAnswer(this.timeline, ms, latencyMs);
    // Counted per request first: one timeline update per name, not one per event.
    const names = new Map<string, number>();
    const types = new Map<string, number>();
    for (const event of arrived) {
      names.set(event.event, (names.get(event.event) ?? 0) + 1);
      const objects = event.objects;
      for (let i = 0; i < objects.length; i++) {
        const type = objects[i]!.type;
        // An event with two items counts once for Item: it is one event touching that type.
        if (!typeBefore(objects, i, type)) types.set(type, (types.get(type) ?? 0) + 1);
      }
    }
    for (const [name, n] of names) this.count(this.byEvent, name, ms, n);
    for (const [type, n] of types) this.count(this.byObjectType, type, ms, n);
  }

  retried(notice: { reason: string }): void {
    addRetry(this.timeline, this.ms, notice.reason);
  }

  rejected(position: Position, issues: readonly Issue[], status: number | undefined, local: boolean): void {
    if (local) this.timeline.add('rejected', this.ms, 1);
    const code = reasonOf(issues);
    const key = status === undefined ? code : `${code} ${status}`;
    let group = this.rejects.get(key);
    if (!group) this.rejects.set(key, (group = { code, ...(status !== undefined && { status }), count: 0, examples: [] }));
    group.count++;
    if (group.examples.length < EXAMPLES_PER_REASON) {
      const message = redact(formatIssues(issues)); // before it is cut: a cut secret no longer matches
      group.examples.push({ file: position.file, line: position.line, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message });
    }
  }

  /** The run's aggregate, once its summary is known. */
  finish(summary: Summary, runId?: number): RunData {
    const run = this.run ?? { command: summary.command ?? 'import', target: summary.target, endpoint: summary.endpoint, dryRun: summary.dryRun };
    const ms = this.ms;
    for (const timeline of [this.timeline, this.byEvent, this.byObjectType]) timeline.reach(ms);
    return {
      version: RUN_DATA_VERSION,
      ...(runId !== undefined && { runId }),
      ...run,
      startedAt: this.startedAt,
      summary,
      timeline: this.timeline.data(),
      rejects: [...this.rejects.values()].sort((a, b) => b.count - a.count),
      arrivals: { byEvent: topSeries(this.byEvent), byObjectType: topSeries(this.byObjectType), namesFolded: this.namesFolded },
      dfg: this.dfg.data(),
    };
  }

  private count(timeline: Timeline, name: string, ms: number, n: number): void {
    if (!timeline.has(name) && timeline.size >= MAX_TRACKED_NAMES) {
      this.namesFolded += n;
      timeline.add(OTHER, ms, n);
      return;
    }
    timeline.add(name, ms, n);
  }
}

/** The MAX_SERIES largest series; the others summed as OTHER, so the chart stays readable and the file small. */
function topSeries(timeline: Timeline): TimelineData {
  const ranked = timeline.names().filter((name) => name !== OTHER).sort((a, b) => timeline.total(b) - timeline.total(a));
  for (const name of ranked.slice(MAX_SERIES)) timeline.fold(name, OTHER);
  return timeline.data();
}

/** Whether an object before `end` has this type: a loop, not a slice, as it runs for every object answered. */
function typeBefore(objects: ReadonlyArray<{ type: string }>, end: number, type: string): boolean {
  for (let i = 0; i < end; i++) if (objects[i]!.type === type) return true;
  return false;
}
