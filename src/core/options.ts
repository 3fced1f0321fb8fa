// What a delivery run needs, every value resolved by the caller (defaults applied, flags checked):
// the core reads no flag, no environment default and no command line, so each value travels one
// way, from the caller to the socket.
import type { Journal, JournalScope } from '../journal/journal.js';
import type { PipelineItem, ReadOptions } from '../pipeline/read-events.js';
import type { RateSlots } from '../upload/rate-limiter.js';
import type { Summary } from '../upload/summary.js';

type ShardSummary = NonNullable<Summary['shard']>;
import type { EventItem } from '../upload/uploader.js';

/** What the run reads. */
export interface DeliveryInputs {
  /** The files, mapping and reader options (from src/cli/input-settings.ts for the commands). */
  settings: ReadOptions;
  /** The config file the options came from: an output may not overwrite it. */
  configFile?: string;
}

/** Where the run sends: resolved only once the run is set up (a sandbox starts after the journal's lock is taken). */
export interface Connection {
  endpoint: string;
  /** Where the target's credentials are read. */
  env: Record<string, string | undefined>;
  /** A local sandbox: its journal scope is `sandbox:<target>`, stable across its changing ports. */
  sandbox: boolean;
}

/** Requests in flight at once: a fixed number, or adaptive (following the server) up to `limit`. */
export interface ConcurrencyOptions {
  limit: number;
  adaptive: boolean;
}

/** The journal a run writes: one to open (and lock) at `path`, or one the caller opened and keeps. */
export type JournalChoice = { path: string } | { opened: Journal; ledger?: FileLedger };

/**
 * State kept beside the journal's events by a composing command (sync's files read), settled
 * when the run's answers are merged, so a failed write of it counts as a journal failure.
 */
export interface FileLedger {
  settle(scope: JournalScope, summary: Summary): void;
}

/** What a stage may use: the run's stop signal, and news of each request as it leaves. */
export interface StageContext {
  signal: AbortSignal;
  onSent(listener: (events: readonly EventItem[]) => void): void;
}

/** A pipeline stage between validation and upload: an item stream in, an item stream out (replay's scheduler). */
export interface DeliveryStage {
  transform(items: AsyncIterable<PipelineItem>, context: StageContext): AsyncIterable<PipelineItem>;
  /** Fields the stage adds to the summary (replay's lag), read when the run is over. */
  summary?(): Record<string, unknown>;
}

export interface DeliveryOptions {
  /** import, replay or sync: named in the summary, the journal's run row and the rejects file. */
  command: string;
  /** Where to send; called once, after the journal is locked and the outputs are checked. */
  connect(): Promise<Connection>;
  concurrency: ConcurrencyOptions;
  /** Requests per second and burst; undefined: no limit. `slots`: this shard's turn (the rate is then the whole job's, see rate-limiter.ts). */
  rate: { perSecond: number; burst: number; slots?: RateSlots } | undefined;
  /** Events per request (at most the target's maximum). */
  batchSize: number;
  retry: { maxRetries: number; deadlineMs: number; baseDelayMs: number };
  /** idleMs: the most silence on a connection; totalMs: the most one attempt may take in all. */
  timeouts: { idleMs: number; totalMs: number };
  dryRun: boolean;
  /** --out: the request bodies of a dry run. */
  out: string | undefined;
  /** undefined: no journal (--no-journal, --dry-run). */
  journal: JournalChoice | undefined;
  retryRejected: boolean;
  /** The rejects file: appended to when the user named it, created new otherwise. */
  rejects: { path: string; append: boolean };
  /** A summary report the caller will write: checked replaceable and apart from the inputs before anything starts. */
  report: string | undefined;
  /** --report-html: the HTML report the caller will write from the run's data: checked the same way. */
  reportHtml?: string;
  /** Stop once more than this percentage of records is invalid (after 100). */
  maxErrorRate: number | undefined;
  /** Every credential of this environment is a secret, never written out (not the sandbox's: they are published). */
  secretsFrom: Record<string, string | undefined>;
  /** Aborted: stop reading, let requests on the wire finish for drainTimeoutMs, then cut them off. */
  signal?: AbortSignal;
  drainTimeoutMs: number;
  /** Stages between validation and upload, in order. */
  stages?: readonly DeliveryStage[];
  /** --shard: this worker's share, named in the summary and in its journal scope (the split itself is the pipeline's). */
  shard?: ShardSummary;
}
