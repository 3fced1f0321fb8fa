// `eventload import`: read, map, validate and upload in one streaming pass, then account for
// every event. Also serves `--sandbox` (a local emulator of the target, started in-process).
import { join } from 'node:path';
import { AbortError, ConfigError, EXIT } from '../../errors.js';
import { applyConfig, type ConfigurableFlags } from '../../config/apply.js';
import type { Journal, JournalScope } from '../../journal/journal.js';
import { ErrorRateGuard } from '../../report/error-rate.js';
import { prepareInputs, readEvents, type PipelineItem } from '../../pipeline/read-events.js';
import { ReasonTally } from '../../report/reasons.js';
import { RejectsWriter } from '../../report/rejects.js';
import { checkReplaceable, OutputFile, OutputWriteError, replaceFile } from '../../output/file.js';
import { checkOutputs, journalFiles, type NamedPath } from '../../output/same-file.js';
import { addSecretsFromEnv, redact } from '../../secrets/redact.js';
import { allTargets, findTarget, parseTargetOptions } from '../../targets/index.js';
import type { Session } from '../../targets/types.js';
import type { HttpClient } from '../../upload/http.js';
import { RateLimiter } from '../../upload/rate-limiter.js';
import { DEFAULT_RETRY, Sender } from '../../upload/sender.js';
import type { Summary } from '../../upload/summary.js';
import { AdaptiveConcurrency } from '../../upload/adaptive.js';
import { Uploader, type EventItem } from '../../upload/uploader.js';
import { DELIVERY_DEFAULTS, REQUEST_TIMEOUT_FACTOR } from '../defaults.js';
import { checkEndpoint } from '../endpoint.js';
import { loadInputSettings, type InputFlags } from '../input-settings.js';
import { Progress } from '../progress.js';
import { printSummary } from '../summary-output.js';
import type { RunningSandbox } from '../sandbox-session.js';
import type { CommandFlags } from '../../options/index.js';

/** The flags of import, typed by the option table (src/options); the target may come from --config. */
export type ImportFlags = CommandFlags<'import'> & InputFlags & ConfigurableFlags & { target: string };

/** What sync and replay add to an import: another command name, a journal they opened, hooks. */
export interface DeliveryExtras {
  command?: string;
  journal?: Journal;
  env?: Record<string, string | undefined>;
  /** Reshapes the stream of items before upload (replay's scheduler). */
  transform?: (items: AsyncIterable<PipelineItem>, uploader: Uploader) => AsyncIterable<PipelineItem>;
  /** Called with the finished summary and the journal scope (sync remembers unchanged files). */
  afterRun?: (summary: Summary, scope: JournalScope | undefined) => void;
  /** More fields for the summary (replay's lag). */
  extraSummary?: () => Record<string, unknown>;
  /** A request is about to leave with these events. */
  onSend?: (batch: EventItem[]) => void;
  /** A part of the progress line (replay's lag). */
  progressDetail?: () => string | undefined;
  /** sync: a final line without a line end is not read yet (the file is still being written), but counted as pending. */
  holdIncompleteTail?: boolean;
  /** Prints the summary instead of the import's table (sync's one line). */
  printSummary?: (summary: Summary) => void;
  /** Where a default-named rejects file goes (sync: beside its config); the current folder otherwise. */
  rejectsFolder?: string;
}

export const DEFAULT_JOURNAL = process.env.EVENTLOAD_JOURNAL || '.eventload/journal.db';

