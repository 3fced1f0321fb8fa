// The account of a run. Invariant (tested): read = accepted + duplicates + rejected + skipped + unsent
// + otherShards (records of a file read by every worker of a --shard job that another worker handles).
import type { ReasonGroup } from '../report/reasons.js';

export interface Counts {
  read: number;
  valid: number;
  sent: number;
  accepted: number;
  duplicates: number;
  rejectedLocal: number;
  rejectedServer: number;
  skipped: number;
  /** Of `skipped`: events the journal says an earlier run delivered (or had rejected). */
  skippedByJournal: number;
  /** Valid events never delivered because the run stopped (aborted or interrupted) first. */
  unsent: number;
  /** --shard over one file: records read that other shards handle (0 otherwise). */
  otherShards: number;
  retries: number;
  requests: number;
}

export function emptyCounts(): Counts {
  return { read: 0, valid: 0, sent: 0, accepted: 0, duplicates: 0, rejectedLocal: 0, rejectedServer: 0, skipped: 0, skippedByJournal: 0, unsent: 0, otherShards: 0, retries: 0, requests: 0 };
}

export type RunOutcome = 'completed' | 'aborted' | 'interrupted';

export interface Summary extends Counts {
  /** import, replay or sync. */
  command?: string;
  /** The journal's id of this run (`eventload report RUN` renders it); absent without a journal. */
  runId?: number;
  target: string;
  endpoint: string;
  dryRun: boolean;
  outcome: RunOutcome;
  /**
   * --dry-run: the valid events that a real run would send. Nothing was accepted, so `accepted`
   * is 0 and these take its place in the account.
   */
  wouldSend?: number;
  error?: string;
  elapsedSeconds: number;
  eventsPerSecond: number;
  peakRssMb: number;
  /** Most events held in requests at once: never more than concurrency × batch size. */
  peakEventsInFlight: number;
  /** The rejects file written, exactly (a suffixed name when the default one was taken). */
  rejects: string | null;
  /** Rejections whose line could not be written (disk full): not settled, the next run rejects them again. */
  rejectsNotWritten?: number;
  /** Rejected records grouped by reason code, most frequent first, each with its first example. */
  rejectedByReason: ReasonGroup[];
  /** --shard: this worker's share of the job (mode file: whole files; event: one file read by every worker). */
  shard?: { index: number; count: number; mode: 'file' | 'event'; from?: string; files: number };
  /** sync: files whose last line has no line end yet (still being written), read once complete. */
  pending?: number;
}
