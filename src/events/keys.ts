// THE key module: every idempotency key eventload makes, each with its prefix, and the repeat
// detector. Keys are written once here so that a key's shape (and what it is derived from) cannot
// drift between the reader, the uploader, replay and the journal.
//   el1_  a derived event key, for events whose mapping names no key column (below);
//   elb_  a batch's Idempotency-Key, from its events' keys (batchKey);
//   elr_  a replayed event's key, when its timestamp moved (replayKey);
//   elo_  an OCEL event's key, from its log's identity and its event id (ocelEventKey).
//
// Derived keys: key = "el1_" + first 32 hex digits of SHA-256(C) for the first event with content
// C in a file, and of SHA-256(C + "\n" + n) for the n-th repeat (n = 1, 2, ...) of the same content
// in that file, where C is the stable JSON of the event without its key (object keys sorted).
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
import { LIMITS, type CanonicalEvent } from './canonical.js';
import { ExactNumber } from './exact-number.js';

/** JSON with object keys sorted at every level; undefined members are left out, as JSON does. */
export function stableStringify(value: unknown, skipKey?: string): string {
  // Written out by type rather than through JSON.stringify per value: this runs once per event and
  // was the largest single cost of a dry run. The output is byte for byte what it always was.
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (value === null) return 'null';
  // Digits a double cannot hold, as written: two different big numbers give two different keys.
  if (value instanceof ExactNumber) return value.text;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (value[i] === undefined ? 'null' : stableStringify(value[i]));
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const { keys, labels } = shapeOf(Object.keys(object));
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const member = object[key];
    if (member === undefined || key === skipKey) continue;
    out += out.length > 1 ? `,${labels[i]}` : labels[i];
    out += stableStringify(member);
  }
  return `${out}}`;
}

/** An object's keys in sorted order, each with its JSON text and colon (`"id":`). */
interface Shape {
  keys: string[];
  labels: string[];
}

// Mapped events have a handful of shapes, each with its keys in one fixed order: remember how each
// order sorts instead of sorting and quoting the keys of every object of every event.
const shapes: Array<{ order: string[]; shape: Shape }> = [];
const MAX_SHAPES = 32;

function shapeOf(order: string[]): Shape {
  search: for (const known of shapes) {
    if (known.order.length !== order.length) continue;
    for (let i = 0; i < order.length; i++) if (known.order[i] !== order[i]) continue search;
    return known.shape;
  }
  const keys = isSorted(order) ? order : [...order].sort();
  const shape = { keys, labels: keys.map(label) };
  // The first shapes seen stay: an input whose objects all differ (free-form JSON) just sorts each one.
  if (shapes.length < MAX_SHAPES) shapes.push({ order, shape });
  return shape;
}

