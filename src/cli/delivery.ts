// The delivery commands' side of a run (import, replay, sync): flags resolved once into the core's
// options, then the core's events rendered as the progress line, Ctrl-C turned into a stop, the
// summary printed and the outcome mapped to an exit code. The run itself is src/core.
import { join } from 'node:path';
import { deliver, defaultRejectsPath, type Delivery, type DeliveryInputs, type DeliveryOptions, type DeliveryStage, type JournalChoice } from '../core/index.js';
import { ConfigError, EventloadError, EXIT } from '../errors.js';
import { replaceFile } from '../output/file.js';
import { redact } from '../secrets/redact.js';
import { findTarget } from '../targets/index.js';
import type { TargetPlugin } from '../targets/types.js';
import type { Summary } from '../upload/summary.js';
import { DELIVERY_DEFAULTS, REQUEST_TIMEOUT_FACTOR } from './defaults.js';
import { checkEndpoint } from './endpoint.js';
import { roomyHeap } from './heap.js';
import { loadInputSettings } from './input-settings.js';
import { errorLine } from './error-line.js';
import { DEFAULT_JOURNAL } from './journal-path.js';
import { planShard, shardJournalPath, type ShardPlan } from './shard.js';
import type { Shard } from '../pipeline/shard.js';
import type { ConfigurableFlags } from '../config/apply.js';
import type { CommandFlags } from '../options/index.js';
import type { InputFlags } from './input-settings.js';
import { Progress } from './progress.js';
import type { RunningSandbox } from './sandbox-session.js';
import { installStopSignals } from './signals.js';
import { printSummary } from './summary-output.js';

/** The flags of import (replay and sync build the same), typed by the option table; the target may come from --config. */
export type ImportFlags = CommandFlags<'import'> & InputFlags & ConfigurableFlags & { target: string };

/** A run ready to start: what the core needs, and the sandbox the CLI started for it (if any). */
export interface PlannedDelivery {
  inputs: DeliveryInputs;
  target: TargetPlugin<any>;
  options: Omit<DeliveryOptions, 'signal'>;
  flags: ImportFlags;
  /** Set once the core connects with --sandbox: described after the summary, closed at the end. */
  sandbox: { running?: RunningSandbox };
}

/** Where a command's run differs from an import's. */
export interface DeliveryPlace {
  command: string;
  /** The journal the command opened itself (sync); otherwise the one --journal names. */
  journal?: JournalChoice;
  /** Where a default-named rejects file goes (sync: beside its config); the current folder otherwise. */
  rejectsFolder?: string;
  /** sync: a final line without a line end is not read yet (still being written), but counted as pending. */
  holdIncompleteTail?: boolean;
  stages?: readonly DeliveryStage[];
  /** sync: the shard it already chose its files by (the files given are then this shard's). */
  shard?: ShardPlan;
}

