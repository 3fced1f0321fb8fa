// The delivery run, with no terminal: sets up the journal, the rejects file and the outputs,
// reads, maps, validates and uploads in one streaming pass, and returns the account of every
// event. Whoever calls it renders the events it emits; it never prints, exits or reads the command line.
import { AbortError, ConfigError } from '../errors.js';
import type { Journal, JournalScope } from '../journal/journal.js';
import { checkReplaceable, OutputFile } from '../output/file.js';
import { checkOutputs, journalFiles, type NamedPath } from '../output/same-file.js';
import { prepareInputs, readEvents, type PipelineItem } from '../pipeline/read-events.js';
import { ErrorRateGuard } from '../report/error-rate.js';
import { ReasonTally } from '../report/reasons.js';
import { checkRunReportPath } from '../report/html/mark.js';
import { RunDataBuilder, type RunData } from '../report/run-data.js';
import { RejectsWriter } from '../report/rejects.js';
import { addSecretsFromEnv, redact } from '../secrets/redact.js';
import { allTargets, parseTargetOptions } from '../targets/index.js';
import type { Session, TargetPlugin } from '../targets/types.js';
import { AdaptiveConcurrency } from '../upload/adaptive.js';
import type { HttpClient } from '../upload/http.js';
import { RateLimiter } from '../upload/rate-limiter.js';
import { DEFAULT_RETRY, Sender } from '../upload/sender.js';
import type { Summary } from '../upload/summary.js';
import { Uploader, type EventItem } from '../upload/uploader.js';
import type { DeliveryEvent, DeliveryListener } from './events.js';
import { finishJournalRun, openJournal, recoveredLockNotice, startJournalRun } from './journal-run.js';
import type { Connection, DeliveryInputs, DeliveryOptions } from './options.js';
import { inputPaths, isSummaryReport } from './outputs.js';
import { observe } from './run-data.js';

/** How a run ended, beyond its summary: what the caller needs to choose an exit code. */
export interface Delivery {
  summary: Summary;
  /** The error that stopped sending early (credentials refused, server failing, a file not writable). */
  abortError?: AbortError;
  /** The journal could not be written (full disk): what it holds stays consistent. */
  journalError?: AbortError;
  /** --max-error-rate was exceeded: why reading stopped. */
  errorRateExceeded?: string;
  /**
   * What the HTML report shows (--report-html); also stored in the journal with the run. Absent
   * when the run keeps no journal and writes no report (a dry run, --no-journal): nothing could
   * read it then, and gathering it (the directly-follows graph remembers up to 100,000 objects)
   * costs such a run a tenth of its time and memory.
   */
  runData?: RunData;
}

type Prepared = Awaited<ReturnType<typeof prepareInputs>>;

/** Runs one delivery: every default already applied in `options`; events go to `onEvent` as they happen. */
export async function deliver(inputs: DeliveryInputs, target: TargetPlugin<any>, options: DeliveryOptions, listener: DeliveryListener = () => undefined): Promise<Delivery> {
  // Every run that keeps a journal or writes a report gathers its report data from its own events,
  // so it can be reported on later; it is made once the journal is known (below).
  let runData: RunDataBuilder | undefined;
  const onEvent: DeliveryListener = (event) => {
    if (runData) observe(runData, event);
    listener(event);
  };
  const settings = inputs.settings;
  // A named rejects file is appended to (every run keeps its rejects); a default-named one is new.
  const rejects = new RejectsWriter(options.rejects.path, { append: options.rejects.append, command: options.command, files: settings.files });
  // Checked before the journal is opened: opening it writes (its lock), and it may be an input.
  checkOutputs(inputPaths(settings.files, { mapping: settings.mappingFile, config: inputs.configFile }), outputsOf(rejects.path, options));
  // The journal's lock is taken before anything is written, and held until the end: a second
  // run on this journal stops here (exit 4) before it writes or sends anything.
  const journal = await openJournal(options.journal, options.command);
  if (journal || options.reportHtml) runData = new RunDataBuilder();
  const ownJournal = journal !== undefined && options.journal !== undefined && !('opened' in options.journal);
  const notice = ownJournal ? recoveredLockNotice(journal) : undefined;
  if (notice) onEvent({ type: 'notice', code: 'EL_STALE_LOCK_RECOVERED', message: notice });
  let out: OutputFile | undefined;
  try {
    await rejects.checkWritable();
    if (options.report) checkReplaceable(options.report, '--report', isSummaryReport);
    if (options.reportHtml) checkRunReportPath(options.reportHtml);
    out = options.out ? OutputFile.create(options.out, '--out') : undefined;
    const prepared = await prepareInputs(settings);
    const connection = await options.connect();
    return await run({ inputs, target, options, onEvent, rejects, out, prepared, connection, journal, runData });
  } finally {
    out?.close();
    if (ownJournal) journal.close();
  }
}