// Property names repeat even across shapes (and past MAX_SHAPES, every object makes its shape anew).
const labels = new Map<string, string>();
function label(key: string): string {
  let text = labels.get(key);
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`;
    if (labels.size < 10_000) labels.set(key, text);
  }
  return text;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** JSON.stringify of a string; most need no escaping, and checking is cheaper than the call. */
function quoteString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Control characters, `"` and `\` are escaped; lone surrogates too (so any surrogate goes the slow way).
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

// crypto.hash (one call, no Hash object) is much cheaper per event where Node has it (≥ 20.12).
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const sha256 = oneShot ? (data: string) => oneShot('sha256', data, 'hex') : (data: string) => createHash('sha256').update(data).digest('hex');

const DERIVED_PREFIX = 'el1_';
const BATCH_PREFIX = 'elb_';
const REPLAY_PREFIX = 'elr_';
/** Hex digits of SHA-256 a key keeps after its prefix. */
const KEY_DIGITS = 32;
const DERIVED_KEY = new RegExp(`^${DERIVED_PREFIX}[0-9a-f]{${KEY_DIGITS}}$`);

/** The stable content of an event, which its key is derived from. */
export function contentOf(event: CanonicalEvent): string {
  return stableStringify(event, 'idempotency_key');
}

/** The derived key of the `occurrence`-th repeat (0 = the first) of an event's content in a file. */
export function keyFor(content: string, occurrence: number): string {
  return DERIVED_PREFIX + sha256(occurrence === 0 ? content : `${content}\n${occurrence}`).slice(0, KEY_DIGITS);
}

/** Whether a key is one KeyDeriver made (its digits are then already a hash). */
export function isDerivedKey(key: string): boolean {
  return DERIVED_KEY.test(key);
}

/** A batch's Idempotency-Key: derived from its events' keys, so the same batch resent has the same key. */
export function batchKey(events: readonly CanonicalEvent[]): string {
  const hash = createHash('sha256');
  for (const event of events) hash.update(`${event.idempotency_key}\n`);
  return BATCH_PREFIX + hash.digest('hex').slice(0, KEY_DIGITS);
}

/**
 * A replayed event's key when its timestamp moved: "elr_" + 32 hex digits of SHA-256(original key
 * + "\n" + first instant + "\n" + loop), so a replay at another time is a new event to the API and
 * a rerun with the same fixed --shift-to gives the same keys (see replay/schedule.ts).
 */
export function replayKey(originalKey: string, firstInstant: string, loop: number): string {
  return REPLAY_PREFIX + sha256(`${originalKey}\n${firstInstant}\n${loop}`).slice(0, KEY_DIGITS);
}

/** --keep-keys: the key as it is in the first repetition, `key#<loop>` after, within the canonical key length. */
export function keptKey(originalKey: string, loop: number): string {
  if (loop <= 1) return originalKey;
  const suffix = `#${loop}`;
  const max = LIMITS.idempotencyKey;
  if (originalKey.length + suffix.length <= max) return originalKey + suffix;
  // Too long to append to: shorten it, with a hash of the whole key so two long keys stay distinct.
  const digest = sha256(originalKey).slice(0, 16);
  return `${originalKey.slice(0, max - suffix.length - digest.length - 1)}~${digest}${suffix}`;
}

/** Hands out keys for one input file; create one per file. */
export class KeyDeriver {
  private readonly seen = new ScalableBloom(KEY_SLICE, false);
  private readonly repeats = new Map<string, number>();

  keyFor(event: CanonicalEvent): string {
    const content = contentOf(event);
    const digest = sha256(content);
    const first = DERIVED_PREFIX + digest.slice(0, KEY_DIGITS);
    // The filter's two hash words from the digest itself: the same as addIfAbsent(first) reads from the key.
    if (!this.seen.addIfAbsentSeeded(seed(digest, 0), seed(digest, 8) | 1)) return first;
    const occurrence = this.repeats.get(first) ?? 1;
    this.repeats.set(first, occurrence + 1);
    return keyFor(content, occurrence);
  }
}

/**
 * Keys seen, of any shape (derived, mapped, free text), in a Bloom filter: "certainly not seen"
 * or "probably seen". The journal uses it to skip lookups of keys a first run never stored.
 */
export class SeenKeys {
  private readonly bloom = new ScalableBloom();

  has(key: string): boolean {
    return this.bloom.has(bloomDigest(key));
  }

  add(key: string): void {
    this.bloom.addIfAbsent(bloomDigest(key));
  }
}

/** The hex digest the Bloom filter reads: derived keys already are one; other keys are hashed. */
function bloomDigest(key: string): string {
  return isDerivedKey(key) ? key : `key_${sha256(key)}`;
}

/**
 * Repeats in a file are found in slices of 2M events (4 MiB each), added as they fill. Equal
 * slices rather than doubling ones: doubling allocates up to twice what is used and, because
 * false positives add up over full slices, has more of them: at 1M rows 1 row in 1,000 got a
 * repeat count by mistake with slices doubling from 64k; with one half-full 2M slice, almost none.
 * The layout depends only on the rows read so far, never on the file's size: the same rows give
 * the same keys from a file, a pipe or a gzip.
 */
const KEY_SLICE = 1 << 21;

/**
 * A Bloom filter that adds a slice when the current one fills, so no size is needed up front:
 * doubling slices by default, or equal ones. Entries are hex digests after a 4-character prefix
 * (keys as KeyDeriver makes them).
 */
export class ScalableBloom {
  private readonly slices: BloomSlice[];

  constructor(firstCapacity = 1 << 16, private readonly doubling = true) {
    this.slices = [new BloomSlice(firstCapacity)];
  }

  /** True when the digest was (probably) added; false means certainly not. */
  has(digest: string): boolean {
    const a = seed(digest, 4);
    const b = seed(digest, 12) | 1;
    for (const slice of this.slices) if (slice.has(a, b)) return true;
    return false;
  }

  /** Returns true when the digest was (probably) seen before; otherwise records it. */
  addIfAbsent(digest: string): boolean {
    return this.addIfAbsentSeeded(seed(digest, 4), seed(digest, 12) | 1);
  }

  /** addIfAbsent for a digest whose two hash words (the second odd) are already known. */
  addIfAbsentSeeded(a: number, b: number): boolean {
    const slices = this.slices;
    for (let i = 0; i < slices.length; i++) if (slices[i]!.has(a, b)) return true;
    let last = slices[slices.length - 1]!;
    if (last.full()) {
      last = new BloomSlice(this.doubling ? last.capacity * 2 : last.capacity);
      slices.push(last);
    }
    last.add(a, b);
    return false;
  }
}

const BITS_PER_ENTRY = 16;
const HASHES = 11; // with 16 bits per entry: about 0.05% false positives per slice

class BloomSlice {
  private readonly bits: Uint32Array;
  private readonly mask: number; // the size in bits is a power of two, so `& mask` is `% size`
  private count = 0;

  constructor(readonly capacity: number) {
    const size = capacity * BITS_PER_ENTRY;
    this.mask = size - 1;
    this.bits = new Uint32Array(Math.ceil(size / 32));
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  has(a: number, b: number): boolean {
    for (let i = 0; i < HASHES; i++) {
      const bit = ((a + Math.imul(i, b)) & this.mask) >>> 0;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  add(a: number, b: number): void {
    for (let i = 0; i < HASHES; i++) {
      const bit = ((a + Math.imul(i, b)) & this.mask) >>> 0;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }
}

// Double hashing (Kirsch–Mitzenmacher) over two 32-bit words taken from the key's hex digits.
function seed(digest: string, from: number): number {
  return Number.parseInt(digest.slice(from, from + 8), 16);
}

const OCEL_PREFIX = 'elo_';

/**
 * The identity of an OCEL log, which its events' keys are derived from: SHA-256 of its objects'
 * "type TAB id" lines, sorted, so the same log in any of its formats (JSON, XML, SQLite), in any
 * order, has the same identity, and two logs with different objects have different ones. A log
 * named by the user (the reader's `logId`) has that name as its identity instead (for a log that
 * grows between exports: its object set changes, its name does not).
 */
export function ocelLogIdentity(objects: Iterable<readonly [type: string, id: string]>, logId?: string): string {
  if (logId !== undefined) return `name:${logId}`;
  const lines: string[] = [];
  for (const [type, id] of objects) lines.push(`${type}\t${id}`);
  lines.sort();
  return sha256(lines.join('\n'));
}

/**
 * An OCEL event's key: "elo_" + 32 hex digits of SHA-256("ocel" + "\n" + log identity + "\n" +
 * event id). Event ids are unique within a log (the standard says so), so the same log gives the
 * same keys on every import, and the same event id (e1) in two logs gives two keys.
 */
export function ocelEventKey(logIdentity: string, eventId: string): string {
  return OCEL_PREFIX + sha256(`ocel\n${logIdentity}\n${eventId}`).slice(0, KEY_DIGITS);
}
