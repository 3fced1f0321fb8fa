// The canonical event: the one shape every reader maps into and every target maps out of.
// It is also the NDJSON interchange format: a file of these needs no mapping file.
import { z } from 'zod';
import type { Issue } from '../errors.js';
import { ExactNumber } from './exact-number.js';
import type { ReasonCode } from '../codes.js';

/**
 * The canonical schema's length limits (characters), each written once: the zod schema below and
 * the fast check looksValid both read them, and so does anything that must stay within them.
 */
export const LIMITS = {
  event: 200,
  objectType: 100,
  objectId: 500,
  qualifier: 100,
  actorId: 500,
  actorName: 500,
  actorType: 100,
  idempotencyKey: 255,
} as const;

const text = (min: number, max: number) =>
  z.string({ error: 'must be a string' }).min(min, `must be ${min}-${max} characters`).max(max, `must be ${min}-${max} characters`);

const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });

export const canonicalObjectSchema = z.object({
  type: text(1, LIMITS.objectType),
  id: text(1, LIMITS.objectId),
  qualifier: text(1, LIMITS.qualifier).optional(),
  properties: jsonObject.optional(),
}).strict();

export const actorSchema = z.object({
  id: text(1, LIMITS.actorId),
  name: text(1, LIMITS.actorName).optional(),
  type: text(1, LIMITS.actorType).optional(),
}).strict();

export const canonicalEventSchema = z.object({
  event: text(1, LIMITS.event),
  timestamp: z.string({ error: 'must be an ISO 8601 string' }).min(1, 'is required'),
  objects: z.array(canonicalObjectSchema, { error: 'must be a list of objects' }).min(1, 'needs at least one object'),
  properties: jsonObject.optional(),
  actor: actorSchema.optional(),
  idempotency_key: text(1, LIMITS.idempotencyKey).optional(),
}).strict();

export type CanonicalObject = z.infer<typeof canonicalObjectSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type CanonicalEvent = z.infer<typeof canonicalEventSchema>;

/** zod path ['objects', 0, 'id'] → 'objects[0].id' */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  // A problem with the record as a whole (e.g. an unknown top-level field) is named `record`,
  // so it is not mistaken for the `event` field.
  return out === '' ? 'record' : out;
}

