// The sandbox's record of what it received and committed: what tests and the CLI assert on.
import type { SandboxStats, StoredEvent } from './types.js';

export function createStats(): SandboxStats {
  return {
    requests: 0,
    ingestRequests: 0,
    inFlight: 0,
    maxInFlight: 0,
    statusCounts: {},
    stored: [],
    dropped: [],
    keyCounts: new Map(),
    requestTimes: [],
  };
}

/** Counts one answer under its status code, or under the fault that destroyed its socket. */
export function countStatus(stats: SandboxStats, key: string): void {
  stats.statusCounts[key] = (stats.statusCounts[key] ?? 0) + 1;
}

/** Records an event the emulated API has committed; its idempotency key counts once more. */
export function recordCommit(stats: SandboxStats, event: Omit<StoredEvent, 'receivedAt'>): void {
  stats.stored.push({ ...event, receivedAt: Date.now() });
  if (event.key !== undefined) stats.keyCounts.set(event.key, (stats.keyCounts.get(event.key) ?? 0) + 1);
}

/** Records an event the `drop` fault answered as stored and threw away: the sandbox's own account of its losses. */
export function recordDrop(stats: SandboxStats, event: Omit<StoredEvent, 'receivedAt'>): void {
  stats.dropped.push({ ...event, receivedAt: Date.now() });
}
