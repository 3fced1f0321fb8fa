// The uploader: batches valid events, sends them with bounded concurrency (p-limit) at the
// allowed rate, and accounts for every event. Reading waits while all request slots are busy,
// so at most concurrency × batch size events are held in requests, plus one group of read items (up to 256).
import pLimit from 'p-limit';
import { AbortError, type Issue, type Position } from '../errors.js';
import { toJsonText } from '../events/exact-number.js';
import type { CanonicalEvent } from '../events/canonical.js';
import { batchKey, keyedBodyText, keyedEventText } from '../events/keys.js';
import { batchesOf, type PipelineItem } from '../pipeline/read-events.js';
import type { RawRecord } from '../readers/types.js';
import type { EventResult, JournalScope } from '../journal/journal.js';
import { isUnconfirmed, meaningOf, retryReason, type Meaning, type Reading, type Unconfirmed } from '../targets/answer.js';
import type { Outcome, Response, Session } from '../targets/types.js';
import { redact } from '../secrets/redact.js';
import type { AdaptiveConcurrency } from './adaptive.js';
import { StoppedError, type Sender } from './sender.js';
import { emptyCounts, type Counts } from './summary.js';

export interface EventItem {
  event: CanonicalEvent;
  position: Position;
  record: RawRecord;
}

export interface UploadHooks {
  /** Every rejection, local or from the server, with its stage and status. */
  onReject(item: Extract<PipelineItem, { kind: 'rejected' }> & { status?: number }): Promise<void>;
  /** What the server said about each delivered event. */
  onOutcome?(item: EventItem, outcome: Outcome): void;
  /** Dry run: the exact request body that would be sent. */
  onDryRun?(path: string, body: string): Promise<void>;
  /** A request is about to leave with these events (replay measures its lag here). */
  onSend?(batch: EventItem[]): void;
  /** Records taken from the input (one call per group the reader made). */
  onRead?(count: number): void;
  /** A record left out: skipped by the reader, or delivered (or rejected) by an earlier run. */
  onSkipped?(byJournal: boolean): void;
  /** Valid events that will not be delivered by this run (it stopped first). */
  onUnsent?(count: number): void;
  /**
   * The server's answer to one request, counted per event; `arrived`: the events it now holds
   * (accepted or duplicate); `latencyMs`: the answering attempt's time (none in a dry run).
   */
  onAnswered?(tally: { accepted: number; duplicates: number; rejected: number }, arrived: EventItem[], latencyMs: number | undefined): void;
}

export interface UploadOptions {
  /** Requests in flight at once; with `adaptive`, the upper bound (--concurrency-max). */
  concurrency: number;
  /** --concurrency auto: the limit follows the server (see adaptive.ts). */
  adaptive?: AdaptiveConcurrency;
  batchSize: number;
  dryRun: boolean;
  /** Where delivery is remembered across runs; absent with --no-journal or --dry-run. */
  journal?: JournalScope;
  /** Send again what an earlier run had rejected (default: skip it). */
  retryRejected?: boolean;
}

export class Uploader {
  readonly counts: Counts = emptyCounts();
  /** Set when the run must stop (authentication refused, endpoint unreachable). */
  abortError: AbortError | undefined;
  private stopRequested = false;
  /** Aborted on stop or abort: requests waiting for a token or a retry give up (and count as unsent). */
  private readonly stopping = new AbortController();
  private readonly limit: ReturnType<typeof pLimit>;
  /** Deliveries under way, from their start to their account (the run waits for them at its end). */
  private readonly running = new Set<Promise<void>>();
  /** Request slots taken: each resolves when its request gives the slot up (see dispatch). */
  private readonly slots = new Set<Promise<void>>();
  /** A delivery that failed unexpectedly (a bug, not an answer): the run stops and rethrows it. */
  private crashed: { error: unknown } | undefined;
  private renewing: Promise<boolean> | undefined;
  /** Counts completed logins, so a 401 for a token already replaced is retried without another. */
  private authGeneration = 0;
  /** Keys on the wire now (bounded by concurrency × batch size), for duplicate keys in one input. */
  private readonly keysInFlight = new Set<string>();
  private readonly inflightIds = new WeakMap<EventItem[], number>();
  /** The answering attempt's time per batch, for onAnswered. */
  private readonly latencies = new WeakMap<EventItem[], number>();
  /** Keys this run saw rejected, so --retry-rejected resends an earlier rejection once, not in a loop. */
  private readonly rejectedThisRun = new Set<string>();
  /** Highest number of events held in requests at once (for the memory regression test). */
  peakEventsInFlight = 0;
  private eventsInFlight = 0;

