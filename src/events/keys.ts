// THE key module: every idempotency key eventload makes, each with its prefix, and the repeat
// detector. Keys are written once here so that a key's shape (and what it is derived from) cannot
// drift between the reader, the uploader, replay and the journal.
//   el1_  a derived event key, for events whose mapping names no key column (below);
//   elb_  a batch's Idempotency-Key, from its events' keys (batchKey);
//   elr_  a replayed event's key, when its timestamp moved (replayKey);
//   elx_  an XES event's key, from its place in the log (xesEventKey, below);
//   elo_  an OCEL event's key, from its log's identity and its event id (ocelEventKey).
//
// Derived keys: key = "el1_" + first 32 hex digits of SHA-256(C) for the first event with content
// C in a file, and of SHA-256(C + "\n" + n) for the n-th repeat (n = 1, 2, ...) of the same content
// in that file, where C is the stable JSON of the event without its key (object keys sorted).
// So the same file gives the same keys on every run and every machine, an event that appears in
// two overlapping exports gets the same key in both, and two identical rows close together in one
// file still get different keys.
//
// n counts repeats exactly within a window: the identical events among the previous W events of the
// input (W = --repeat-window, 1,000,000 by default), chained, so a repeat within W of the previous
// identical event gets that event's n + 1, and an event with no identical one within W gets n = 0.
// Inputs without repeats, and inputs whose repeats each come within W of the previous one, get the
// keys of a full count (what el1_ always meant). Further apart than W, identical events are the same
// event (in real exports such pairs are duplicated rows): the same key. The window is a fixed-size
// structure of 64-bit fingerprints (RepeatWindow), so memory stops growing once W events were read.
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
const XES_PREFIX = 'elx_';
/** Hex digits of SHA-256 a key keeps after its prefix. */
const KEY_DIGITS = 32;
const DERIVED_KEY_LENGTH = DERIVED_PREFIX.length + KEY_DIGITS;

/** The stable content of an event, which its key is derived from. */
export function contentOf(event: CanonicalEvent): string {
  return stableStringify(event, 'idempotency_key');
}

/** The hash (hex SHA-256) of an event's content, which its derived key is built from: shards split events by it. */
export function contentHash(event: CanonicalEvent): string {
  return sha256(contentOf(event));
}

