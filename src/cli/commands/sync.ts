// `eventload sync --config FILE`: the cron job. Reads only files that changed since the last
// completed run, sends only what the journal has not seen, and never runs twice at once.
import { mergeConfig } from '../../config/apply.js';
import { recoveredLockNotice } from '../../core/journal-run.js';
import { inputPaths } from '../../core/outputs.js';
import { EXIT } from '../../errors.js';
import { asJournalWriteError, Journal } from '../../journal/journal.js';
import { checkOutputs, journalFiles } from '../../output/same-file.js';
import { loadSyncConfig, type SyncConfig } from '../../sync/config.js';
import { changedFiles, expandSources, type SourceFile } from '../../sync/files.js';
import { SyncedFiles } from '../../sync/ledger.js';
import { findTarget } from '../../targets/index.js';
import type { Summary } from '../../upload/summary.js';
import { DELIVERY_DEFAULTS } from '../defaults.js';
import { planDelivery, runDelivery } from '../delivery.js';
import { checkEndpoint } from '../endpoint.js';
import { planShard, shardJournalPath } from '../shard.js';
import { shardScope } from '../../journal/endpoint-scope.js';
import { shardLabel, type Shard } from '../../pipeline/shard.js';
import type { ImportFlags } from './import.js';
import type { CommandFlags } from '../../options/index.js';

/** The flags of sync, typed by the option table (src/options); sync has no --verbose, only the file's. */
export type SyncFlags = CommandFlags<'sync'> & { verbose?: boolean };

export async function runSync(commandLineFlags: SyncFlags): Promise<number> {
  const sync = await loadSyncConfig(commandLineFlags.config);
  if (sync.note) process.stderr.write(`eventload: ${sync.note}\n`);
  const config = sync.loaded.config;
  // The flags sync has win over the file, as for import.
  const flags: SyncFlags = { ...commandLineFlags, json: commandLineFlags.json ?? config.json, report: commandLineFlags.report ?? config.report, reportHtml: commandLineFlags.reportHtml ?? config.reportHtml };
  const target = findTarget(sync.target);
  const endpoint = checkEndpoint(config.endpoint ?? target.defaultEndpoint, config.allowHttp ?? false);
  const quiet = commandLineFlags.quiet || config.quiet || !process.stderr.isTTY;
  const sharded = await planShard(await expandSources(sync.patterns, sync.base), commandLineFlags.shard ?? config.shard, sync.env, quiet && !commandLineFlags.verbose);
  const paths = sharded.files;
  // Workers of one job on one disk: each shard's default journal is its own file (one lock each).
  if (sharded.shard && typeof config.journal !== 'string') sync.journal = shardJournalPath(sync.journal, sharded.shard);
  // Before the journal is opened: no output of this run may be one of the files it reads.
  const rejects = sync.loaded.config.rejects;
  const outputs = [...(rejects ? [{ role: 'rejects', path: rejects }] : []), ...(flags.report ? [{ role: '--report', path: flags.report }] : []), ...(flags.reportHtml ? [{ role: '--report-html', path: flags.reportHtml }] : []), ...journalFiles(sync.journal)];
  checkOutputs(inputPaths(paths, { mapping: sync.loaded.config.mapping, config: flags.config }), outputs);
  // Takes the journal's lock before anything is read from it, and holds it for the whole run.
  const journal = Journal.open(sync.journal, 'sync');
  try {
    const notice = recoveredLockNotice(journal);
    if (notice) process.stderr.write(`eventload: ${notice}\n`);
    // Events an earlier run had rejected live in files remembered as read: sending them again means
    // reading every file again (what was delivered is skipped by the journal, not resent).
    const retryRejected = commandLineFlags.retryRejected ?? config.retryRejected ?? false;
    const { changed, unchanged } = await changedFiles(paths, fileScope(journal, target.name, shardScope(endpoint, sharded.shard)), { rereadAll: retryRejected });
    if (changed.length === 0) {
      report(flags, { files: paths.length, unchanged: unchanged.length, shard: sharded.shard }, undefined);
      return EXIT.ok;
    }
    const plan = await planDelivery(
      changed.map((file) => file.path),
      importFlags(sync, flags),
      sync.env,
      // Rejects beside the config, not in whatever folder cron starts in.
      { command: 'sync', journal: { opened: journal, ledger: new SyncedFiles(changed) }, rejectsFolder: sync.loaded.dir, holdIncompleteTail: true, shard: sharded },
    );
    return await runDelivery(plan, { printSummary: (summary) => report(flags, { files: paths.length, unchanged: unchanged.length, shard: sharded.shard }, summary, changed) });
  } finally {
    journal.close();
  }
}

/** The journal's record of files read; a journal that cannot be written (full disk) stops the run (exit 3). */
function fileScope(journal: Journal, target: string, endpoint: string) {
  try {
    return journal.scope(target, endpoint, 0);
  } catch (error) {
    throw asJournalWriteError(error, journal.path);
  }
}

/** The import sync runs: the config merged over the delivery flags' defaults, with sync's journal and output. */
function importFlags(sync: SyncConfig, flags: SyncFlags): ImportFlags {
  const merged = mergeConfig<ImportFlags>({ target: sync.target, ...DELIVERY_DEFAULTS }, sync.loaded.config, {});
  return {
    ...merged,
    target: sync.target,
    journal: sync.journal,
    // A fixed `rejects` path is appended to, a header line per run: a.csv's rejects survive b.csv's run.
    rejects: merged.rejects,
    report: flags.report,
    reportHtml: flags.reportHtml,
    json: flags.json,
    retryRejected: flags.retryRejected ?? merged.retryRejected,
    encoding: flags.encoding ?? merged.encoding,
    verbose: flags.verbose ?? merged.verbose,
    quiet: flags.quiet || merged.quiet || !process.stderr.isTTY,
  };
}

/** One line for cron's mail (or the JSON summary with --json). */
function report(flags: SyncFlags, files: { files: number; unchanged: number; shard?: Shard }, summary: Summary | undefined, changed: SourceFile[] = []): void {
  const { shard, ...counts } = files;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ command: "sync", config: flags.config, ...counts, changed: changed.length, ...(shard && { shard: { index: shard.index, count: shard.count, from: shard.from } }), ...summary }, null, 2)}\n`);
    return;
  }
  const head = `sync ${flags.config}${shard ? ` (shard ${shardLabel(shard)})` : ''}: ${files.files} files, ${files.unchanged} unchanged`;
  if (!summary) {
    process.stdout.write(`${head}, nothing to send\n`);
    return;
  }
  const rejected = summary.rejectedLocal + summary.rejectedServer;
  const pending = summary.pending ?? 0;
  const outcome = summary.outcome === 'completed' ? '' : ` — ${summary.outcome}${summary.error ? `: ${summary.error}` : ''}`;
  process.stdout.write(
    `${head}; read ${summary.read}, accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${rejected}, skipped ${summary.skipped}, not sent ${summary.unsent}${pending > 0 ? `, pending ${pending} (a last line without a line end, read once complete)` : ''} in ${summary.elapsedSeconds.toFixed(1)} s${summary.rejects ? `; rejects in ${summary.rejects}` : ''}${outcome}\n`,
  );
}