/** Checks the flags and resolves every value the core needs, once (defaults applied here, not in the core). */
export async function planDelivery(files: string[], flags: ImportFlags, env: Record<string, string | undefined>, place: DeliveryPlace): Promise<PlannedDelivery> {
  const target = findTarget(flags.target);
  const settings = await loadInputSettings(files, { ...flags, target: target.name });
  settings.holdIncompleteTail = place.holdIncompleteTail;
  const sharded = place.shard ? { ...place.shard, files } : await planShard(files, flags.shard, env, flags.quiet ?? false);
  const shard = sharded.shard && { index: sharded.shard.index, count: sharded.shard.count, mode: sharded.mode!, from: sharded.shard.from, files: sharded.files.length };
  // Several files: this worker reads its own (none is a finished share). One file: every worker reads it, keeping its share.
  settings.files = sharded.files;
  if (sharded.mode === 'event') settings.shard = sharded.shard;
  const batchSize = chooseBatchSize(flags.batchSize, target.maxBatchSize);
  const concurrencyMax = flags.concurrencyMax ?? DELIVERY_DEFAULTS.concurrencyMax;
  if (flags.concurrency !== 'auto' && flags.concurrency < 1) throw new ConfigError('--concurrency must be at least 1, or auto', 'EL_CONCURRENCY_INVALID');
  if (concurrencyMax < 1) throw new ConfigError('--concurrency-max must be at least 1', 'EL_CONCURRENCY_MAX_INVALID');
  if (flags.requestTimeout !== undefined && flags.requestTimeout < 1) throw new ConfigError('--request-timeout must be at least 1 ms', 'EL_REQUEST_TIMEOUT_INVALID');
  if (flags.out && !flags.dryRun) throw new ConfigError('--out writes the request bodies of a --dry-run; add --dry-run', 'EL_OUT_WITHOUT_DRY_RUN');
  if (!flags.dryRun) roomyHeap();
  const sandbox: PlannedDelivery['sandbox'] = {};
  const quiet = flags.quiet || flags.json;
  const options: PlannedDelivery['options'] = {
    command: place.command,
    connect: async () => {
      if (!flags.sandbox || flags.dryRun) return { endpoint: checkEndpoint(flags.endpoint ?? target.defaultEndpoint, flags.allowHttp ?? false), env, sandbox: false };
      sandbox.running = await (await import('./sandbox-session.js')).startSandboxFor(target.name, quiet);
      return { endpoint: sandbox.running.url, env: sandbox.running.env, sandbox: true };
    },
    concurrency: flags.concurrency === 'auto' ? { limit: concurrencyMax, adaptive: true } : { limit: flags.concurrency, adaptive: false },
    rate: shardRate(paceFor(flags.rate, target), shard),
    batchSize,
    retry: { maxRetries: flags.maxRetries, deadlineMs: flags.retryDeadline * 1000, baseDelayMs: flags.backoffBase },
    timeouts: { idleMs: flags.timeout, totalMs: flags.requestTimeout ?? flags.timeout * REQUEST_TIMEOUT_FACTOR },
    dryRun: flags.dryRun ?? false,
    out: flags.out,
    journal: place.journal ?? journalChoice(flags, shard),
    retryRejected: flags.retryRejected ?? false,
    rejects: { path: flags.rejects ?? join(place.rejectsFolder ?? '', defaultRejectsPath()), append: flags.rejects !== undefined },
    report: flags.report,
    reportHtml: flags.reportHtml,
    maxErrorRate: flags.maxErrorRate,
    secretsFrom: env,
    drainTimeoutMs: (flags.drainTimeout ?? DELIVERY_DEFAULTS.drainTimeout) * 1000,
    stages: place.stages,
    shard,
  };
  return { inputs: { settings, configFile: flags.config }, target, options, flags, sandbox };
}

/** The journal --journal names, none with --no-journal or --dry-run; a shard's default journal is its own file. */
function journalChoice(flags: ImportFlags, shard: Shard | undefined): JournalChoice | undefined {
  if (flags.dryRun || flags.journal === false) return undefined;
  if (typeof flags.journal === 'string') return { path: flags.journal };
  return { path: shard ? shardJournalPath(DEFAULT_JOURNAL, shard) : DEFAULT_JOURNAL };
}

/**
 * The pace of a run's requests: --rate as given, else the target's documented limit with one token
 * of its burst kept in hand. The server counts requests as they arrive, and the first of a burst
 * can arrive later after taking its token than those after it (it waited for a login, a new
 * connection, a busy machine): spending the whole burst at once would leave the server's bucket
 * empty, and the next request, due by eventload's clock, would come a moment early by the
 * server's and be answered 429. The token in hand absorbs up to one refill interval of such delay
 * (0.6 s at flaring's 100/min).
 */
export function paceFor(rate: number | undefined, target: Pick<TargetPlugin, 'defaultRate'>): DeliveryOptions['rate'] {
  if (rate) return { perSecond: rate, burst: 1 };
  const limit = target.defaultRate;
  return limit && { perSecond: limit.perSecond, burst: Math.max(1, limit.burst - 1) };
}

/**
 * --rate is the whole job's: the N workers take turns in time slots of the shared clock, each
 * sending at most once in every N-th slot (rate-limiter.ts), so together they never bunch up. 10 %
 * is kept back: a request that leaves late in its slot while the next worker's leaves on time in
 * the next still arrive one slot apart at most, and one second of the server's clock could
 * otherwise see one request more than --rate.
 */
export function shardRate(rate: DeliveryOptions['rate'], shard: Pick<Shard, 'index' | 'count'> | undefined): DeliveryOptions['rate'] {
  if (!rate || !shard || shard.count === 1) return rate;
  return { perSecond: rate.perSecond * (1 - SHARD_RATE_MARGIN), burst: 1, slots: { index: shard.index, count: shard.count } };
}

const SHARD_RATE_MARGIN = 0.1;