  constructor(private readonly session: Session, private readonly sender: Sender | undefined, private readonly options: UploadOptions, private readonly hooks: UploadHooks) {
    this.limit = pLimit(options.adaptive?.limit ?? options.concurrency);
    if (sender) {
      // Requests are counted by the sender as they leave (set-up calls before this run included),
      // straight into this run's counts, so an aborted or stopped run still reports them.
      this.counts.requests = sender.count.requests;
      this.counts.retries = sender.count.retries;
      sender.count = this.counts;
    }
    if (options.adaptive && sender) {
      const adaptive = options.adaptive;
      sender.onAnswer = (status, ms, inFlight) => {
        adaptive.observe({ throttled: status === 429 || status === 503, ms, inFlight });
        if (this.limit.concurrency !== adaptive.limit) this.limit.concurrency = adaptive.limit;
      };
    }
  }

  /** Stop reading; requests on the wire finish, those waiting for the rate limit or a retry give up (unsent). */
  stop(): void {
    this.stopRequested = true;
    this.stopping.abort();
  }

  private abort(error: AbortError): void {
    this.abortError ??= error;
    this.stopping.abort();
  }

  /** Aborted when the run stops: long waits elsewhere (replay's pacing) end with it. */
  get stopSignal(): AbortSignal {
    return this.stopping.signal;
  }

  get stopped(): boolean {
    return this.stopRequested || this.abortError !== undefined;
  }

  async run(items: AsyncIterable<PipelineItem>): Promise<void> {
    let batch: EventItem[] = [];
    // Items come in the groups the reader made (up to 256 rows of a CSV file): one await per group,
    // not per item. The next group is read only after this one is dispatched, so reading still
    // waits while every request slot is busy; one group of read items is held on top of the requests.
    const iterator = batchesOf(items)[Symbol.asyncIterator]();
    while (!this.stopped) {
      const next = await iterator.next();
      if (next.done) break;
      const before = this.counts.read;
      batch = await this.take(next.value, batch);
      this.hooks.onRead?.(this.counts.read - before);
    }
    if (batch.length > 0 && !this.stopped) await this.dispatch(batch);
    else this.unsent(batch.length);
    await Promise.all(this.slots);
    await Promise.all(this.running);
    await iterator.return?.();
    if (this.crashed) throw this.crashed.error;
  }

  /** One group of read items: each is counted, then skipped, rejected or added to the batch (sent when full). */
  private async take(group: PipelineItem[], batch: EventItem[]): Promise<EventItem[]> {
    for (const item of group) {
      // Stopped mid-group: the rest of the group is not counted as read, as if never read.
      if (this.stopped) break;
      this.counts.read++;
      if (item.kind === 'skipped') this.skip(false);
      else if (item.kind === 'other-shard') this.counts.otherShards++;
      else if (item.kind === 'rejected') await this.rejectLocal(item);
      else if (this.doneBefore(item.event)) this.skip(true);
      else if (!this.session.checkRemote || (await this.passesRemoteChecks(item))) {
        this.counts.valid++;
        batch.push(item);
        if (batch.length >= this.options.batchSize) {
          await this.dispatch(batch);
          batch = [];
        }
      }
    }
    return batch;
  }

  private skip(byJournal: boolean): void {
    this.counts.skipped++;
    if (byJournal) this.counts.skippedByJournal++;
    this.hooks.onSkipped?.(byJournal);
  }

  private unsent(count: number): void {
    if (count === 0) return;
    this.counts.unsent += count;
    this.hooks.onUnsent?.(count);
  }

  /**
   * Accepted or duplicate in an earlier run: never resent. Rejected: resent only with
   * --retry-rejected (and never twice in one run). In flight when an earlier run died: no final
   * state, so resent, with the same key. In flight now: the same key came twice in the input;
   * the second is not sent while the first is on the wire.
   */
  private doneBefore(event: CanonicalEvent): boolean {
    const journal = this.options.journal;
    if (!journal) return false;
    const key = event.idempotency_key!;
    if (this.keysInFlight.has(key)) return true;
    const state = journal.lookup(key);
    if (state === undefined) return false;
    if (state === 'rejected') return !this.options.retryRejected || this.rejectedThisRun.has(key);
    // Found missing on the server by verify: not delivered, whatever the server had answered.
    if (state === 'missing') return false;
    return true;
  }

