// What the HTML report shows of one verification (`eventload verify`), gathered as it goes: its
// account (exactly the result --json prints), the first few missing and different events, and
// the reads over time. Like a delivery's RunData it never holds an event list: the examples are
// capped per kind and the timeline has a bounded number of buckets, so a verification of a
// million events stores as little as one of a thousand. Stored in the journal with the run, so
// `eventload report RUN` draws a past verification with its own page.
import type { RetryNotice } from '../upload/sender.js';
import type { Summary } from '../upload/summary.js';
import { addAnswer, addRetry, Timeline, type TimelineData } from './timeline.js';

/**
 * The report data version a verification is stored with. Version 1 is a delivery's RunData (no
 * `kind`); version 2 added verifications (`kind: 'verify'`). A delivery is still stored as 1, so
 * an eventload that knows only 1 keeps rendering it, and refuses a verification by its number.
 */
export const VERIFY_DATA_VERSION = 2;

/** The account of a verification as the report needs it: the fields of verify's --json result. */
export interface VerifyAccount {
  target: string;
  endpoint: string;
  /** Where the expected events came from: the journal, or the input files given. */
  source: 'journal' | 'files';
  /** The window compared (ISO 8601), when one was given. */
  window: { from: string | null; until: string | null };
  /** Events that should be on the server (in the window). */
  expected: number;
  found: number;
  missing: number;
  different: number;
  /** On the server in the window, matching no expected event: counted only, never touched. */
  extra: number;
  /** Delivered events verify could not check: the journal kept no copy (recorded by an older eventload), or the event can no longer be sent as it was. */
  unchecked: number;
  /** For the different events: how many differ in each field. */
  differentFields: Record<string, number>;
  /** Records read from the server, pages and requests made (retries included). */
  read: { records: number; pages: number; requests: number; retries: number };
  /** The rejects-style file of missing and different events (null: none). */
  file: string | null;
  /** Missing keys now marked missing in the journal (sent again by the next run). */
  markedMissing: number;
  /** The journal run row of this verification. */
  runId: number | null;
  startedAt: string;
  elapsedSeconds: number;
  outcome: 'verified' | 'differences';
}

/** One missing or different event, as the report shows it: where it came from and what it is. */
export interface VerifyExample {
  /** The input file and line; for events from the journal, the journal's path and line 0. */
  file: string;
  line: number;
  key: string;
  event: string;
  timestamp: string;
  /** Different events: the fields that differ. */
  fields?: string[];
}

export interface VerifyRunData {
  version: number;
  kind: 'verify';
  runId?: number;
  command: 'verify';
  target: string;
  endpoint: string;
  startedAt: string;
  /** Exactly the result verify's --json prints. */
  result: VerifyAccount;
  /** The first few of each kind, in the order compared (by key); never all of them. */
  examples: { missing: VerifyExample[]; different: VerifyExample[] };
  /** Per bucket: records (read back), pages, requests (answered), latencyMsSum, latencyMsMax, retries, throttled (429). */
  timeline: TimelineData;
  /** verify --resend: the account of the delivery that sent the missing events again. */
  resend?: Summary;
}

/** Examples kept per kind: enough to look a few up, never a list that grows with the run. */
export const EXAMPLES_PER_KIND = 10;

export class VerifyRunDataBuilder {
  private readonly started: number;
  private readonly timeline = new Timeline();
  private readonly missing: VerifyExample[] = [];
  private readonly different: VerifyExample[] = [];
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  private get ms(): number {
    return this.now() - this.started;
  }

  /** A page was read back with `records` records. */
  page(records: number): void {
    this.timeline.add('pages', this.ms, 1);
    this.timeline.add('records', this.ms, records);
  }

  /** A request got an answer after `latencyMs`. */
  answered(latencyMs: number): void {
    addAnswer(this.timeline, this.ms, latencyMs);
  }

  retried(notice: Pick<RetryNotice, 'reason'>): void {
    addRetry(this.timeline, this.ms, notice.reason);
  }

  /** A missing or different event; kept only while fewer than EXAMPLES_PER_KIND of its kind are. */
  example(kind: 'missing' | 'different', example: VerifyExample): void {
    const list = kind === 'missing' ? this.missing : this.different;
    if (list.length < EXAMPLES_PER_KIND) list.push(example);
  }

  /** Whether another example of `kind` would be kept (spares building one that is not). */
  wants(kind: 'missing' | 'different'): boolean {
    return (kind === 'missing' ? this.missing : this.different).length < EXAMPLES_PER_KIND;
  }

  finish(result: VerifyAccount): VerifyRunData {
    this.timeline.reach(this.ms);
    return {
      version: VERIFY_DATA_VERSION,
      kind: 'verify',
      ...(result.runId !== null && { runId: result.runId }),
      command: 'verify',
      target: result.target,
      endpoint: result.endpoint,
      startedAt: result.startedAt,
      result,
      examples: { missing: [...this.missing], different: [...this.different] },
      timeline: this.timeline.data(),
    };
  }
}
