// What a delivery run tells whoever watches it, as it happens: typed values, never text. The CLI
// renders them as the progress line and the summary; a test (or another front end) just collects them.
import type { Issue, Position } from '../errors.js';
import type { OpenedInput } from '../readers/input.js';
import type { Stage } from '../pipeline/stage.js';
import type { RetryNotice } from '../upload/sender.js';
import type { Counts, Summary } from '../upload/summary.js';
import type { EventItem } from '../upload/uploader.js';

export type DeliveryEvent =
  /** Set-up is done and reading begins; `counts` is the run's live account (read at will, never written). */
  | { type: 'started'; command: string; target: string; endpoint: string; dryRun: boolean; inputs: readonly OpenedInput[]; counts: Readonly<Counts> }
  /** Records taken from the input since the last `read`. */
  | { type: 'read'; count: number }
  /** A record left out: by the reader, or because an earlier run delivered (or rejected) it. */
  | { type: 'skipped'; byJournal: boolean }
  /** A request is leaving with these events. */
  | { type: 'sent'; events: readonly EventItem[] }
  /**
   * The server answered one request: how many of its events it accepted, knew already, rejected;
   * `arrived`: those it now holds (accepted or duplicate); `latencyMs`: the answering attempt's time (none in a dry run).
   */
  | { type: 'answered'; accepted: number; duplicates: number; rejected: number; arrived: readonly EventItem[]; latencyMs?: number }
  /** A request is sent again after a wait (a failure, or the server asked to slow down). */
  | ({ type: 'retried' } & RetryNotice)
  /** One rejected record, locally (stage read/map/validate/target) or by the server. */
  | { type: 'rejected'; position: Position; stage: Stage; issues: readonly Issue[]; status?: number }
  /** Valid events this run will not deliver: it stopped first (the next run sends them). */
  | { type: 'unsent'; count: number }
  /** Something worth saying that is not a failure, e.g. a stale lock taken over. */
  | { type: 'notice'; code: NoticeCode; message: string }
  /** Sending is over (nothing more leaves); the account is being closed. A stop request now changes nothing. */
  | { type: 'drained' }
  /** The last event: the run's account. */
  | { type: 'finished'; summary: Summary };

export type NoticeCode = 'EL_STALE_LOCK_RECOVERED';

export type DeliveryEventType = DeliveryEvent['type'];
export type DeliveryListener = (event: DeliveryEvent) => void;