  /** Only for targets with remote checks (run() skips the call, and its await, for the others). */
  private async passesRemoteChecks(item: Extract<PipelineItem, { kind: 'event' }>): Promise<boolean> {
    let issues: Issue[];
    try {
      issues = await this.session.checkRemote!(item.event);
    } catch (error) {
      // The target's set-up calls failed (token refused, endpoint gone): the run stops, this event unsent.
      if (!(error instanceof AbortError)) throw error;
      this.abort(error);
      this.unsent(1);
      return false;
    }
    if (issues.length === 0) return true;
    await this.rejectLocal({ kind: 'rejected', position: item.position, stage: 'target', issues, record: item.record, event: item.event });
    return false;
  }

  private async rejectLocal(item: Extract<PipelineItem, { kind: 'rejected' }>): Promise<void> {
    this.counts.rejectedLocal++;
    await this.report(item);
  }

  /**
   * Hands a rejection to the rejects file. When its line cannot be written (disk full: an
   * AbortError), the run stops at once and the record stays unsettled, so the next run rejects it
   * again into a healthy file. Returns whether the line was written.
   */
  private async report(item: Parameters<UploadHooks['onReject']>[0]): Promise<boolean> {
    try {
      await this.hooks.onReject(item);
      return true;
    } catch (error) {
      if (!(error instanceof AbortError)) throw error;
      this.abort(error);
      return false;
    }
  }