export async function runImport(commandLineFiles: string[], commandLineFlags: ImportFlags, extras: DeliveryExtras = {}): Promise<number> {
  // --config fills in what the command line did not say (flags win), credentials included.
  const configured = await applyConfig(commandLineFlags, commandLineFlags.optionSources, commandLineFiles, { env: extras.env });
  const flags = configured.flags;
  const files = configured.files;
  if (!flags.target) throw new ConfigError('no target: pass --target NAME (flowmyna, immutable, flaring)');
  if (files.length === 0) throw new ConfigError('no input files: name them, or "files" in the --config file');
  extras = { ...extras, env: configured.env };
  const target = findTarget(flags.target);
  const settings = await loadInputSettings(files, { ...flags, target: target.name });
  settings.holdIncompleteTail = extras.holdIncompleteTail;
  const targetOptions = parseTargetOptions(target, settings.mapping?.targets?.[target.name], flags.mapping ?? 'mapping');
  const batchSize = chooseBatchSize(flags.batchSize, target.maxBatchSize);
  if (flags.concurrency !== 'auto' && flags.concurrency < 1) throw new ConfigError('--concurrency must be at least 1, or auto');
  if ((flags.concurrencyMax ?? DELIVERY_DEFAULTS.concurrencyMax) < 1) throw new ConfigError('--concurrency-max must be at least 1');
  if (flags.requestTimeout !== undefined && flags.requestTimeout < 1) throw new ConfigError('--request-timeout must be at least 1 ms');
  if (flags.out && !flags.dryRun) throw new ConfigError('--out writes the request bodies of a --dry-run; add --dry-run');

  // A named rejects file is appended to (every run keeps its rejects); a default-named one is new.
  const rejects = new RejectsWriter(flags.rejects ?? join(extras.rejectsFolder ?? '', defaultRejectsPath()), { append: flags.rejects !== undefined, command: extras.command ?? 'import', files });
  // Checked before the journal is opened: opening it writes (its lock), and it may be an input.
  checkOutputs(inputPaths(files, flags), deliveryOutputs(rejects.path, flags, extras));
  // The journal's lock is taken (in Journal.open) before anything is written, and held until the
  // end: a second run on this journal stops here (exit 4) before it writes or sends anything.
  const journal = await openJournal(flags, extras);
  let out: OutputFile | undefined;
  try {
    await rejects.checkWritable();
    if (flags.report) checkReplaceable(flags.report, '--report', isSummaryReport);
    out = flags.out ? OutputFile.create(flags.out, '--out') : undefined;
    const prepared = await prepareInputs(settings);
    const sandbox: RunningSandbox | undefined = flags.sandbox && !flags.dryRun ? await (await import('../sandbox-session.js')).startSandboxFor(target.name, flags.quiet || flags.json) : undefined;
    try {
      return await importInto(sandbox, target, settings, prepared, rejects, out, targetOptions, batchSize, flags, { ...extras, journal });
    } finally {
      await sandbox?.close();
    }
  } finally {
    out?.close();
    if (journal !== extras.journal) journal?.close();
  }
}

/** What a run reads: its input files, and the mapping and config files that shape it. */
export function inputPaths(files: readonly string[], flags: { mapping?: string; config?: string }): NamedPath[] {
  return [
    ...files.map((path) => ({ role: 'input', path })),
    ...(flags.mapping ? [{ role: 'the mapping file', path: flags.mapping }] : []),
    ...(flags.config ? [{ role: 'the config file', path: flags.config }] : []),
  ];
}

/** Every file an import, replay or sync run writes. */
function deliveryOutputs(rejects: string, flags: ImportFlags, extras: DeliveryExtras): NamedPath[] {
  const journal = flags.dryRun || flags.journal === false ? undefined : (extras.journal?.path ?? (typeof flags.journal === 'string' ? flags.journal : DEFAULT_JOURNAL));
  return [
    { role: '--rejects', path: rejects },
    ...(flags.out ? [{ role: '--out', path: flags.out }] : []),
    ...(flags.report ? [{ role: '--report', path: flags.report }] : []),
    ...(journal ? journalFiles(journal) : []),
  ];
}

/** An earlier summary written by --report (and so replaceable by this run's). */
export function isSummaryReport(text: string): boolean {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    return typeof json === 'object' && json !== null && typeof json.command === 'string' && typeof json.outcome === 'string' && typeof json.read === 'number';
  } catch {
    return false;
  }
}

/** The journal this run writes (sync passes the one it opened), or none with --no-journal or --dry-run. */
async function openJournal(flags: ImportFlags, extras: DeliveryExtras): Promise<Journal | undefined> {
  if (extras.journal) return extras.journal;
  if (flags.dryRun || flags.journal === false) return undefined;
  // SQLite is loaded only when used: a dry run skips its start-up time and memory.
  const { Journal } = await import('../../journal/journal.js');
  const journal = Journal.open(typeof flags.journal === 'string' ? flags.journal : DEFAULT_JOURNAL, extras.command ?? 'import');
  noteRecoveredLock(journal);
  return journal;
}