/** Every file the run writes. */
function outputsOf(rejects: string, options: DeliveryOptions): NamedPath[] {
  const choice = options.journal;
  const journal = choice && ('opened' in choice ? choice.opened.path : choice.path);
  return [
    { role: '--rejects', path: rejects },
    ...(options.out ? [{ role: '--out', path: options.out }] : []),
    ...(options.report ? [{ role: '--report', path: options.report }] : []),
    ...(options.reportHtml ? [{ role: '--report-html', path: options.reportHtml }] : []),
    ...(journal ? journalFiles(journal) : []),
  ];
}

interface RunParts {
  inputs: DeliveryInputs;
  target: TargetPlugin<any>;
  options: DeliveryOptions;
  onEvent: DeliveryListener;
  rejects: RejectsWriter;
  out: OutputFile | undefined;
  prepared: Prepared;
  connection: Connection;
  journal: Journal | undefined;
  runData: RunDataBuilder | undefined;
}

async function run(parts: RunParts): Promise<Delivery> {
  const { target, options, onEvent, rejects, connection, journal } = parts;
  // Every target's credentials, not only this one's: a server may echo any of them.
  addSecretsFromEnv(options.secretsFrom, allTargets().flatMap((t) => t.credentials.map((c) => c.variable)));
  // A sandbox listens on a new port each run: its journal scope is `sandbox:<target>`, stable, so
  // kill-and-resume can be rehearsed there, and apart from every real endpoint.
  const scopes = await import('../journal/endpoint-scope.js');
  const scopeKey = scopes.shardScope(connection.sandbox ? scopes.sandboxScope(target.name) : connection.endpoint, options.shard);
  const { runId, scope } = journal ? await startJournalRun(journal, options.command, target.name, scopeKey) : { runId: undefined, scope: undefined };
  const guard = options.maxErrorRate !== undefined ? new ErrorRateGuard(options.maxErrorRate) : undefined;
  const started = Date.now();
  const reasons = new ReasonTally();
  const sending = await send(parts, scope, reasons, guard);
  // Until here a stop request cut the run short; from now on it only waits for the account.
  const interrupted = options.signal?.aborted ?? false;
  onEvent({ type: 'drained' });
  const uploader = sending.uploader;
  const summary: Summary = {
    command: options.command,
    ...(options.shard && { shard: options.shard }),
    ...(runId !== undefined && { runId }),
    ...summarize(uploader, target.name, connection.endpoint, options.dryRun, started, rejects, reasons, interrupted),
    ...(sending.concurrency && { concurrency: sending.concurrency() }),
    ...Object.assign({}, ...(options.stages ?? []).map((stage) => stage.summary?.() ?? {})),
    ...(parts.inputs.settings.holdIncompleteTail && { pending: parts.prepared.filter((p) => p.input.state.pending).length }),
  };
  if (guard?.tripped) Object.assign(summary, { outcome: 'aborted', error: guard.message() });
  const ledger = options.journal && 'opened' in options.journal ? options.journal.ledger : undefined;
  // The report data holds the summary itself: a journal failure below changes both alike.
  const runData = parts.runData?.finish(summary, runId);
  const journalFailure = journal && (await finishJournalRun(journal, scope!, runId!, summary, ledger && ((s: JournalScope) => ledger.settle(s, summary)), runData!));
  if (journalFailure) Object.assign(summary, { outcome: 'aborted', error: journalFailure.message });
  onEvent({ type: 'finished', summary });
  const journalError = journalFailure ?? (uploader.abortError?.code === 'EL_JOURNAL_WRITE' ? uploader.abortError : undefined);
  return { summary, abortError: uploader.abortError, journalError, errorRateExceeded: guard?.tripped ? guard.message() : undefined, ...(runData && { runData }) };
}