function chooseBatchSize(requested: number | undefined, max: number): number {
  if (requested === undefined) return max;
  if (requested < 1) throw new ConfigError('--batch-size must be at least 1', 'EL_BATCH_SIZE_INVALID');
  if (requested > max) throw new ConfigError(`--batch-size ${requested}: this target takes at most ${max} event${max === 1 ? '' : 's'} per request`, 'EL_BATCH_SIZE_TOO_LARGE');
  return requested;
}

/** How the terminal shows a run, where a command differs from import's. */
export interface DeliveryView {
  /** A part of the progress line (replay's lag). */
  detail?: () => string | undefined;
  /** Prints the summary instead of the import's table (sync's one line). */
  printSummary?: (summary: Summary) => void;
}

/** Runs the planned delivery with a progress line and Ctrl-C handling; prints the summary, returns the exit code. */
export async function runDelivery(plan: PlannedDelivery, view: DeliveryView = {}): Promise<number> {
  const { flags } = plan;
  const progress = new Progress({ quiet: flags.quiet || flags.json, verbose: flags.verbose });
  if (view.detail) progress.addDetail(view.detail);
  const controller = new AbortController();
  const drainSeconds = plan.options.drainTimeoutMs / 1000;
  const signals = installStopSignals(() => {
    progress.note(`stopping: waiting up to ${drainSeconds} s for requests under way to finish (Ctrl-C again to quit at once)`);
    controller.abort();
  });
  try {
    let delivery: Delivery;
    try {
      delivery = await deliver(plan.inputs, plan.target, { ...plan.options, signal: controller.signal }, (event) => {
        if (event.type === 'notice') process.stderr.write(`eventload: ${event.message}\n`);
        else if (event.type === 'retried') progress.retry(event);
        else if (event.type === 'rejected') progress.rejected(event);
        else if (event.type === 'started') {
          progress.watchInputs(event.inputs);
          progress.start(event.counts);
        } else if (event.type === 'drained') {
          progress.stop();
          signals.runOver();
        }
      });
    } finally {
      progress.stop();
      signals.runOver();
    }
    // The HTML renderer (dagre, d3) is loaded only by a run that writes a report: the others keep its memory.
    const html = flags.reportHtml ? await import('../report/html/index.js') : undefined;
    return report(plan, delivery, view, signals.signal, html?.writeRunReport);
  } finally {
    signals.dispose();
    await plan.sandbox.running?.close();
  }
}

/** The summary (and report), the lines that must reach stderr, and the exit code. */
function report(plan: PlannedDelivery, delivery: Delivery, view: DeliveryView, stoppedBy: NodeJS.Signals | undefined, writeRunReport?: (path: string, data: NonNullable<Delivery['runData']>) => void): number {
  const { flags } = plan;
  const { summary, abortError, journalError } = delivery;
  // Why the run stopped is one line with its code on stderr, where cron mail and log greps look;
  // the summary's heading refers to it rather than saying it twice.
  const stop = journalError ?? abortError;
  const reason = stop ? { code: stop.code, message: stop.message } : delivery.errorRateExceeded ? { code: 'EL_ERROR_RATE_EXCEEDED' as const, message: delivery.errorRateExceeded } : undefined;
  if (flags.report) writeReport(flags.report, summary);
  if (flags.reportHtml && writeRunReport && delivery.runData) writeOutput(() => writeRunReport(flags.reportHtml!, delivery.runData!));
  if (view.printSummary) view.printSummary(summary);
  else printSummary(summary, flags.json ?? false, reason?.code);
  if (plan.sandbox.running && !flags.json) plan.sandbox.running.describe();
  if (reason) process.stderr.write(errorLine(reason.code, reason.message));
  if (journalError) return EXIT.aborted;
  if (delivery.errorRateExceeded) return EXIT.someRejected;
  if (summary.outcome === 'interrupted') return stoppedBy === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  if (abortError) return EXIT.aborted;
  return summary.rejectedLocal + summary.rejectedServer > 0 ? EXIT.someRejected : EXIT.ok;
}

/** Replaces the earlier report atomically (checked replaceable before the run); a failure is said, the run's exit code stands. */
function writeReport(path: string, summary: Summary): void {
  writeOutput(() => replaceFile(path, `${redact(JSON.stringify(summary, null, 2))}\n`, '--report'));
}

function writeOutput(write: () => void): void {
  try {
    write();
  } catch (error) {
    process.stderr.write(errorLine(error instanceof EventloadError ? error.code : 'EL_OUTPUT_WRITE', (error as Error).message));
  }
}
