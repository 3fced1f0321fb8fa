// The files a sync run read, settled in the journal with the run's answers: a file is "done" only
// when every event in it has a final state, so the next run skips it unparsed.
import { statSync } from 'node:fs';
import type { FileLedger } from '../core/options.js';
import type { JournalScope } from '../journal/journal.js';
import type { Summary } from '../upload/summary.js';
import type { SourceFile } from './files.js';

export class SyncedFiles implements FileLedger {
  constructor(private readonly changed: readonly SourceFile[]) {}

  settle(scope: JournalScope, summary: Summary): void {
    // A run that stopped, or left events "not sent" (a server that kept failing), reads them again next time.
    if (summary.outcome !== 'completed' || summary.unsent > 0) return;
    // A file that changed while it was read is read again next time (the journal skips what was sent).
    for (const file of this.changed) if (unchangedSince(file)) scope.rememberFile(file.path, file.fingerprint);
  }
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
