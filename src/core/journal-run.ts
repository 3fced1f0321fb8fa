// The journal's side of a delivery run: opened and locked before anything is written, a run row
// and a scope at the start, answers merged and the outcome recorded at the end. A journal that
// cannot be written (full disk) is not a crash: the run stops with EL_JOURNAL_WRITE (exit 3).
import { AbortError } from '../errors.js';
import type { Journal, JournalScope } from '../journal/journal.js';
import type { Summary } from '../upload/summary.js';
import type { JournalChoice } from './options.js';

/** Opens (and locks) the journal the run writes; a second run on it stops here (exit 4). */
export async function openJournal(choice: JournalChoice | undefined, command: string): Promise<Journal | undefined> {
  if (!choice) return undefined;
  if ('opened' in choice) return choice.opened;
  // SQLite is loaded only when used: a dry run skips its start-up time and memory.
  const { Journal } = await import('../journal/journal.js');
  return Journal.open(choice.path, command);
}

/** A run that took over the lock of a dead one says so: that run may have left events in flight. */
export function recoveredLockNotice(journal: Journal): string | undefined {
  const owner = journal.recoveredLock;
  return owner && `recovered a stale lock left by pid ${owner.pid} (since ${owner.since}), which is no longer running; journal ${journal.path}`;
}

/** The run's row and scope; a journal that cannot be written (full disk) stops the run here, exit 3. */
export async function startJournalRun(journal: Journal, command: string, target: string, scopeKey: string): Promise<{ runId: number; scope: JournalScope }> {
  try {
    const runId = journal.startRun(command, target, scopeKey);
    return { runId, scope: journal.scope(target, scopeKey, runId) };
  } catch (error) {
    throw (await import('../journal/journal.js')).asJournalWriteError(error, journal.path);
  }
}

/**
 * Merges the run's answers, records how it ended and settles the caller's ledger. What is
 * committed stays (merged at the next open); the failure is returned for the summary and the exit code.
 */
export async function finishJournalRun(journal: Journal, scope: JournalScope, runId: number, summary: Summary, settle?: (scope: JournalScope) => void, report?: unknown): Promise<AbortError | undefined> {
  try {
    if (scope.failure) throw scope.failure;
    scope.merge();
    journal.finishRun(runId, summary.outcome, summary, report);
    settle?.(scope);
    return undefined;
  } catch (error) {
    const failure = (await import('../journal/journal.js')).asJournalWriteError(error, journal.path);
    if (failure instanceof AbortError && failure.code === 'EL_JOURNAL_WRITE') return failure;
    throw error;
  }
}