  /** The server's rejections in this batch, written to the rejects file; returns the indexes whose line could not be. */
  private async reportServerRejections(batch: EventItem[], outcomes: Outcome[]): Promise<Set<number>> {
    const unwritten = new Set<number>();
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.kind !== 'rejected') continue;
      const item = batch[i]!;
      const rejection = { kind: 'rejected' as const, position: item.position, stage: 'server' as const, issues: [{ path: 'server', message: `HTTP ${outcome.status}: ${outcome.message}`, code: 'EL_SERVER_REJECTED' as const }], record: item.record, event: item.event, status: outcome.status };
      if (!(await this.report(rejection))) unwritten.add(i);
    }
    return unwritten;
  }

  /**
   * Waits for a free request slot (this is the backpressure on reading), then starts the batch. A
   * request gives its slot up once its answer is queued for the journal, before that is committed:
   * the next request's mark is queued after the answer, and a request leaves only once its mark is
   * committed, so the answer is committed by then (in the same transaction, or an earlier one).
   * Still at most `concurrency` requests are ever sent but not answered in the journal, and an
   * answer and the next request's mark share one commit instead of waiting for one each.
   */
  private async dispatch(batch: EventItem[]): Promise<void> {
    while (this.limit.activeCount + this.limit.pendingCount >= this.limit.concurrency) await Promise.race(this.slots);
    const slot = this.limit(
      () =>
        new Promise<void>((release) => {
          const delivery = this.deliver(batch, release)
            .catch((error: unknown) => {
              this.crashed ??= { error };
              this.stop();
            })
            .finally(() => this.running.delete(delivery));
          this.running.add(delivery);
        }),
    );
    this.slots.add(slot);
    void slot.finally(() => this.slots.delete(slot));
  }

  /** One batch, from its slot to its account; `release` gives the slot up (at the latest when it ends). */
  private async deliver(batch: EventItem[], release: () => void): Promise<void> {
    this.eventsInFlight += batch.length;
    this.peakEventsInFlight = Math.max(this.peakEventsInFlight, this.eventsInFlight);
    let holding = true;
    const giveUp = () => {
      if (!holding) return;
      holding = false;
      this.eventsInFlight -= batch.length;
      release();
    };
    // Only the journal's lookup (doneBefore) reads the keys in flight; they stay until the answer is committed.
    const tracked = this.options.journal !== undefined;
    if (tracked) for (const item of batch) this.keysInFlight.add(item.event.idempotency_key!);
    try {
      await this.deliverBatch(batch, giveUp);
    } finally {
      giveUp();
      if (tracked) for (const item of batch) this.keysInFlight.delete(item.event.idempotency_key!);
    }
  }

  /** `answered`: called once the answer is queued for the journal (see dispatch). */
  private async deliverBatch(batch: EventItem[], answered: () => void): Promise<void> {
    if (this.stopped) {
      this.unsent(batch.length);
      return;
    }
    const outcomes = await this.send(batch);
    if (!outcomes) return;
    // A batch too large for the server (413) is sent again in halves, so only an event that is too
    // large on its own is rejected, never its neighbours.
    if (batch.length > 1 && outcomes.every((outcome) => outcome.kind === 'rejected' && outcome.status === 413)) {
      this.counts.sent -= batch.length;
      await this.journalWrite(() => this.options.journal?.forget(this.inflightIds.get(batch))); // the halves get rows of their own
      const half = Math.ceil(batch.length / 2);
      // Both halves are sent under this batch's slot: it is given up after the second.
      await this.deliverBatch(batch.slice(0, half), () => undefined);
      await this.deliverBatch(batch.slice(half), () => undefined);
      return;
    }
    // Rejects lines first: the journal settles a rejection only once its line is in the rejects
    // file. One whose line could not be written is left out of the answer, so the next run sends
    // it again (a kill between the two makes the next run reject it once more: never a loss).
    const unwritten = await this.reportServerRejections(batch, outcomes);
    if (this.options.journal) {
      const results = batch.flatMap((item, i) => (unwritten.has(i) ? [] : [journalResult(item.event, outcomes[i]!)]));
      // Not recorded (full disk): the events were still answered, and are counted as answered; the
      // journal keeps their request "in flight", so the next run resends them (the kill -9 bound).
      const committed = this.journalWrite(() => this.options.journal!.record(results, this.inflightIds.get(batch)));
      answered();
      await committed;
    }
    const tally = { accepted: 0, duplicates: 0, rejected: 0 };
    for (let i = 0; i < batch.length; i++) this.record(batch[i]!, outcomes[i]!, tally);
    if (this.hooks.onAnswered) this.hooks.onAnswered(tally, batch.filter((_, i) => outcomes[i]!.kind !== 'rejected'), this.latencies.get(batch));
  }

  /** The request body's JSON text: around the events' own texts where the target allows it (bodyAround), else serialised. */
  private bodyText(single: boolean, events: CanonicalEvent[]): string {
    const around = this.session.bodyAround;
    if (around) {
      const texts = events.map(keyedBodyText);
      if (texts.every((text) => text !== undefined)) return single ? around.single(texts[0]!) : around.batch(texts as string[]);
    }
    return toJsonText(single ? this.session.single.body(events[0]!) : this.session.batch!.body(events));
  }

  /** Returns one outcome per event, or undefined when the run was aborted (the batch counts as unsent). */
  private async send(batch: EventItem[]): Promise<Outcome[] | undefined> {
    const single = batch.length === 1 || !this.session.batch;
    const events = batch.map((item) => item.event);
    const path = single ? this.session.single.path : this.session.batch!.path;
    this.counts.sent += batch.length;
    this.hooks.onSend?.(batch);
    if (this.options.dryRun || !this.sender) {
      // Every event was checked when read (canonical and target checks); a target's body is a
      // plain reshaping of valid events, so a dry run builds it only for --out to write: building
      // and writing it out was a sixth of a dry run's CPU, for a string nothing read.
      if (this.hooks.onDryRun) {
        try {
          await this.hooks.onDryRun(path, this.bodyText(single, events));
        } catch (error) {
          // --out could not be written (disk full): the run stops, and this batch is not sent.
          if (!(error instanceof AbortError)) throw error;
          this.abort(error);
          this.unsent(batch.length);
          this.counts.sent -= batch.length;
          return undefined;
        }
      }
      return batch.map(() => ACCEPTED);
    }
    // Written before the request leaves: if the process dies now, the next run knows these were
    // on the wire and resends them with the same keys.
    if (this.options.journal) {
      const id = await this.journalWrite(() => this.options.journal!.markInFlight(events.map((event) => event.idempotency_key!)));
      if (id === undefined) {
        // Not marked, so not sent: the journal must know of every request on the wire.
        this.unsent(batch.length);
        this.counts.sent -= batch.length;
        return undefined;
      }
      this.inflightIds.set(batch, id);
    }
    // The request's Idempotency-Key, made only for a request that leaves (a dry run sends none).
    const key = single ? events[0]!.idempotency_key! : batchKey(events);
    const body = this.bodyText(single, events);
    const read = (response: Response): Reading => (single ? unwrap(this.session.single.outcome(response)) : this.session.batch!.outcomes(response, batch.length));
    try {
      const meaning = await this.post(path, body, key, read, (ms) => this.latencies.set(batch, ms));
      if (meaning?.kind === 'outcomes') return meaning.outcomes;
      // The server kept failing, confirmed nothing, or is not the API: the run stops, and these
      // events stay without a final state in the journal ("in flight"), so the next run sends them.
      if (meaning) this.abort(notDelivered(meaning, path));
    } catch (error) {
      if (!(error instanceof AbortError) && !(error instanceof StoppedError)) throw error;
      if (error instanceof AbortError) this.abort(error);
      // The request may or may not have arrived; it is not counted as delivered.
    }
    this.unsent(batch.length);
    this.counts.sent -= batch.length;
    return undefined;
  }

  /**
   * A journal write; when the journal cannot be written (JournalWriteError, an AbortError: full
   * disk, I/O error), the run stops sending at once and drains what is on the wire.
   */
  private async journalWrite<T>(write: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof AbortError)) throw error;
      this.abort(error);
      return undefined;
    }
  }

  /** The answer's meaning once retries are over; undefined when the run was stopped or the credentials refused. */
  private async post(path: string, body: string, key: string, read: (response: Response) => Reading, onLatency: (ms: number) => void): Promise<Meaning | undefined> {
    for (let renewed = false; ; renewed = true) {
      let generation = this.authGeneration;
      const headers = async () => {
        // A login is under way (the token expired): wait for the new token rather than spend a
        // request, and a rate-limit token, on one the server is known to refuse.
        if (this.renewing) await this.renewing;
        generation = this.authGeneration;
        return { 'idempotency-key': key, ...(await this.session.authHeaders()) };
      };
      const { response, attempts, latencyMs } = await this.sender!.send('POST', path, body, headers, this.stopping.signal, (answer) => retryReason(meaningOf(answer, read)));
      onLatency(latencyMs);
      const meaning = meaningOf(response, read);
      if (meaning.kind === 'retry') return { ...meaning, reason: `${meaning.reason}, after ${attempts} attempt${attempts === 1 ? '' : 's'}` };
      if (meaning.kind !== 'auth') return meaning;
      if (this.abortError) return undefined;
      if (response.status === 401 && !renewed && this.session.renewAuth && (await this.renewAfter(generation))) continue;
      this.abort(new AbortError(`the target refused the credentials (HTTP ${response.status}); check the token's value and permissions`, 'EL_AUTH'));
      return undefined;
    }
  }

  /**
   * Many workers may see the same expired token at once: one login serves them all. A worker whose
   * token was already replaced (`generation` is past) just sends again with the new one.
   */
  private renewAfter(generation: number): Promise<boolean> {
    if (generation !== this.authGeneration) return Promise.resolve(true);
    this.renewing ??= this.session.renewAuth!()
      .then((renewed) => {
        this.authGeneration++;
        return renewed;
      })
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private record(item: EventItem, outcome: Outcome, tally: { accepted: number; duplicates: number; rejected: number }): void {
    this.hooks.onOutcome?.(item, outcome);
    if (outcome.kind === 'accepted') {
      this.counts.accepted++;
      tally.accepted++;
    } else if (outcome.kind === 'duplicate') {
      this.counts.duplicates++;
      tally.duplicates++;
    } else {
      this.counts.rejectedServer++;
      tally.rejected++;
      if (this.options.journal) this.rejectedThisRun.add(item.event.idempotency_key!);
    }
  }
}