/** Connects, uploads every item, and drains; a stop request ends reading, then cuts off requests after the drain timeout. */
async function send(parts: RunParts, scope: JournalScope | undefined, reasons: ReasonTally, guard: ErrorRateGuard | undefined) {
  const { target, options, onEvent, rejects, out, connection } = parts;
  const emit = (event: DeliveryEvent) => onEvent(event);
  let http: HttpClient | undefined;
  let uploader: Uploader | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    uploader?.stop();
    drainTimer = setTimeout(() => http?.destroy(), options.drainTimeoutMs);
    drainTimer.unref();
  };
  options.signal?.addEventListener('abort', onStop, { once: true });
  const sentListeners: Array<(events: readonly EventItem[]) => void> = [];
  let concurrency: (() => Record<string, unknown>) | undefined;
  try {
    const limit = options.concurrency.limit;
    const adaptive = options.concurrency.adaptive ? new AdaptiveConcurrency(limit) : undefined;
    concurrency = adaptive && (() => ({ mode: 'auto', max: limit, final: adaptive.limit, ...adaptive.history }));
    // The HTTP client (undici) is loaded only when used: a dry run does not need it.
    http = options.dryRun ? undefined : new (await import('../upload/http.js')).HttpClient(connection.endpoint, limit, options.timeouts);
    const rate = options.rate;
    const sender = http && new Sender(http, new RateLimiter(rate?.perSecond, rate?.burst, Date.now, rate?.slots), { ...DEFAULT_RETRY, ...options.retry }, (notice) => emit({ type: 'retried', ...notice }));
    const session = await connect(target, sender, connection.env, parts, options.dryRun);
    uploader = new Uploader(session, sender, { concurrency: limit, adaptive, batchSize: options.batchSize, dryRun: options.dryRun, journal: scope, retryRejected: options.retryRejected }, {
      onReject: async (item) => {
        emit({ type: 'rejected', position: item.position, stage: item.stage, issues: item.issues, status: item.status });
        reasons.add(item.issues, item.position, item.status);
        await rejects.write(item);
      },
      onSend: (batch) => {
        emit({ type: 'sent', events: batch });
        for (const listener of sentListeners) listener(batch);
      },
      onRead: (count) => emit({ type: 'read', count }),
      onSkipped: (byJournal) => emit({ type: 'skipped', byJournal }),
      onUnsent: (count) => emit({ type: 'unsent', count }),
      onAnswered: (tally, arrived, latencyMs) => emit({ type: 'answered', ...tally, arrived, ...(latencyMs !== undefined && { latencyMs }) }),
      onDryRun: out && (async (_path, body) => out.append(`${redact(body)}\n`)),
    });
    if (options.signal?.aborted) uploader.stop();
    emit({ type: 'started', command: options.command, target: target.name, endpoint: connection.endpoint, dryRun: options.dryRun, inputs: parts.prepared.map((p) => p.input), counts: uploader.counts });
    const running = uploader;
    // Event texts are kept for what writes them: request bodies (sent, or written by --out) and the journal.
    const read = readEvents({ ...parts.inputs.settings, keepEventText: !options.dryRun || out !== undefined || scope !== undefined }, parts.prepared);
    let items: AsyncIterable<PipelineItem> = guard ? guarded(read, guard, running) : read;
    const context = { signal: running.stopSignal, onSent: (listener: (events: readonly EventItem[]) => void) => void sentListeners.push(listener) };
    for (const stage of options.stages ?? []) items = stage.transform(items, context);
    await running.run(items);
  } finally {
    options.signal?.removeEventListener('abort', onStop);
    if (drainTimer) clearTimeout(drainTimer);
    await rejects.close();
    await http?.close().catch(() => undefined);
  }
  return { uploader: uploader!, concurrency };
}

/**
 * --max-error-rate: every record read counts (records left out on purpose do not); the record
 * that trips the limit is still handed on, so it is accounted for, then reading stops.
 */
async function* guarded(items: AsyncIterable<PipelineItem>, guard: ErrorRateGuard, uploader: Uploader): AsyncGenerator<PipelineItem> {
  for await (const item of items) {
    const stop = item.kind !== 'skipped' && item.kind !== 'other-shard' && guard.observe(item.kind === 'event');
    yield item;
    if (stop) {
      uploader.stop();
      return;
    }
  }
}

async function connect(target: TargetPlugin<any>, sender: Sender | undefined, env: Record<string, string | undefined>, parts: RunParts, dryRun: boolean): Promise<Session> {
  const client = sender?.apiClient() ?? offlineClient;
  const settings = parts.inputs.settings;
  const targetOptions = parseTargetOptions(target, settings.mapping?.targets?.[target.name], settings.mappingFile ?? 'mapping');
  try {
    return await target.connect(client, { env, dryRun }, targetOptions);
  } catch (error) {
    if (error instanceof AbortError || error instanceof ConfigError) throw error;
    throw new AbortError(`could not connect to ${target.name}: ${(error as Error).message}`, 'EL_CONNECT');
  }
}

const offlineClient = {
  get: async () => ({ status: 599, body: { detail: 'dry run: nothing is sent' } }),
  post: async () => ({ status: 599, body: { detail: 'dry run: nothing is sent' } }),
};

function summarize(uploader: Uploader, target: string, endpoint: string, dryRun: boolean, started: number, rejects: RejectsWriter, reasons: ReasonTally, interrupted: boolean): Summary {
  const elapsedSeconds = (Date.now() - started) / 1000;
  // A dry run "accepts" every event it does not send; the summary must not call that accepted.
  const counts = dryRun ? { ...uploader.counts, accepted: 0 } : uploader.counts;
  // The rate of a dry run is of the events it would send: what `--dry-run` measures is the pipeline.
  const delivered = dryRun ? uploader.counts.accepted : counts.accepted + counts.duplicates;
  return {
    target,
    endpoint,
    dryRun,
    outcome: interrupted ? 'interrupted' : uploader.abortError ? 'aborted' : 'completed',
    ...(uploader.abortError && { error: uploader.abortError.message }),
    ...counts,
    ...(dryRun && { wouldSend: uploader.counts.accepted }),
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    eventsPerSecond: Math.round(delivered / Math.max(elapsedSeconds, 0.001)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    peakEventsInFlight: uploader.peakEventsInFlight,
    rejects: rejects.count + rejects.notWritten > 0 ? rejects.path : null,
    ...(rejects.notWritten > 0 && { rejectsNotWritten: rejects.notWritten }),
    rejectedByReason: reasons.list(),
  };
}