/** A run that took over the lock of a dead one says so: that run may have left events in flight. */
export function noteRecoveredLock(journal: Journal): void {
  const owner = journal.recoveredLock;
  if (owner) process.stderr.write(`eventload: recovered a stale lock left by pid ${owner.pid} (since ${owner.since}), which is no longer running; journal ${journal.path}\n`);
}

async function importInto(
  sandbox: RunningSandbox | undefined,
  target: ReturnType<typeof findTarget>,
  settings: Awaited<ReturnType<typeof loadInputSettings>>,
  prepared: Awaited<ReturnType<typeof prepareInputs>>,
  rejects: RejectsWriter,
  out: OutputFile | undefined,
  targetOptions: unknown,
  batchSize: number,
  flags: ImportFlags,
  extras: DeliveryExtras,
): Promise<number> {
  const endpoint = sandbox?.url ?? checkEndpoint(flags.endpoint ?? target.defaultEndpoint, flags.allowHttp ?? false);
  const env = sandbox?.env ?? extras.env ?? process.env;
  // Every target's credentials, not only this one's: a server may echo any of them. Not the
  // sandbox's: they are published (its login password is the word "sandbox").
  addSecretsFromEnv(extras.env ?? process.env, allTargets().flatMap((t) => t.credentials.map((c) => c.variable)));
  // The HTTP client (undici) and the sandbox are loaded only when used: a dry run needs neither.
  const journal = extras.journal;
  // A sandbox listens on a new port each run: its journal scope is `sandbox:<target>`, stable, so
  // kill-and-resume can be rehearsed there, and apart from every real endpoint.
  const scopeKey = sandbox ? (await import('../../journal/endpoint-scope.js')).sandboxScope(target.name) : endpoint;
  const { runId, scope } = journal ? await startJournalRun(journal, extras.command ?? 'import', target.name, scopeKey) : { runId: undefined, scope: undefined };
  const progress = new Progress({ quiet: flags.quiet || flags.json, verbose: flags.verbose });
  progress.watchInputs(prepared.map((p) => p.input));
  if (extras.progressDetail) progress.addDetail(extras.progressDetail);
  const guard = flags.maxErrorRate !== undefined ? new ErrorRateGuard(flags.maxErrorRate) : undefined;
  const started = Date.now();
  const reasons = new ReasonTally();
  let http: HttpClient | undefined;
  let uploader: Uploader | undefined;
  let concurrencyReport: (() => Record<string, unknown>) | undefined;
  const stopSignals = installSignalHandlers(() => uploader?.stop(), progress, () => http?.destroy(), flags.drainTimeout ?? DELIVERY_DEFAULTS.drainTimeout);
  try {
    const rate = flags.rate ? { perSecond: flags.rate, burst: 1 } : target.defaultRate;
    const concurrency = flags.concurrency === 'auto' ? (flags.concurrencyMax ?? DELIVERY_DEFAULTS.concurrencyMax) : flags.concurrency;
    const adaptive = flags.concurrency === 'auto' ? new AdaptiveConcurrency(concurrency) : undefined;
    concurrencyReport = adaptive && (() => ({ mode: 'auto', max: concurrency, final: adaptive.limit, ...adaptive.history }));
    http = flags.dryRun ? undefined : new (await import('../../upload/http.js')).HttpClient(endpoint, concurrency, { idleMs: flags.timeout, totalMs: flags.requestTimeout ?? flags.timeout * REQUEST_TIMEOUT_FACTOR });
    const sender = http && new Sender(http, new RateLimiter(rate?.perSecond, rate?.burst), { ...DEFAULT_RETRY, maxRetries: flags.maxRetries, deadlineMs: flags.retryDeadline * 1000, baseDelayMs: flags.backoffBase }, (notice) => progress.retry(notice));
    const session: Session = await connect(target, sender, env, targetOptions, flags.dryRun ?? false);
    uploader = new Uploader(session, sender, { concurrency, adaptive, batchSize, dryRun: flags.dryRun ?? false, journal: scope, retryRejected: flags.retryRejected }, {
      onReject: async (item) => {
        progress.rejected(item);
        reasons.add(item.issues, item.position, item.status);
        await rejects.write(item);
      },
      onSend: extras.onSend,
      onDryRun: out && (async (_path, body) => out.append(`${redact(body)}\n`)),
    });
    progress.start(uploader.counts);
    const read = readEvents(settings, prepared);
    const items = guard ? guarded(read, guard, uploader) : read;
    await uploader.run(extras.transform ? extras.transform(items, uploader) : items);
  } finally {
    progress.stop();
    stopSignals.runOver();
    await rejects.close();
    await http?.close().catch(() => undefined);
  }
  const stoppedBy = stopSignals.signal; // a signal after this finds the run over, and only waits for the summary
  // Until the summary is out, a signal must not kill the process before it says what happened.
  try {
    const summary = {
      command: extras.command ?? 'import',
      ...summarize(uploader!, target.name, endpoint, flags, started, rejects, reasons, stoppedBy),
      ...(concurrencyReport && { concurrency: concurrencyReport() }),
      ...extras.extraSummary?.(),
      ...(extras.holdIncompleteTail && { pending: prepared.filter((p) => p.input.state.pending).length }),
    };
    if (guard?.tripped) Object.assign(summary, { outcome: 'aborted', error: guard.message() });
    const journalFailure = journal && (await finishJournalRun(journal, scope!, runId!, summary, extras));
    if (journalFailure) Object.assign(summary, { outcome: 'aborted', error: journalFailure.message });
    if (flags.report) writeReport(flags.report, summary);
    if (extras.printSummary) extras.printSummary(summary);
    else printSummary(summary, flags.json ?? false);
    if (sandbox && !flags.json) sandbox.describe();
    // Said on stderr too (one line, naming the file and the cause): the summary may be JSON, or in a report.
    if (uploader!.abortError instanceof OutputWriteError) process.stderr.write(`eventload: ${uploader!.abortError.message}\n`);
    // The journal could not be written: one line naming the file and the cause, exit 3.
    const journalError = journalFailure ?? (uploader!.abortError?.code === 'EL_JOURNAL_WRITE' ? uploader!.abortError : undefined);
    if (journalError) {
      process.stderr.write(`eventload: ${journalError.message}\n`);
      return EXIT.aborted;
    }
    if (guard?.tripped) {
      process.stderr.write(`eventload: ${guard.message()}\n`);
      return EXIT.someRejected;
    }
    if (summary.outcome === 'interrupted') return stoppedBy === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
    if (uploader!.abortError) return EXIT.aborted;
    return summary.rejectedLocal + summary.rejectedServer > 0 ? EXIT.someRejected : EXIT.ok;
  } finally {
    stopSignals.dispose();
  }
}

