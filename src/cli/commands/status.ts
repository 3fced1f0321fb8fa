// `eventload status`: what the journal holds per target and endpoint, and how the last run ended.
// It only reads (no lock, never waits for a run, never changes the file); sandbox rehearsals are
// listed apart, and `--prune-sandbox` (a write, so it takes the lock) removes them.
import { existsSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { isSandboxScope } from '../../journal/endpoint-scope.js';
import { Journal, type TargetStatus } from '../../journal/journal.js';
import { recoveredLockNotice } from '../../core/journal-run.js';
import { DEFAULT_JOURNAL } from '../journal-path.js';

export interface StatusFlags {
  journal?: string;
  json?: boolean;
  pruneSandbox?: boolean;
}

export async function runStatus(flags: StatusFlags): Promise<number> {
  const path = flags.journal ?? DEFAULT_JOURNAL;
  // Status only reads: it never creates a journal where there is none.
  if (!existsSync(path)) throw new ConfigError(`no journal at ${path} (runs of import and sync write one; --journal FILE names another)`, 'EL_JOURNAL_MISSING');
  if (flags.pruneSandbox) return pruneSandbox(path, flags.json ?? false);
  const journal = Journal.openReadOnly(path);
  try {
    const status = journal.status().map((entry) => ({ ...entry, sandbox: isSandboxScope(entry.endpoint) }));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ journal: path, targets: status }, null, 2)}\n`);
      return 0;
    }
    if (status.length === 0) {
      process.stdout.write(`journal ${path}: no events recorded yet\n`);
      return 0;
    }
    const real = status.filter((entry) => !entry.sandbox);
    const sandbox = status.filter((entry) => entry.sandbox);
    const lines = [`journal ${path}`, ...real.flatMap(describe)];
    if (sandbox.length > 0) {
      lines.push('', 'sandbox rehearsals (import --sandbox; nothing left this machine; remove them with status --prune-sandbox):', ...sandbox.flatMap(describe));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    journal.close();
  }
}

function describe(entry: TargetStatus): string[] {
  const lines = [`${entry.target}  ${entry.endpoint}`, `  accepted ${entry.accepted} · duplicates ${entry.duplicate} · rejected ${entry.rejected} · in flight ${entry.inflight}${entry.missing > 0 ? ` · missing ${entry.missing} (found by verify, sent again by the next run)` : ''}`];
  if (entry.lastRun) {
    const ended = entry.lastRun.finishedAt ? `${entry.lastRun.outcome} at ${entry.lastRun.finishedAt}` : 'did not finish (killed, or still running)';
    lines.push(`  last run: ${entry.lastRun.command} started ${entry.lastRun.startedAt}, ${ended}`);
  }
  return lines;
}

/** Removes what sandbox runs recorded: a write, so under the journal's lock (exit 4 while a run holds it). */
function pruneSandbox(path: string, json: boolean): number {
  const journal = Journal.open(path, 'status --prune-sandbox');
  try {
    const notice = recoveredLockNotice(journal);
    if (notice) process.stderr.write(`eventload: ${notice}\n`);
    const removed = journal.pruneSandbox();
    if (json) process.stdout.write(`${JSON.stringify({ journal: path, prunedSandbox: removed }, null, 2)}\n`);
    else process.stdout.write(`journal ${path}: removed ${removed.scopes} sandbox scope${removed.scopes === 1 ? '' : 's'} with ${removed.events} event${removed.events === 1 ? '' : 's'}\n`);
    return 0;
  } finally {
    journal.close();
  }
}