export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  return error.issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]);
    if (issue.code === 'invalid_type' && issue.input === undefined) return { path, message: 'is required', code: 'EL_FIELD_REQUIRED' };
    if (issue.code === 'unrecognized_keys') return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`, code: 'EL_FIELD_UNKNOWN' };
    return { path, message: issue.message, code: ZOD_REASONS[issue.code] ?? 'EL_EVENT_INVALID' };
  });
}

/** zod's issue kinds, as reason codes; anything else is EL_EVENT_INVALID. */
const ZOD_REASONS: Partial<Record<z.core.$ZodIssue['code'], ReasonCode>> = {
  invalid_type: 'EL_FIELD_TYPE',
  too_small: 'EL_FIELD_LENGTH',
  too_big: 'EL_FIELD_LENGTH',
};

/**
 * Checks an event against the canonical schema; returns its issues (none when valid). `nulFree`:
 * its mapper vouches that no text in it can hold a NUL character (MapResult), so that scan is skipped.
 */
export function checkCanonical(event: unknown, nulFree = false): Issue[] {
  // The hand-written check below answers "valid" for almost every event at a fraction of zod's
  // cost; zod runs only when it says no, to name what is wrong (and has the last word).
  if (!looksValid(event)) {
    const result = canonicalEventSchema.safeParse(event, { reportInput: true });
    if (!result.success) return zodIssues(result.error);
  }
  if (nulFree) return [];
  const nul = holdsNul(event as CanonicalEvent) ? nulCharacterPath(event, []) : undefined;
  return nul === undefined ? [] : [{ path: formatPath(nul), message: NUL_MESSAGE, code: 'EL_NUL_CHARACTER' }];
}

const NUL_MESSAGE = 'holds a NUL character (U+0000), which the APIs\' databases refuse or cut the text at; it is usually a sign of a wrong --encoding or a binary column';

/** Whether a NUL character is anywhere in a valid event: its known fields directly, then its properties. Runs per event. */
function holdsNul(event: CanonicalEvent): boolean {
  if (hasNul(event.event) || hasNul(event.timestamp) || hasNul(event.idempotency_key)) return true;
  const objects = event.objects;
  for (let index = 0; index < objects.length; index++) {
    const object = objects[index]!;
    if (hasNul(object.type) || hasNul(object.id) || hasNul(object.qualifier)) return true;
    const properties = object.properties;
    if (properties !== undefined && (properties as Marked)[NUL_FREE] !== true && valueHoldsNul(properties)) return true;
  }
  const actor = event.actor;
  if (actor !== undefined && (hasNul(actor.id) || hasNul(actor.name) || hasNul(actor.type))) return true;
  return event.properties !== undefined && valueHoldsNul(event.properties);
}

const hasNul = (text: string | undefined): boolean => text !== undefined && text.indexOf('\u0000') !== -1;

/**
 * The mark of a properties value known to hold no NUL character (markNulFree). A symbol of this
 * module's own, so nothing else can set it; not enumerable, so a copy (`{...value}`) is not marked
 * and is scanned as any other value.
 */
const NUL_FREE = Symbol('nul-free');
type Marked = { [NUL_FREE]?: true };

/**
 * For a properties value that many events share (an OCEL object's properties hold for every event
 * that names the object in a span of time): scans it once, and when it holds no NUL character,
 * marks it so that checkCanonical does not scan it again for each of those events (that scan was
 * ~5 % of an OCEL dry run). The value and everything in it is frozen, so a marked value can never
 * gain a NUL later: changing it throws. Left unmarked (and unfrozen), so scanned per event as
 * before, when it holds a NUL, anything but plain objects, arrays and primitives (an ExactNumber,
 * an accessor), or something already frozen at its top. Returns whether it was marked.
 */
export function markNulFree(value: Record<string, unknown>): boolean {
  if (!Object.isExtensible(value) || !plainAndNulFree(value, 0)) return false;
  Object.defineProperty(value, NUL_FREE, { value: true, enumerable: false, writable: false, configurable: false });
  deepFreeze(value);
  return true;
}

/** Depth-bounded: a value nested deeper than any reader makes is simply left unmarked. */
function plainAndNulFree(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.indexOf('\u0000') === -1;
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol';
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let index = 0; index < value.length; index++) if (!plainAndNulFree(value[index], depth + 1)) return false;
    return Object.keys(value).length === value.length;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Reflect.ownKeys(value)) {
    if (key === NUL_FREE) continue; // a value marked already, held in this one
    if (typeof key !== 'string' || key.indexOf('\u0000') !== -1) return false;
    const described = Object.getOwnPropertyDescriptor(value, key)!;
    if (!('value' in described) || !plainAndNulFree(described.value, depth + 1)) return false;
  }
  return true;
}

/** Descends into frozen members too: one frozen at its top only may still hold something that is not. */
function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (typeof member === 'object' && member !== null) deepFreeze(member);
  }
}

function valueHoldsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.indexOf('\u0000') !== -1;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (valueHoldsNul(value[index])) return true;
    return false;
  }
  for (const key in value) if (key.indexOf('\u0000') !== -1 || valueHoldsNul((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * Where the first NUL character is, in a value or a property name, or undefined. Depth is bounded
 * by the readers' nesting limit, so the recursion is too.
 */
function nulCharacterPath(value: unknown, path: PropertyKey[]): PropertyKey[] | undefined {
  if (typeof value === 'string') return value.indexOf('\u0000') === -1 ? undefined : path;
  if (typeof value !== 'object' || value === null || value instanceof ExactNumber) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = nulCharacterPath(value[index], [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  for (const key in value) {
    if (key.indexOf('\u0000') !== -1) return [...path, key];
    const found = nulCharacterPath((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}

const isText = (value: unknown, min: number, max: number): boolean => typeof value === 'string' && value.length >= min && value.length <= max;
const isOptionalText = (value: unknown, min: number, max: number): boolean => value === undefined || isText(value, min, max);
const isOptionalRecord = (value: unknown): boolean => value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ExactNumber));

// Whether a value has no own keys beyond the schema's (canonicalEventSchema, canonicalObjectSchema,
// actorSchema; test/events/looks-valid.test.ts checks the lists agree). A switch over the names
// rather than a Set: a key from for-in is an internalized string, compared by identity, where a
// Set lookup hashes it; 4 times faster in a micro-benchmark (~330 ns an event), and these run for
// the event and every object of every event.
function onlyEventKeys(value: object): boolean {
  for (const key in value) {
    switch (key) {
      case 'event':
      case 'timestamp':
      case 'objects':
      case 'properties':
      case 'actor':
      case 'idempotency_key':
        continue;
    }
    if (Object.hasOwn(value, key)) return false;
  }
  return true;
}

function onlyObjectKeys(value: object): boolean {
  for (const key in value) {
    switch (key) {
      case 'type':
      case 'id':
      case 'qualifier':
      case 'properties':
        continue;
    }
    if (Object.hasOwn(value, key)) return false;
  }
  return true;
}

function onlyActorKeys(value: object): boolean {
  for (const key in value) {
    switch (key) {
      case 'id':
      case 'name':
      case 'type':
        continue;
    }
    if (Object.hasOwn(value, key)) return false;
  }
  return true;
}

/** Never looser than canonicalEventSchema: true only for events zod accepts too (tested). */
export function looksValid(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const event = value as Record<string, unknown>;
  if (!onlyEventKeys(event)) return false;
  if (!isText(event.event, 1, LIMITS.event) || !isText(event.timestamp, 1, Number.MAX_SAFE_INTEGER)) return false;
  if (!isOptionalRecord(event.properties) || !isOptionalText(event.idempotency_key, 1, LIMITS.idempotencyKey)) return false;
  const objects = event.objects;
  if (!Array.isArray(objects) || objects.length === 0) return false;
  for (const object of objects) {
    if (typeof object !== 'object' || object === null || Array.isArray(object) || !onlyObjectKeys(object)) return false;
    const o = object as Record<string, unknown>;
    if (!isText(o.type, 1, LIMITS.objectType) || !isText(o.id, 1, LIMITS.objectId) || !isOptionalText(o.qualifier, 1, LIMITS.qualifier) || !isOptionalRecord(o.properties)) return false;
  }
  const actor = event.actor;
  if (actor === undefined) return true;
  if (typeof actor !== 'object' || actor === null || Array.isArray(actor) || !onlyActorKeys(actor)) return false;
  const a = actor as Record<string, unknown>;
  return isText(a.id, 1, LIMITS.actorId) && isOptionalText(a.name, 1, LIMITS.actorName) && isOptionalText(a.type, 1, LIMITS.actorType);
}