/** The run's row and scope; a journal that cannot be written (full disk) stops the run here, exit 3. */
async function startJournalRun(journal: Journal, command: string, target: string, scopeKey: string): Promise<{ runId: number; scope: JournalScope }> {
  try {
    const runId = journal.startRun(command, target, scopeKey);
    return { runId, scope: journal.scope(target, scopeKey, runId) };
  } catch (error) {
    throw (await import('../../journal/journal.js')).asJournalWriteError(error, journal.path);
  }
}

/**
 * Merges the run's answers and records how it ended. A journal that cannot be written any more
 * (full disk) is not a crash: what is committed stays (merged at the next open), and the failure
 * is returned for the summary and the exit code.
 */
async function finishJournalRun(journal: Journal, scope: JournalScope, runId: number, summary: Summary, extras: DeliveryExtras): Promise<AbortError | undefined> {
  try {
    if (scope.failure) throw scope.failure;
    scope.merge();
    journal.finishRun(runId, summary.outcome, summary);
    extras.afterRun?.(summary, scope);
    return undefined;
  } catch (error) {
    const failure = (await import('../../journal/journal.js')).asJournalWriteError(error, journal.path);
    if (failure instanceof AbortError && failure.code === 'EL_JOURNAL_WRITE') return failure;
    throw error;
  }
}

/**
 * --max-error-rate: every record read counts (records left out on purpose do not); the record
 * that trips the limit is still handed on, so it is accounted for, then reading stops.
 */
async function* guarded(items: AsyncIterable<PipelineItem>, guard: ErrorRateGuard, uploader: Uploader): AsyncGenerator<PipelineItem> {
  for await (const item of items) {
    const stop = item.kind !== 'skipped' && guard.observe(item.kind === 'event');
    yield item;
    if (stop) {
      uploader.stop();
      return;
    }
  }
}

