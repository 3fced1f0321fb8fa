// The end-of-run summary: an aligned table for people, or the JSON report with --json.
import type { Summary } from '../upload/summary.js';

export function printSummary(summary: Summary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const rows: Array<[string, string | number]> = [
    ['target', `${summary.target} (${summary.endpoint})${summary.dryRun ? ' — dry run, nothing sent' : ''}`],
    ['read', summary.read],
    ['valid', summary.valid],
    [summary.dryRun ? 'would send' : 'sent', summary.sent],
    ['accepted', summary.accepted],
    ['duplicates', summary.duplicates],
    ['rejected', `${summary.rejectedLocal + summary.rejectedServer} (local ${summary.rejectedLocal}, server ${summary.rejectedServer})`],
  ];
  if (summary.skipped > 0) rows.push(['skipped', summary.skipped]);
  if (summary.unsent > 0) rows.push(['not sent', `${summary.unsent} (the run stopped before delivering them)`]);
  rows.push(['retries', summary.retries], ['elapsed', `${summary.elapsedSeconds.toFixed(1)} s`], ['events/s', summary.eventsPerSecond], ['peak memory', `${summary.peakRssMb} MB`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  for (const { reason, count } of summary.topReasons) lines.push(`  ${''.padEnd(width)}  ${count} × ${reason}`);
  if (summary.rejects) lines.push(`  rejects file${''.padEnd(Math.max(0, width - 12))}  ${summary.rejects}`);
  const head = summary.outcome === 'completed' ? 'import finished' : summary.outcome === 'aborted' ? `import aborted: ${summary.error}` : 'import interrupted';
  process.stdout.write(`${head}\n${lines.join('\n')}\n`);
}
