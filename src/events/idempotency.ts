// Deterministic idempotency keys for events whose mapping names no key column.
//
// key = "el1_" + first 32 hex digits of SHA-256(C) for the first event with content C in a file,
// and of SHA-256(C + "\n" + n) for the n-th repeat (n = 1, 2, ...) of the same content in that
// file, where C is the stable JSON of the event without its key (object keys sorted).
// So the same file gives the same keys on every run and every machine, an event that appears in
// two overlapping exports gets the same key in both, and two identical rows in one file still get
// different keys.
//
// Counting repeats exactly would need one entry per event (gigabytes for 10M rows). Instead a
// Bloom filter remembers what was seen, and an exact counter is kept only for contents the filter
// has seen before. A false positive (well under 1 in 100) gives a unique row n = 1 instead of 0:
// still deterministic for the same file, and still distinct from every other key.
import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';
import type { CanonicalEvent } from './canonical.js';

/** JSON with object keys sorted at every level; undefined members are left out, as JSON does. */
export function stableStringify(value: unknown, skipKey?: string): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (value[i] === undefined ? 'null' : stableStringify(value[i]));
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  // Mapped events come out with their keys in one fixed order: sort only when it is not sorted yet.
  if (!isSorted(keys)) keys.sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || key === skipKey) continue;
    out += `${first ? '' : ','}${quote(key)}:${stableStringify(member)}`;
    first = false;
  }
  return `${out}}`;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

// The same few property names are quoted millions of times.
const quoted = new Map<string, string>();
function quote(key: string): string {
  let text = quoted.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quoted.size < 10_000) quoted.set(key, text);
  }
  return text;
}

// crypto.hash (one call, no Hash object) is much cheaper per event where Node has it (≥ 20.12).
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const sha256 = oneShot ? (data: string) => oneShot('sha256', data, 'hex') : (data: string) => createHash('sha256').update(data).digest('hex');

/** The stable content of an event, which its key is derived from. */
export function contentOf(event: CanonicalEvent): string {
  return stableStringify(event, 'idempotency_key');
}

export function keyFor(content: string, occurrence: number): string {
  return `el1_${sha256(occurrence === 0 ? content : `${content}\n${occurrence}`).slice(0, 32)}`;
}

/** Hands out keys for one input file; create one per file. */
export class KeyDeriver {
  private readonly seen = new ScalableBloom();
  private readonly repeats = new Map<string, number>();

  keyFor(event: CanonicalEvent): string {
    const content = contentOf(event);
    const first = keyFor(content, 0);
    if (!this.seen.addIfAbsent(first)) return first;
    const occurrence = this.repeats.get(first) ?? 1;
    this.repeats.set(first, occurrence + 1);
    return keyFor(content, occurrence);
  }
}

/**
 * A Bloom filter that adds a larger slice when the current one fills, so no size is needed up
 * front. Entries are hex digests after a 4-character prefix (keys as KeyDeriver makes them).
 */
export class ScalableBloom {
  private readonly slices: BloomSlice[] = [new BloomSlice(1 << 16)];

  /** True when the digest was (probably) added; false means certainly not. */
  has(digest: string): boolean {
    for (const slice of this.slices) if (slice.has(digest)) return true;
    return false;
  }

  /** Returns true when the digest was (probably) seen before; otherwise records it. */
  addIfAbsent(digest: string): boolean {
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

  has(digest: string): boolean {
    const a = seed(digest, 4);
    const b = seed(digest, 12) | 1;
    for (let i = 0; i < HASHES; i++) {
      const bit = ((a + Math.imul(i, b)) >>> 0) % this.size;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  add(digest: string): void {
    const a = seed(digest, 4);
    const b = seed(digest, 12) | 1;
    for (let i = 0; i < HASHES; i++) {
      const bit = ((a + Math.imul(i, b)) >>> 0) % this.size;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }
}

// Double hashing (Kirsch–Mitzenmacher) over two 32-bit words taken from the key's hex digits.
function seed(digest: string, from: number): number {
  return Number.parseInt(digest.slice(from, from + 8), 16);
}
