// `eventload sync --config FILE`: the cron job. Reads only files that changed since the last
// completed run, sends only what the journal has not seen, and never runs twice at once.
import { EXIT } from '../../errors.js';
import { Journal } from '../../journal/journal.js';
import { loadSyncConfig, relativeTo } from '../../sync/config.js';
import { changedFiles, expandSources, type SourceFile } from '../../sync/files.js';
import { acquireLock } from '../../sync/lock.js';
import { findTarget } from '../../targets/index.js';
import type { Summary } from '../../upload/summary.js';
import { checkEndpoint } from '../endpoint.js';
import { defaultRejectsPath, runImport, type ImportFlags } from './import.js';

export interface SyncFlags {
  config: string;
  json?: boolean;
  report?: string;
  quiet?: boolean;
  verbose?: boolean;
}

export async function runSync(flags: SyncFlags): Promise<number> {
  const config = await loadSyncConfig(flags.config);
  const target = findTarget(config.target);
  const options = config.options ?? {};
  const endpoint = checkEndpoint(config.endpoint ?? target.defaultEndpoint, options.allowHttp ?? false);
  const journalPath = relativeTo(config.base, config.journal ?? '.eventload/journal.db');
  const journal = Journal.open(journalPath);
  const lock = acquireLock(`${journalPath}.lock`);
  try {
    if (lock.recovered && !flags.json) process.stderr.write(`eventload: recovered a stale lock left by pid ${lock.recovered.pid} (since ${lock.recovered.since})\n`);
    const paths = await expandSources(config.sources, config.base);
    const { changed, unchanged } = await changedFiles(paths, journal.scope(target.name, endpoint, 0));
    if (changed.length === 0) {
      report(flags, { files: paths.length, unchanged: unchanged.length }, undefined);
      return EXIT.ok;
    }
    return await runImport(changed.map((file) => file.path), importFlags(config, flags, journalPath), {
      command: 'sync',
      journal,
      env: config.env,
      afterRun: (summary, scope) => {
        // A file is "done" only when every event in it was accounted for, so an interrupted run reads it again.
        if (!scope || summary.outcome !== 'completed' || summary.unsent > 0) return;
        for (const file of changed) scope.rememberFile(file.path, file.fingerprint);
      },
      printSummary: (summary) => report(flags, { files: paths.length, unchanged: unchanged.length }, summary, changed),
    });
  } finally {
    lock.release();
    journal.close();
  }
}

function importFlags(config: Awaited<ReturnType<typeof loadSyncConfig>>, flags: SyncFlags, journal: string): ImportFlags {
  const options = config.options ?? {};
  return {
    target: config.target,
    endpoint: config.endpoint,
    mapping: config.mapping && relativeTo(config.base, config.mapping),
    format: config.format,
    timezone: options.timezone,
    delimiter: options.delimiter,
    rejects: relativeTo(config.base, config.rejects ?? defaultRejectsPath()),
    concurrency: options.concurrency ?? 8,
    rate: options.rate,
    batchSize: options.batchSize,
    maxRetries: options.maxRetries ?? 5,
    retryDeadline: options.retryDeadline ?? 300,
    timeout: options.timeout ?? 30_000,
    backoffBase: 1000,
    allowHttp: options.allowHttp,
    retryRejected: options.retryRejected,
    journal,
    report: flags.report,
    json: flags.json,
    quiet: flags.quiet || !process.stderr.isTTY,
  };
}

/** One line for cron's mail (or the JSON summary with --json). */
function report(flags: SyncFlags, files: { files: number; unchanged: number }, summary: Summary | undefined, changed: SourceFile[] = []): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ command: "sync", config: flags.config, ...files, changed: changed.length, ...summary }, null, 2)}\n`);
    return;
  }
  const head = `sync ${flags.config}: ${files.files} files, ${files.unchanged} unchanged`;
  if (!summary) {
    process.stdout.write(`${head}, nothing to send\n`);
    return;
  }
  const rejected = summary.rejectedLocal + summary.rejectedServer;
  const outcome = summary.outcome === 'completed' ? '' : ` — ${summary.outcome}${summary.error ? `: ${summary.error}` : ''}`;
  process.stdout.write(
    `${head}; read ${summary.read}, accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${rejected}, skipped ${summary.skipped}, not sent ${summary.unsent} in ${summary.elapsedSeconds.toFixed(1)} s${summary.rejects ? `; rejects in ${summary.rejects}` : ''}${outcome}\n`,
  );
}
