// The fault plan: decides, request by request, which fault an ingest request suffers.
// Seeded so that a failing test or a user's sandbox run can be replayed exactly.
import type { FaultKind } from './types.js';

export interface FaultPlanOptions {
  failRate: number;
  faultKinds: readonly FaultKind[];
  faultSequence?: readonly FaultKind[];
  seed: number;
}

export interface FaultPlan {
  /** The fault for the next ingest request. */
  next(): FaultKind;
}

/** A script wins over chance: with faultSequence the Nth call gets its Nth entry, then 'ok'. */
export function createFaultPlan(options: FaultPlanOptions): FaultPlan {
  const { faultSequence } = options;
  if (faultSequence !== undefined) return sequencePlan(faultSequence);
  if (options.failRate <= 0 || options.faultKinds.length === 0) return { next: () => 'ok' };
  return randomPlan(options.failRate, options.faultKinds, options.seed);
}

function sequencePlan(sequence: readonly FaultKind[]): FaultPlan {
  let index = 0;
  return { next: () => sequence[index++] ?? 'ok' };
}

function randomPlan(failRate: number, kinds: readonly FaultKind[], seed: number): FaultPlan {
  const random = mulberry32(seed);
  return {
    next() {
      // Always draw twice so that the Nth request's fate depends only on N and the seed.
      const fails = random() < failRate;
      const pick = kinds[Math.floor(random() * kinds.length)] ?? 'ok';
      return fails ? pick : 'ok';
    },
  };
}

/** Small, fast, well-distributed 32-bit PRNG; Math.random cannot be seeded. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The `drop` fault's draws: one per valid event, from its own stream of the seed, so whether the
 * Nth stored event is dropped depends only on N, the seed and the rate (not on request faults).
 */
export function createDropPlan(dropRate: number, seed: number): () => boolean {
  if (dropRate <= 0) return () => false;
  const random = mulberry32(seed ^ 0x5bd1e995);
  return () => random() < dropRate;
}
