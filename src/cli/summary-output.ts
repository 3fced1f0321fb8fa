// The end-of-run summary: a short aligned table for people (colour only on a terminal, never
// under NO_COLOR), or the JSON report with --json.
import type { Summary } from '../upload/summary.js';
import { formatReason } from '../report/reasons.js';
import { paint } from './terminal.js';

/** Reasons quote values from the data; a very long one would wreck the table. */
const MAX_REASON_LENGTH = 200;

/** `reasonCode`: why the run stopped, said on stderr as its own line (the heading names the code instead of repeating it). */
export function printSummary(summary: Summary, json: boolean, reasonCode?: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatSummary(summary, paint(process.stdout), reasonCode));
}

/** The table as text; `color` is identity functions where colour is off. */
export function formatSummary(summary: Summary, color = paint({}), reasonCode?: string): string {
  const rejected = summary.rejectedLocal + summary.rejectedServer;
  const rows: Array<[label: string, value: string]> = [
    ['target', `${summary.target} (${summary.endpoint})${summary.dryRun ? ' — dry run, nothing sent' : ''}`],
    ...shardRows(summary),
    ['read', String(summary.read)],
    ['valid', String(summary.valid)],
    ...delivery(summary, color),
    ['rejected', `${rejected > 0 ? color.red(String(rejected)) : '0'} (local ${summary.rejectedLocal}, server ${summary.rejectedServer})`],
  ];
  // Every reason code, under the count it explains: "412 × EL_FIELD_LENGTH (first at line 7 of orders.csv: …)".
  const countWidth = Math.max(0, ...summary.rejectedByReason.map(({ count }) => String(count).length));
  for (const group of summary.rejectedByReason) rows.push(['', formatReason(group, countWidth, MAX_REASON_LENGTH)]);
  if (summary.rejects) rows.push(['rejects file', summary.rejects]);
  if (summary.rejectsNotWritten) rows.push(['not in the file', `${color.red(String(summary.rejectsNotWritten))} of the rejected (could not be written; the next run rejects them again)`]);
  if (summary.skipped > 0) {
    const byJournal = (summary as { skippedByJournal?: number }).skippedByJournal ?? 0;
    rows.push(['skipped', `${summary.skipped}${byJournal > 0 ? ` (${byJournal} delivered or rejected by an earlier run)` : ''}`]);
  }
  if (summary.shard?.mode === 'event') rows.push(['other shards', `${summary.otherShards} (read here, handled by the other workers)`]);
  if (summary.unsent > 0) rows.push(['not sent', `${color.yellow(String(summary.unsent))} (the run stopped before delivering them)`]);
  const replay = (summary as { replay?: { lagMaxMs: number; lagP95Ms: number; late: number } }).replay;
  if (replay) rows.push(['lag', `max ${Math.round(replay.lagMaxMs)} ms, p95 ${Math.round(replay.lagP95Ms)} ms, ${replay.late} late`]);
  rows.push(['retries', String(summary.retries)], ['elapsed', `${summary.elapsedSeconds.toFixed(1)} s`], ['events/s', String(summary.eventsPerSecond)], ['peak memory', `${summary.peakRssMb} MB`]);
  // The journal's id of the run: what `eventload report RUN --out FILE` takes to render it later.
  if (summary.runId !== undefined) rows.push(['run id', `${summary.runId} (eventload report ${summary.runId} --out report.html)`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${color.dim(label.padEnd(width))}  ${value}`);
  return `${heading(summary, rejected, color, reasonCode)}\n${lines.join('\n')}\n`;
}

/** --shard: which share this worker had, and where its index came from. */
function shardRows(summary: Summary): Array<[string, string]> {
  const shard = summary.shard;
  if (!shard) return [];
  const share = shard.mode === 'file' ? `${shard.files} file${shard.files === 1 ? '' : 's'} of the job's` : 'its share of the events of one file';
  return [['shard', `${shard.index}/${shard.count}${shard.from ? ` (from ${shard.from})` : ''}: ${share}`]];
}

/** A dry run sent nothing, so nothing was accepted: it says what a real run would send instead. */
function delivery(summary: Summary, color: ReturnType<typeof paint>): Array<[string, string]> {
  if (summary.dryRun) return [['would send', String(summary.wouldSend ?? summary.sent)]];
  return [
    ['sent', String(summary.sent)],
    ['accepted', summary.accepted > 0 ? color.green(String(summary.accepted)) : '0'],
    ['duplicates', String(summary.duplicates)],
  ];
}

function heading(summary: Summary, rejected: number, color: ReturnType<typeof paint>, reasonCode?: string): string {
  if (summary.outcome === 'aborted') return color.red(color.bold(`${summary.command ?? 'import'} aborted: ${reasonCode ? `${reasonCode} (the reason is on stderr)` : summary.error}`));
  if (summary.outcome === 'interrupted') return color.yellow(color.bold(`${summary.command ?? 'import'} interrupted`));
  return rejected > 0 ? color.yellow(color.bold(`${summary.command ?? 'import'} finished`)) : color.green(color.bold(`${summary.command ?? 'import'} finished`));
}
