// Which source files a sync must read: globs expanded, and files unchanged since the last
// completed run (same size and mtime, or else the same content hash) left out unparsed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { FileFingerprint, JournalScope } from '../journal/journal.js';

export interface SourceFile {
  path: string;
  fingerprint: FileFingerprint;
}

export async function expandSources(patterns: string[], base: string): Promise<string[]> {
  const files = await glob(patterns, { cwd: base, absolute: true, onlyFiles: true, expandDirectories: false });
  return [...new Set(files)].sort();
}

/**
 * Splits files into those to read and those unchanged since they were last read completely.
 * `rereadAll` (--retry-rejected) reads every file, still fingerprinted to be remembered afterwards.
 */
export async function changedFiles(paths: string[], scope: JournalScope, options: { rereadAll?: boolean } = {}): Promise<{ changed: SourceFile[]; unchanged: string[] }> {
  const changed: SourceFile[] = [];
  const unchanged: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    const known = scope.fileFingerprint(path);
    if (!options.rereadAll && known && known.size === info.size && known.mtimeMs === info.mtimeMs) {
      unchanged.push(path);
      continue;
    }
    const fingerprint = { size: info.size, mtimeMs: info.mtimeMs, hash: await hashFile(path) };
    if (!options.rereadAll && known && known.size === fingerprint.size && known.hash === fingerprint.hash) {
      scope.rememberFile(path, fingerprint); // touched, not changed: remember the new mtime
      unchanged.push(path);
    } else {
      changed.push({ path, fingerprint });
    }
  }
  return { changed, unchanged };
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