function chooseBatchSize(requested: number | undefined, max: number): number {
  if (requested === undefined) return max;
  if (requested < 1) throw new ConfigError('--batch-size must be at least 1');
  if (requested > max) throw new ConfigError(`--batch-size ${requested}: this target takes at most ${max} event${max === 1 ? '' : 's'} per request`);
  return requested;
}

async function connect(target: ReturnType<typeof findTarget>, sender: Sender | undefined, env: Record<string, string | undefined>, options: unknown, dryRun: boolean): Promise<Session> {
  const client = sender?.apiClient() ?? offlineClient;
  try {
    return await target.connect(client, { env, dryRun }, options);
  } catch (error) {
    if (error instanceof AbortError || error instanceof ConfigError) throw error;
    throw new AbortError(`could not connect to ${target.name}: ${(error as Error).message}`);
  }
}

const offlineClient = {
  get: async () => ({ status: 599, body: { detail: 'dry run: nothing is sent' } }),
  post: async () => ({ status: 599, body: { detail: 'dry run: nothing is sent' } }),
};

/** `eventload-rejects-<UTC time>.ndjson`: created exclusively (`-2`, `-3`… when two runs start in the same second). */
export function defaultRejectsPath(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `eventload-rejects-${stamp}.ndjson`;
}

function summarize(uploader: Uploader, target: string, endpoint: string, flags: ImportFlags, started: number, rejects: RejectsWriter, reasons: ReasonTally, signal: NodeJS.Signals | undefined): Summary {
  const elapsedSeconds = (Date.now() - started) / 1000;
  // A dry run "accepts" every event it does not send; the summary must not call that accepted.
  const counts = flags.dryRun ? { ...uploader.counts, accepted: 0 } : uploader.counts;
  // The rate of a dry run is of the events it would send: what `--dry-run` measures is the pipeline.
  const delivered = flags.dryRun ? uploader.counts.accepted : counts.accepted + counts.duplicates;
  return {
    target,
    endpoint,
    dryRun: flags.dryRun ?? false,
    outcome: signal ? 'interrupted' : uploader.abortError ? 'aborted' : 'completed',
    ...(uploader.abortError && { error: uploader.abortError.message }),
    ...counts,
    ...(flags.dryRun && { wouldSend: uploader.counts.accepted }),
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    eventsPerSecond: Math.round(delivered / Math.max(elapsedSeconds, 0.001)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    peakEventsInFlight: uploader.peakEventsInFlight,
    rejects: rejects.count + rejects.notWritten > 0 ? rejects.path : null,
    ...(rejects.notWritten > 0 && { rejectsNotWritten: rejects.notWritten }),
    rejectedByReason: reasons.list(),
  };
}

/** Replaces the earlier report atomically (checked replaceable before the run); a failure is said, the run's exit code stands. */
function writeReport(path: string, summary: Summary): void {
  try {
    replaceFile(path, `${redact(JSON.stringify(summary, null, 2))}\n`, '--report');
  } catch (error) {
    process.stderr.write(`eventload: ${(error as Error).message}\n`);
  }
}

/**
 * First Ctrl-C / SIGTERM: stop reading and let requests on the wire finish, for at most
 * --drain-timeout seconds (then they are cut off, stay "in flight" in the journal and are resent
 * by the next run). Second: quit at once; the journal is consistent at every instant.
 */
function installSignalHandlers(stop: () => void, progress: Progress, cutOff: () => void, drainSeconds: number) {
  const state: { signal: NodeJS.Signals | undefined; runOver(): void; dispose(): void } = { signal: undefined, runOver: () => undefined, dispose: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let over = false;
  const handler = (signal: NodeJS.Signals) => {
    if (state.signal) {
      process.stderr.write('\neventload: stopped at once\n');
      process.exit(signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
    }
    state.signal = signal;
    // Sending is over and the summary is being written: let it finish (a second signal still quits).
    if (over) return;
    progress.note(`stopping: waiting up to ${drainSeconds} s for requests under way to finish (Ctrl-C again to quit at once)`);
    stop();
    timer = setTimeout(cutOff, drainSeconds * 1000);
    timer.unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  state.runOver = () => {
    over = true;
    if (timer) clearTimeout(timer);
  };
  state.dispose = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  return state;
}
