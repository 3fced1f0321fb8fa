// `eventload status`: what the journal holds per target and endpoint, and how the last run ended.
// It only reads (no lock, never waits for a run, never changes the file); sandbox rehearsals are
// listed apart, and `--prune-sandbox` (a write, so it takes the lock) removes them. Several
// journals (--journal a.db --journal b.db, or a folder of them: the N workers of a --shard job)
// are added up into one account per target and endpoint, naming the shards present and missing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { isSandboxScope, splitShardScope } from '../../journal/endpoint-scope.js';
import { Journal, type TargetStatus } from '../../journal/journal.js';
import { recoveredLockNotice } from '../../core/journal-run.js';
import { DEFAULT_JOURNAL } from '../journal-path.js';

export interface StatusFlags {
  journal?: string | string[];
  json?: boolean;
  pruneSandbox?: boolean;
}

export async function runStatus(flags: StatusFlags): Promise<number> {
  const given = typeof flags.journal === 'string' ? [flags.journal] : (flags.journal ?? []);
  const single = given.length <= 1 && !(given[0] !== undefined && isFolder(given[0]));
  if (!single) return jobStatus(given.flatMap(journalsIn), flags);
  const path = given[0] ?? DEFAULT_JOURNAL;
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

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A journal file as it is; a folder: the journals in it (`*.db`), in name order. */
function journalsIn(path: string): string[] {
  if (!existsSync(path)) throw new ConfigError(`no journal at ${path} (runs of import and sync write one; --journal FILE names another)`, 'EL_JOURNAL_MISSING');
  if (!isFolder(path)) return [path];
  const found = readdirSync(path).filter((name) => name.endsWith('.db')).sort().map((name) => join(path, name));
  if (found.length === 0) throw new ConfigError(`no journal (*.db) in the folder ${path}`, 'EL_JOURNAL_MISSING');
  return found;
}

/** One shard's part of a job account: which journal holds it and how its last run ended. */
interface ShardPart {
  journal: string;
  shard?: { index: number; count: number };
  accepted: number;
  duplicate: number;
  rejected: number;
  inflight: number;
  lastRun?: TargetStatus['lastRun'];
}

/** Per target and endpoint, the sum over every journal and shard, with the shards found and missing. */
interface JobAccount {
  target: string;
  endpoint: string;
  sandbox: boolean;
  accepted: number;
  duplicate: number;
  rejected: number;
  inflight: number;
  shards?: { count: number; present: number[]; missing: number[] };
  parts: ShardPart[];
}

function jobStatus(paths: string[], flags: StatusFlags): number {
  if (flags.pruneSandbox) {
    for (const path of paths) pruneSandbox(path, flags.json ?? false);
    return 0;
  }
  const accounts = new Map<string, JobAccount>();
  for (const path of paths) {
    const journal = Journal.openReadOnly(path);
    try {
      for (const entry of journal.status()) addPart(accounts, path, entry);
    } finally {
      journal.close();
    }
  }
  const job = [...accounts.values()];
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ journals: paths, targets: job }, null, 2)}\n`);
    return 0;
  }
  const lines = [`${paths.length} journals: ${paths.join(', ')}`];
  if (job.length === 0) lines.push('no events recorded yet');
  for (const account of job) lines.push(...describeJob(account));
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function addPart(accounts: Map<string, JobAccount>, journal: string, entry: TargetStatus): void {
  const { endpoint, shard } = splitShardScope(entry.endpoint);
  const id = `${entry.target} ${endpoint}`;
  let account = accounts.get(id);
  if (!account) accounts.set(id, (account = { target: entry.target, endpoint, sandbox: isSandboxScope(endpoint), accepted: 0, duplicate: 0, rejected: 0, inflight: 0, parts: [] }));
  account.accepted += entry.accepted;
  account.duplicate += entry.duplicate;
  account.rejected += entry.rejected;
  account.inflight += entry.inflight;
  account.parts.push({ journal, ...(shard && { shard }), accepted: entry.accepted, duplicate: entry.duplicate, rejected: entry.rejected, inflight: entry.inflight, lastRun: entry.lastRun });
  const counts = new Set(account.parts.flatMap((part) => (part.shard ? [part.shard.count] : [])));
  if (counts.size === 1) {
    const count = [...counts][0]!;
    const present = [...new Set(account.parts.flatMap((part) => (part.shard ? [part.shard.index] : [])))].sort((a, b) => a - b);
    account.shards = { count, present, missing: Array.from({ length: count }, (_, index) => index).filter((index) => !present.includes(index)) };
  } else delete account.shards;
}

function describeJob(account: JobAccount): string[] {
  const lines = [`${account.target}  ${account.endpoint}${account.sandbox ? ' (sandbox rehearsal)' : ''}`, `  accepted ${account.accepted} · duplicates ${account.duplicate} · rejected ${account.rejected} · in flight ${account.inflight}`];
  const shards = account.shards;
  if (shards) lines.push(`  shards: ${shards.present.length} of ${shards.count}${shards.missing.length > 0 ? `; missing ${shards.missing.join(', ')} (no journal here has run them)` : ''}`);
  for (const part of account.parts) {
    const name = part.shard ? `shard ${part.shard.index}/${part.shard.count}` : 'no shard';
    const run = part.lastRun ? (part.lastRun.finishedAt ? `last run ${part.lastRun.outcome}` : 'last run did not finish (killed, or still running): rerun this shard') : 'no run';
    lines.push(`  ${name}: accepted ${part.accepted}, rejected ${part.rejected}, in flight ${part.inflight}; ${run} (${part.journal})`);
  }
  return lines;
}
