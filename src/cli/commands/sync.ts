// `eventload sync --config FILE`: the cron job. Reads only files that changed since the last
// completed run, sends only what the journal has not seen, and never runs twice at once.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { mergeConfig } from '../../config/apply.js';
import { EXIT } from '../../errors.js';
import { Journal } from '../../journal/journal.js';
import { loadSyncConfig, type SyncConfig } from '../../sync/config.js';
import { changedFiles, expandSources, type SourceFile } from '../../sync/files.js';
import { acquireLock } from '../../sync/lock.js';
import { findTarget } from '../../targets/index.js';
import type { Summary } from '../../upload/summary.js';
import { DELIVERY_DEFAULTS } from '../defaults.js';
import { checkEndpoint } from '../endpoint.js';
import { defaultRejectsPath, runImport, type ImportFlags } from './import.js';

export interface SyncFlags {
  config: string;
  json?: boolean;
  report?: string;
  quiet?: boolean;
  verbose?: boolean;
  encoding?: string;
}

export async function runSync(commandLineFlags: SyncFlags): Promise<number> {
  const sync = await loadSyncConfig(commandLineFlags.config);
  if (sync.note) process.stderr.write(`eventload: ${sync.note}\n`);
  const config = sync.loaded.config;
  // The flags sync has win over the file, as for import.
  const flags: SyncFlags = { ...commandLineFlags, json: commandLineFlags.json ?? config.json, report: commandLineFlags.report ?? config.report };
  const target = findTarget(sync.target);
  const endpoint = checkEndpoint(config.endpoint ?? target.defaultEndpoint, config.allowHttp ?? false);
  const journal = Journal.open(sync.journal);
  const lock = acquireLock(`${sync.journal}.lock`);
  try {
    if (lock.recovered && !flags.json) process.stderr.write(`eventload: recovered a stale lock left by pid ${lock.recovered.pid} (since ${lock.recovered.since})\n`);
    const paths = await expandSources(sync.patterns, sync.base);
    const { changed, unchanged } = await changedFiles(paths, journal.scope(target.name, endpoint, 0));
    if (changed.length === 0) {
      report(flags, { files: paths.length, unchanged: unchanged.length }, undefined);
      return EXIT.ok;
    }
    return await runImport(changed.map((file) => file.path), importFlags(sync, flags), {
      command: 'sync',
      journal,
      env: sync.env,
      holdIncompleteTail: true,
      afterRun: (summary, scope) => {
        // A file is "done" only when every event in it was accounted for, so an interrupted run reads it again.
        if (!scope || summary.outcome !== 'completed' || summary.unsent > 0) return;
        // A file that changed while it was read is read again next time (the journal skips what was sent).
        for (const file of changed) if (unchangedSince(file)) scope.rememberFile(file.path, file.fingerprint);
      },
      printSummary: (summary) => report(flags, { files: paths.length, unchanged: unchanged.length }, summary, changed),
    });
  } finally {
    lock.release();
    journal.close();
  }
}

/** The import sync runs: the config merged over the delivery flags' defaults, with sync's journal and output. */
function importFlags(sync: SyncConfig, flags: SyncFlags): ImportFlags {
  const merged = mergeConfig<ImportFlags>({ target: sync.target, ...DELIVERY_DEFAULTS }, sync.loaded.config, {});
  return {
    ...merged,
    target: sync.target,
    journal: sync.journal,
    // Beside the config, not in whatever folder cron starts in.
    rejects: merged.rejects ?? join(sync.loaded.dir, defaultRejectsPath()),
    report: flags.report,
    json: flags.json,
    encoding: flags.encoding ?? merged.encoding,
    verbose: flags.verbose ?? merged.verbose,
    quiet: flags.quiet || merged.quiet || !process.stderr.isTTY,
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
  const pending = (summary as Summary & { pending?: number }).pending ?? 0;
  const outcome = summary.outcome === 'completed' ? '' : ` — ${summary.outcome}${summary.error ? `: ${summary.error}` : ''}`;
  process.stdout.write(
    `${head}; read ${summary.read}, accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${rejected}, skipped ${summary.skipped}, not sent ${summary.unsent}${pending > 0 ? `, pending ${pending} (a last line without a line end, read once complete)` : ''} in ${summary.elapsedSeconds.toFixed(1)} s${summary.rejects ? `; rejects in ${summary.rejects}` : ''}${outcome}\n`,
  );
}

/** The file still has the size and mtime it had before it was read. */
function unchangedSince(file: SourceFile): boolean {
  try {
    const info = statSync(file.path);
    return info.size === file.fingerprint.size && info.mtimeMs === file.fingerprint.mtimeMs;
  } catch {
    return false;
  }
}
