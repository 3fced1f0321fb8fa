// One sync at a time per journal: a lock file created exclusively, holding the owner's pid.
// A lock whose process is gone (killed, machine rebooted) is stale and is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { EventloadError } from '../errors.js';

export const EXIT_LOCKED = 4;

export class LockedError extends EventloadError {
  constructor(message: string) {
    super('EL_LOCKED', message, EXIT_LOCKED);
    this.name = 'LockedError';
  }
}

interface Owner {
  pid: number;
  host: string;
  since: string;
}

/** Takes the lock or throws LockedError; returns a release function and a note when a stale lock was recovered. */
export function acquireLock(path: string): { release(): void; recovered?: Owner } {
  let recovered: Owner | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), { flag: 'wx' });
      return { release: () => rmSync(path, { force: true }), ...(recovered && { recovered }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner && isAlive(owner)) throw new LockedError(`another sync is running (pid ${owner.pid} on ${owner.host}, since ${owner.since}); lock file ${path}`);
    recovered = owner ?? { pid: 0, host: 'unknown', since: 'unknown' };
    rmSync(path, { force: true });
  }
  throw new LockedError(`could not take the lock ${path}: another sync took it at the same moment`);
}

function readOwner(path: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined; // unreadable or half-written: the writer died, so the lock is stale
  }
}

function isAlive(owner: Owner): boolean {
  // A lock from another machine (a shared folder) cannot be checked: it is respected.
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
