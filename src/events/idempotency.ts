// Deterministic idempotency keys for events whose mapping names no key column.
//
// key = "el1_" + first 32 hex digits of SHA-256("<n>\n<stable JSON of the event without its key>")
// where n is how many events with the very same content came before it in the same input file.
// So the same file gives the same keys on every run and every machine, an event that appears in
// two overlapping exports gets the same key in both, and two identical rows in one file still get
// different keys (n = 0 and n = 1).
//
// Counting repeats exactly would need one entry per event (gigabytes for 10M rows). Instead a
// Bloom filter remembers what was seen, and an exact counter is kept only for contents the filter
// has seen before. A false positive (well under 1 in 100) gives a unique row n = 1 instead of 0: still
// deterministic for the same file, and still distinct from every other key.
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from './canonical.js';

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export function contentDigest(event: CanonicalEvent): Buffer {
  const { idempotency_key: _ignored, ...content } = event;
  return createHash('sha256').update(stableStringify(content)).digest();
}

export function keyFor(digest: Buffer, occurrence: number): string {
  const hash = createHash('sha256').update(`${occurrence}\n`).update(digest).digest('hex');
  return `el1_${hash.slice(0, 32)}`;
}

/** Hands out keys for one input file; create one per file. */
export class KeyDeriver {
  private readonly seen = new ScalableBloom();
  private readonly repeats = new Map<string, number>();

  keyFor(event: CanonicalEvent): string {
    const digest = contentDigest(event);
    if (!this.seen.addIfAbsent(digest)) return keyFor(digest, 0);
    const id = digest.toString('base64');
    const occurrence = this.repeats.get(id) ?? 1;
    this.repeats.set(id, occurrence + 1);
    return keyFor(digest, occurrence);
  }
}

/** A Bloom filter that adds a larger slice when the current one fills, so no size is needed up front. */
class ScalableBloom {
  private readonly slices: BloomSlice[] = [new BloomSlice(1 << 16)];

  /** Returns true when the digest was (probably) seen before; otherwise records it. */
  addIfAbsent(digest: Buffer): boolean {
    for (const slice of this.slices) if (slice.has(digest)) return true;
    let last = this.slices[this.slices.length - 1]!;
    if (last.full()) {
      last = new BloomSlice(last.capacity * 2);
      this.slices.push(last);
    }
    last.add(digest);
    return false;
  }
}

const BITS_PER_ENTRY = 16;
const HASHES = 11; // with 16 bits per entry: about 0.05% false positives per slice

class BloomSlice {
  private readonly bits: Uint32Array;
  private readonly size: number;
  private count = 0;

  constructor(readonly capacity: number) {
    this.size = capacity * BITS_PER_ENTRY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  has(digest: Buffer): boolean {
    for (let i = 0; i < HASHES; i++) {
      const bit = this.index(digest, i);
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  add(digest: Buffer): void {
    for (let i = 0; i < HASHES; i++) {
      const bit = this.index(digest, i);
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }

  // Double hashing (Kirsch–Mitzenmacher) over two 32-bit words of the SHA-256 digest.
  private index(digest: Buffer, i: number): number {
    const a = digest.readUInt32LE(0);
    const b = digest.readUInt32LE(4) | 1;
    return ((a + Math.imul(i, b)) >>> 0) % this.size;
  }
}
