// One writer per journal: `<journal>.lock`, held by every run that writes the journal (import,
// replay, sync, status --prune-sandbox) from before the journal is opened until it is closed.
// Two runs on one journal would both send what neither had recorded yet: doubled events.
//
// The lock file appears whole or not at all (written to a private file, then hard-linked into
// place, which fails if a lock exists), so no one ever reads a half-written lock and mistakes
// it for a stale one. A lock whose process is gone is removed only under a guard named after
// that very lock's content (`<lock>.takeover-<hash>`, created exclusively), and only if the
// lock still holds that content: two runs that find the same stale lock at the same instant
// cannot both remove it, and neither can remove the lock the other has just taken.
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { EventloadError } from '../errors.js';

/** Another live run holds the journal: exit 4 (EXIT.locked), apart from configuration errors. */
export class LockedError extends EventloadError {
  constructor(message: string) {
    super('EL_LOCKED', message);
    this.name = 'LockedError';
  }
}

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** The command that holds it (import, replay, sync, status); absent in locks of older versions. */
  command?: string;
}

export interface JournalLock {
  readonly path: string;
  /** The owner of a stale lock this run took over, for the CLI to mention. */
  readonly recovered?: LockOwner;
  release(): void;
}

/** How long a run waits for another one that is removing a stale lock right now (milliseconds). */
const TAKEOVER_WAIT_MS = 3000;

/** Takes `<journal>.lock` for `command`, or throws LockedError naming the live run that holds it. */
export function acquireJournalLock(journalPath: string, command: string): JournalLock {
  const path = `${journalPath}.lock`;
  const content = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), command, nonce: randomBytes(8).toString('hex') });
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (createWhole(path, content)) return held(path, content, undefined);
    const seen = readText(path);
    if (seen === undefined) continue; // released between our attempt and the read: try again
    const owner = parseOwner(seen);
    if (owner && isAlive(owner)) throw new LockedError(lockedMessage(journalPath, owner));
    if (!owner && Date.now() < deadline) {
      pause(20); // unreadable: a lock of an older version being written right now, or garbage
      continue;
    }
    // The stale lock is replaced by ours in one step: a lock that vanished for a moment would let
    // another run take it fresh, and the takeover (events the dead run left in flight) go unsaid.
    if (removeStale(path, seen, 0, content)) return held(path, content, owner ?? { pid: 0, host: 'unknown', since: 'unknown' });
    if (Date.now() > deadline) throw new LockedError(`the lock ${path} is being taken over by another run; try again`);
    else pause(10); // another run is removing the same stale lock: see who gets it
  }
}

/** A held lock; also released when the process exits on its own (a second Ctrl-C), not only at the end of the run. */
function held(path: string, content: string, recovered: LockOwner | undefined): JournalLock {
  const onExit = () => releaseIfMine(path, content);
  process.once('exit', onExit);
  return {
    path,
    ...(recovered && { recovered }),
    release: () => {
      process.off('exit', onExit);
      releaseIfMine(path, content);
    },
  };
}

/** Reads the lock's owner without taking it (the SQLITE_BUSY message names it). */
export function lockOwner(journalPath: string): LockOwner | undefined {
  const text = readText(`${journalPath}.lock`);
  const owner = text === undefined ? undefined : parseOwner(text);
  return owner && isAlive(owner) ? owner : undefined;
}

export function describeOwner(owner: LockOwner): string {
  return `${owner.command ? `eventload ${owner.command}, ` : ''}pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}, started ${owner.since}`;
}

function lockedMessage(journalPath: string, owner: LockOwner): string {
  return `another run is using the journal ${journalPath} (${describeOwner(owner)}); wait for it to finish, or give this run another journal (--journal FILE)`;
}

/** Creates `path` holding `content`, atomically and only if it does not exist. */
function createWhole(path: string, content: string): boolean {
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(staging, content, { flag: 'wx' });
  try {
    linkSync(staging, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: an exclusive create, written at once (a reader that
    // finds it empty waits, see above).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createExclusive(path, content);
    throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}

/** Puts `content` at `path` in one rename: readers see the old file or the new one, never none. */
function replaceWhole(path: string, content: string): void {
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(staging, content, { flag: 'wx' });
  try {
    renameSync(staging, path);
  } catch (error) {
    rmSync(staging, { force: true });
    throw error;
  }
}

function createExclusive(path: string, content: string): boolean {
  try {
    writeFileSync(path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Removes the file at `path` if it still holds `seen` (whose owner is gone), or replaces it with
 * `replacement` atomically. Only the run that creates the guard for this content may do so; a
 * guard left by a run that died in these few lines is itself removed the same way. Returns false
 * when another run holds the guard, or the file no longer holds `seen`.
 */
function removeStale(path: string, seen: string, depth = 0, replacement?: string): boolean {
  const lockPath = depth === 0 ? path : path.replace(/\.takeover-[0-9a-f]+$/, '');
  const guard = `${lockPath}.takeover-${createHash('sha256').update(seen).digest('hex').slice(0, 16)}`;
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: randomBytes(8).toString('hex') });
  if (!createWhole(guard, mine)) {
    const other = readText(guard);
    const owner = other === undefined ? undefined : parseOwner(other);
    if (other !== undefined && owner && !isAlive(owner) && depth < 8) removeStale(guard, other, depth + 1);
    return false;
  }
  try {
    if (readText(path) !== seen) return false; // already replaced: by a live run, which keeps it
    if (replacement === undefined) unlinkSync(path);
    else replaceWhole(path, replacement);
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

function releaseIfMine(path: string, content: string): void {
  // Never remove a lock that is not ours (ours could only be gone if someone removed it by hand).
  if (readText(path) === content) rmSync(path, { force: true });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another machine (a shared folder) cannot be checked: it is respected.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A short synchronous wait: the lock is taken before anything else of the run starts. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
