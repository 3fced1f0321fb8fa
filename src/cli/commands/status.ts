// `eventload status`: what the journal holds per target and endpoint, and how the last run ended.
import { existsSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { Journal } from '../../journal/journal.js';
import { DEFAULT_JOURNAL } from './import.js';

export async function runStatus(flags: { journal?: string; json?: boolean }): Promise<number> {
  const path = flags.journal ?? DEFAULT_JOURNAL;
  // Status only reads: it never creates a journal where there is none.
  if (!existsSync(path)) throw new ConfigError(`no journal at ${path} (runs of import and sync write one; --journal FILE names another)`);
  const journal = Journal.open(path);
  try {
    const status = journal.status();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ journal: path, targets: status }, null, 2)}\n`);
      return 0;
    }
    if (status.length === 0) {
      process.stdout.write(`journal ${path}: no events recorded yet\n`);
      return 0;
    }
    const lines = [`journal ${path}`];
    for (const entry of status) {
      lines.push(`${entry.target}  ${entry.endpoint}`);
      lines.push(`  accepted ${entry.accepted} · duplicates ${entry.duplicate} · rejected ${entry.rejected} · in flight ${entry.inflight}`);
      if (entry.lastRun) {
        const ended = entry.lastRun.finishedAt ? `${entry.lastRun.outcome} at ${entry.lastRun.finishedAt}` : 'did not finish (killed, or still running)';
        lines.push(`  last run: ${entry.lastRun.command} started ${entry.lastRun.startedAt}, ${ended}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    journal.close();
  }
}