/** The derived key of the `occurrence`-th repeat (0 = the first) of an event's content in a file. */
export function keyFor(content: string, occurrence: number): string {
  return DERIVED_PREFIX + sha256(occurrence === 0 ? content : `${content}\n${occurrence}`).slice(0, KEY_DIGITS);
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

/**
 * An XES event's key: "elx_" + 32 hex digits of SHA-256 of the JSON array [trace id, position of
 * the event in its trace (1-based), the event's concept:name, its time:timestamp as written]. XES
 * events have no id, so the key says where the event is: the same log gives the same keys on every
 * import, and an export of a longer version of the log (more traces, or events appended to a trace)
 * keeps the keys of the events it already had. Name and time are in it so that two different logs
 * whose case ids coincide (1, 2, 3...) do not share keys; an attribute corrected in a re-export
 * (other than those two) keeps the key, so the corrected event is a duplicate, not a second event.
 */
export function xesEventKey(traceId: string, position: number, name: string, timestamp: string): string {
  // The JSON text written out: the same bytes as JSON.stringify of the array, for half its time.
  const json = Number.isInteger(position) ? `[${traceText(traceId)},${position},${quoteString(name)},${quoteString(timestamp)}]` : JSON.stringify([traceId, position, name, timestamp]);
  return XES_PREFIX + sha256(json).slice(0, KEY_DIGITS);
}

// A trace's events are keyed one after another: its id's JSON text is made once per trace.
let lastTraceId: string | undefined;
let lastTraceText = '';
function traceText(traceId: string): string {
  if (traceId !== lastTraceId) {
    lastTraceId = traceId;
    lastTraceText = quoteString(traceId);
  }
  return lastTraceText;
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

/** --repeat-window when neither the command line, a --config file nor the mapping sets it. */
export const DEFAULT_REPEAT_WINDOW = 1_000_000;
/** The largest window: 14.4 bytes an event, about 1.4 GB at this size. */
export const MAX_REPEAT_WINDOW = 100_000_000;

/**
 * The content each event's derived key was made from, on the event itself: keyedEventText turns it
 * into the event's JSON text for the journal, which would otherwise write every delivered event
 * out a second time (a tenth of an upload's CPU), and keyedBodyText into a request body's. A symbol, so no member list, JSON or key sees it,
 * and not enumerable, so a copy (`{ ...event }`, as replay makes) does not carry it: only the
 * event object that was keyed has it. It was a WeakMap, whose entries for the events on the wire
 * the garbage collector had to trace at every young collection.
 * An event changed after its key was made would be written as it was: nothing changes an event
 * in place after mapAndCheck keys it (replay makes new events, which are written afresh).
 */
const KEYED_CONTENT = Symbol('eventload.keyedContent');

type Keyed = CanonicalEvent & { [KEYED_CONTENT]?: string };

/**
 * The JSON text of an event whose key KeyDeriver made: the same members and values as
 * toJsonText(event) gives (its members sorted, the key first); undefined for any other event.
 */
export function keyedEventText(event: CanonicalEvent): string | undefined {
  const content = (event as Keyed)[KEYED_CONTENT];
  const key = event.idempotency_key;
  if (content === undefined || key === undefined) return undefined;
  const member = `{"idempotency_key":${quoteString(key)}`;
  return content === '{}' ? `${member}}` : `${member},${content.slice(1)}`;
}

/**
 * The JSON text of an event whose key KeyDeriver made, without its key and its actor: the same
 * members and values as toJsonText of the event without them (sorted), for a body that holds
 * canonical events as they are (FlowMyna's); undefined for any other event. The content's
 * members are sorted, so an actor is its first member, written as stableStringify writes it.
 */
export function keyedBodyText(event: CanonicalEvent): string | undefined {
  const content = (event as Keyed)[KEYED_CONTENT];
  if (content === undefined || event.actor === undefined) return content;
  const actor = `{"actor":${stableStringify(event.actor)}`;
  if (!content.startsWith(actor)) return undefined;
  return content.length === actor.length + 1 ? '{}' : `{${content.slice(actor.length + 1)}`;
}

/** Hands out keys for one input file; create one per file. */
export class KeyDeriver {
  private readonly repeats: RepeatWindow;

  /** `keepText`: remember each event's content for keyedEventText and keyedBodyText (only a run that sends or writes bodies reads it). */
  constructor(window = DEFAULT_REPEAT_WINDOW, private readonly keepText = false) {
    this.repeats = new RepeatWindow(window);
  }

  /** Keys handed out with a repeat number (n ≥ 1): rows identical to one within the window before. */
  repeated = 0;

  keyFor(event: CanonicalEvent): string {
    const content = contentOf(event);
    if (this.keepText) Object.defineProperty(event, KEYED_CONTENT, { value: content });
    const digest = sha256(content);
    // The fingerprint is the digest's first 64 bits, which the key (n = 0) starts with.
    const occurrence = this.repeats.next(Number.parseInt(digest.slice(0, 8), 16), Number.parseInt(digest.slice(8, 16), 16));
    if (occurrence === 0) return DERIVED_PREFIX + digest.slice(0, KEY_DIGITS);
    this.repeated++;
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

/**
 * The hex digest the Bloom filter reads: derived keys already are one; other keys are hashed.
 * Told apart by prefix and length, not by a regex over the digits (1.6 % of an upload, once per
 * event): a mapped key of that shape whose digits are not hex reads as NaN words, which is still
 * one fixed answer per key, so "certainly not seen" stays exact; such keys only filter worse.
 */
function bloomDigest(key: string): string {
  return key.length === DERIVED_KEY_LENGTH && key.startsWith(DERIVED_PREFIX) ? key : `key_${sha256(key)}`;
}

/**
 * A Bloom filter that adds a slice, twice the size of the last, when the current one fills, so no
 * size is needed up front. Entries are hex digests after a 4-character prefix (keys as KeyDeriver
 * makes them).
 */
export class ScalableBloom {
  private readonly slices: BloomSlice[];

  constructor(firstCapacity = 1 << 16) {
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
      last = new BloomSlice(last.capacity * 2);
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

/**
 * The repeat number of each event among the last `window` events, exactly, in memory that grows
 * with the events read up to the window and no further: a ring of the last W fingerprints (64 bits
 * each) with each one's repeat number, and an open-addressing table (linear probing) from
 * fingerprint to the ring slot of its latest occurrence. An event leaving the ring takes its table
 * entry with it when no later identical event replaced it. 14.4 bytes an event at the cap (14.4 MB
 * for the default million); typed arrays only, nothing allocated per event.
 *
 * The ring is allocated at its full size at once: zeroed memory the system hands out is resident
 * only once written, and the ring is written in order, so it grows in memory as it fills, with no
 * second copy while it grows (copying it as it doubled cost a transient 7.5 MB at the default W).
 * The table is written everywhere, so it grows by rehashing into one twice the size.
 */
export class RepeatWindow {
  /** Fingerprints, two words a slot (high, low), oldest overwritten first once the ring is full. */
  private readonly fingerprints: Uint32Array;
  /** Each slot's repeat number; REPEATS_ESCAPE means "look in `large`". */
  private readonly repeatOf: Uint8Array;
  /** Repeat numbers from REPEATS_ESCAPE up, by slot: only for the latest occurrence of a content. */
  private readonly large = new Map<number, number>();
  /** Entries: tag in the high bits, slot + 1 in the low `slotBits`; 0 is empty. */
  private table: Uint32Array;
  /** Events the table is sized for now: it doubles up to the window. */
  private capacity: number;
  private filled = 0;
  private cursor = 0;
  private readonly slotMask: number;

  constructor(private readonly window: number) {
    if (!Number.isInteger(window) || window < 1 || window > MAX_REPEAT_WINDOW) throw new RangeError(`repeat window must be a whole number from 1 to ${MAX_REPEAT_WINDOW}, got ${window}`);
    this.slotMask = 2 ** Math.ceil(Math.log2(window + 1)) - 1;
    this.capacity = Math.min(window, FIRST_TABLE);
    this.fingerprints = new Uint32Array(2 * window);
    this.repeatOf = new Uint8Array(window);
    this.table = new Uint32Array(tableSizeFor(this.capacity));
  }

  /** Bytes the structure uses now (the ring's written part): at most 14.4 × window, plus `large`'s few entries. */
  get bytes(): number {
    return 9 * this.filled + this.table.byteLength;
  }

  /** The repeat number of the next event, whose fingerprint is (high, low); then remembers it. */
  next(high: number, low: number): number {
    const slot = this.cursor;
    // The event W back leaves now, unless it is this content, whose entry is about to move here anyway.
    if (this.filled === this.window && (this.fingerprints[2 * slot] !== high || this.fingerprints[2 * slot + 1] !== low)) this.forget(slot);
    const found = this.find(high, low);
    const entry = this.table[found]!;
    let repeat = 0;
    if (entry !== 0) {
      const previous = (entry & this.slotMask) - 1;
      repeat = this.readRepeat(previous) + 1;
      if (previous !== slot) this.large.delete(previous); // only the latest occurrence's number is read again
    }
    this.fingerprints[2 * slot] = high;
    this.fingerprints[2 * slot + 1] = low;
    this.writeRepeat(slot, repeat);
    this.table[found] = this.tagOf(low) | (slot + 1);
    this.advance();
    return repeat;
  }

  /** The table index holding (high, low), or the empty one where it would go. */
  private find(high: number, low: number): number {
    const table = this.table;
    const tag = this.tagOf(low);
    const tagMask = ~this.slotMask; // `&` gives a signed word: tags compare signed
    let index = homeOf(high, table.length);
    for (;;) {
      const entry = table[index]!;
      if (entry === 0) return index;
      if ((entry & tagMask) === tag) {
        const slot = (entry & this.slotMask) - 1;
        if (this.fingerprints[2 * slot] === high && this.fingerprints[2 * slot + 1] === low) return index;
      }
      index = index + 1 === table.length ? 0 : index + 1;
    }
  }

  /** Drops the table entry that points at `slot`, if its content has no later occurrence. */
  private forget(slot: number): void {
    const table = this.table;
    let index = homeOf(this.fingerprints[2 * slot]!, table.length);
    for (let entry = table[index]!; entry !== 0; entry = table[index]!) {
      if ((entry & this.slotMask) === slot + 1) return this.removeAt(index);
      index = index + 1 === table.length ? 0 : index + 1;
    }
  }

  /** Removes the entry at `hole` and moves later entries of its probe run back (no tombstones). */
  private removeAt(hole: number): void {
    const table = this.table;
    const size = table.length;
    let index = hole;
    for (;;) {
      index = index + 1 === size ? 0 : index + 1;
      const entry = table[index]!;
      if (entry === 0) break;
      const home = homeOf(this.fingerprints[2 * ((entry & this.slotMask) - 1)]!, size);
      // The entry stays where it is when its home lies cyclically in (hole, index].
      const stays = hole <= index ? hole < home && home <= index : hole < home || home <= index;
      if (stays) continue;
      table[hole] = entry;
      hole = index;
    }
    table[hole] = 0;
  }

  private advance(): void {
    if (this.filled < this.window) this.filled++;
    this.cursor = this.cursor + 1 === this.window ? 0 : this.cursor + 1;
    if (this.filled === this.capacity && this.capacity < this.window) this.grow();
  }

  /** Doubles the table (up to the window's size) and moves every entry into it. */
  private grow(): void {
    this.capacity = Math.min(this.window, 2 * this.capacity);
    const old = this.table;
    const table = new Uint32Array(tableSizeFor(this.capacity));
    for (const entry of old) {
      if (entry === 0) continue;
      let index = homeOf(this.fingerprints[2 * ((entry & this.slotMask) - 1)]!, table.length);
      while (table[index] !== 0) index = index + 1 === table.length ? 0 : index + 1;
      table[index] = entry;
    }
    this.table = table;
  }

  /** The low word's bits above the slot's (window ≤ 2^27 leaves at least 5): most mismatches end here. */
  private tagOf(low: number): number {
    return low & ~this.slotMask;
  }

  private readRepeat(slot: number): number {
    const small = this.repeatOf[slot]!;
    return small < REPEATS_ESCAPE ? small : this.large.get(slot)!;
  }

  private writeRepeat(slot: number, repeat: number): void {
    if (this.repeatOf[slot] === REPEATS_ESCAPE) this.large.delete(slot);
    if (repeat < REPEATS_ESCAPE) {
      this.repeatOf[slot] = repeat;
    } else {
      this.repeatOf[slot] = REPEATS_ESCAPE;
      this.large.set(slot, repeat);
    }
  }
}

/** The events the table is first sized for; it doubles from here to the window. */
const FIRST_TABLE = 1 << 16;
/** Repeat numbers up to 254 fit in a byte; larger ones (a row repeated 255 times) go to a map. */
const REPEATS_ESCAPE = 255;

/** Table slots for a ring of `capacity`: at most 3/4 full. */
function tableSizeFor(capacity: number): number {
  return Math.ceil((capacity * 4) / 3) + 1;
}

/** A fingerprint's first probe: its high word scaled to the table (no power-of-two size needed). */
function homeOf(high: number, size: number): number {
  return Math.floor((high / 4294967296) * size);
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