/** A dry run's outcome for every event it would send (outcomes are only read). */
const ACCEPTED: Outcome = Object.freeze({ kind: 'accepted' });

/** Why a request's events were not delivered, as the error that stops the run (exit 3). */
function notDelivered(meaning: Exclude<Meaning, { kind: 'outcomes' }>, path: string): AbortError {
  if (meaning.kind === 'stop') return new AbortError(`POST ${path}: ${meaning.reason}; its events are not sent`, 'EL_WRONG_ENDPOINT');
  if (meaning.kind === 'retry' && meaning.unconfirmed) {
    return new AbortError(`POST ${path}: ${meaning.reason}; its events are not sent (the next run sends them)`, 'EL_UNCONFIRMED_ANSWER');
  }
  const reason = meaning.kind === 'retry' ? meaning.reason : `HTTP ${meaning.status}`;
  return new AbortError(`the server kept failing on POST ${path}: ${reason}; events not delivered are "not sent" (the next run sends them)`, 'EL_SERVER_FAILING');
}

function unwrap(outcome: Outcome | Unconfirmed): Reading {
  return isUnconfirmed(outcome) ? outcome : [outcome];
}

/** A delivered event is kept with its answer, as sent: verify compares it with the server's copy and can send it again. */
function journalResult(event: CanonicalEvent, outcome: Outcome): EventResult {
  const key = event.idempotency_key!;
  if (outcome.kind === 'rejected') return { key, state: 'rejected', status: outcome.status, reason: redact(outcome.message).slice(0, 1000) }; // redacted before it is cut
  return { key, state: outcome.kind, ...(outcome.id !== undefined && { serverId: outcome.id }), event: keyedEventText(event) ?? toJsonText(event) };
}

