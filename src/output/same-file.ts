// Refuses a run whose output would land on one of its inputs or on another of its outputs
// (`--rejects big.ndjson` truncated the file being read). Paths are compared by what they are,
// not how they are written: an existing file by device and inode (symlinks followed, hard links
// caught), a missing one by the real path of its folder. Checked before anything is read or written.
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

export interface NamedPath {
  /** How the user named it: `--rejects`, `input`, `journal`… */
  role: string;
  path: string;
}

/** The files SQLite and eventload keep beside a journal: all written by the run. */
export function journalFiles(path: string): NamedPath[] {
  return [
    { role: 'the journal', path },
    ...['-wal', '-shm', '-journal', '.lock'].map((suffix) => ({ role: `the journal's ${suffix.slice(1)} file`, path: `${path}${suffix}` })),
  ];
}

/**
 * Throws a ConfigError (exit 2) when an output is an input (EL_OUTPUT_IS_INPUT) or two outputs are
 * one file (EL_OUTPUT_SAME_FILE). Standard input (`-`) and devices (/dev/null, a terminal) never clash.
 */
export function checkOutputs(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): void {
  const seen = new Map<string, NamedPath>();
  for (const input of inputs) {
    const id = identity(input.path);
    if (id) seen.set(id, input);
  }
  const inputIds = new Set(seen.keys());
  for (const output of outputs) {
    const id = identity(output.path);
    if (!id) continue;
    const other = seen.get(id);
    if (other && inputIds.has(id)) {
      throw new ConfigError(`${output.role} ${output.path} is ${other.role === 'input' ? 'the input' : other.role} ${other.path}${sameName(output, other) ? '' : ' (the same file)'}: writing it would destroy what is being read; name another file`, 'EL_OUTPUT_IS_INPUT');
    }
    if (other) throw new ConfigError(`${output.role} ${output.path} and ${other.role} ${other.path} are the same file: name two different files`, 'EL_OUTPUT_SAME_FILE');
    seen.set(id, output);
  }
}

function sameName(a: NamedPath, b: NamedPath): boolean {
  return resolve(a.path) === resolve(b.path);
}

/** `dev:ino` of an existing regular file, `path:…` of a missing one, undefined for what cannot clash. */
function identity(path: string): string | undefined {
  if (path === '-' || path === '') return undefined;
  const stat = safely(() => statSync(path, { throwIfNoEntry: false }));
  if (stat) return stat.isFile() ? `ino:${stat.dev}:${stat.ino}` : undefined;
  return `path:${realMissingPath(resolve(path), 0)}`;
}

/** The real path a missing file would be created at: its folder's real path, a dangling link followed. */
function realMissingPath(path: string, depth: number): string {
  if (depth > 40) return path; // a loop of links: compared as written
  const link = safely(() => lstatSync(path, { throwIfNoEntry: false }));
  if (link?.isSymbolicLink()) {
    const target = readlinkSync(path);
    return realMissingPath(isAbsolute(target) ? target : join(dirname(path), target), depth + 1);
  }
  const folder = dirname(path);
  if (folder === path) return path;
  let realFolder: string;
  try {
    realFolder = realpathSync(folder);
  } catch {
    realFolder = realMissingPath(folder, depth + 1);
  }
  return join(realFolder, basename(path));
}

/** ENOTDIR, EACCES…: not a file that exists here, as far as clashes go (writing it will fail and say so). */
function safely<T>(look: () => T): T | undefined {
  try {
    return look();
  } catch {
    return undefined;
  }
}
