// The OCEL model every OCEL format (2.0 JSON, XML, SQLite; 1.0 JSON, XML) is read into, and the
// conversion of one OCEL event into a canonical event. The formats differ only in syntax, so the
// conversion is written once: the same log in any format gives the same canonical events and keys.
// Memory is the object index (one entry per object, with its timed attribute values and its
// object-to-object relationships); events pass through one at a time.
import type { Issue, Position } from '../../errors.js';
import { markNulFree, type CanonicalObject } from '../../events/canonical.js';
import { ocelEventKey, ocelLogIdentity } from '../../events/keys.js';
import { setMember } from '../../events/members.js';
import type { ReaderItem } from '../types.js';
import { NOT_PLAIN, plainValue, typedValue } from './typed.js';

export interface OcelRelationship {
  objectId: string;
  /** OCEL 1.0 has none. */
  qualifier?: string;
}

export interface OcelAttributeValue {
  name: string;
  value: unknown;
  /** When the value started to hold; absent (OCEL 1.0, or no time given) means from the start. */
  time?: string;
}

export interface OcelObject {
  id: string;
  type: string;
  attributes: OcelAttributeValue[];
  relationships: OcelRelationship[];
}

export interface OcelEvent {
  id: string;
  type: string;
  time: string;
  attributes: OcelAttributeValue[];
  relationships: OcelRelationship[];
}

/** The property that carries an object's object-to-object relationships (docs/process-mining.md). */
export const RELATIONSHIPS_PROPERTY = 'ocel:relationships';
/** The event property that says which values were kept as strings, and why. */
export const NOTES_PROPERTY = 'ocel:notes';

interface TimedValue {
  at: number;
  value: unknown;
}

/**
 * An object of the index, with the properties last computed for it and the span of instants over
 * which they hold (a log's objects mostly never change). They are kept in the entry itself, not in
 * objects it points to: an event reads them for each object it names, and on a log of 100,000
 * objects each pointer followed was a cache miss (the index lookup was 6.6 % of a dry run).
 */
interface IndexedObject extends ObjectProperties {
  type: string;
  /** Attribute name → its values, earliest first. */
  values: Map<string, TimedValue[]>;
  relationships: OcelRelationship[];
  /** The span of the properties last computed: from (inclusive) until (exclusive); from > until before the first. */
  from: number;
  until: number;
  /** The properties hold at every instant (from is -∞, until +∞): no event time is needed. */
  always: boolean;
}

/** An object's properties at an instant, or the issue that kept them from being typed. */
interface ObjectProperties {
  /** undefined when the object has none (it then carries no properties). */
  properties: Record<string, unknown> | undefined;
  /** undefined when there is none. */
  notes: string[] | undefined;
  issue: Issue | undefined;
}

/**
 * Times are compared as instants. A time written without a zone is compared as if it were UTC:
 * one log writes all its times the same way, so their order is right; only a zone-less time and a
 * zoned one less than a day apart could compare wrongly (the initial values pm4py writes at
 * 1970-01-01T00:00:00Z are not).
 */
export function instantForOrder(time: string | undefined): number {
  if (time === undefined || time === '') return Number.NEGATIVE_INFINITY;
  if (hasZone(time)) {
    const at = Date.parse(time);
    if (!Number.isNaN(at)) return at;
  }
  const text = time.trim().replace(' ', 'T');
  const zoned = /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(text) && /T/.test(text);
  const at = Date.parse(zoned ? text : `${text.length === 10 ? `${text}T00:00:00` : text}Z`);
  return Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at;
}

/** Ends in Z or ±hh:mm after a `T` date-time: Date.parse reads it as the instant it is (checked without a regular expression: once per event). */
function hasZone(time: string): boolean {
  const last = time.charCodeAt(time.length - 1);
  if (last === 0x5a || last === 0x7a) return time.charCodeAt(10) === 0x54;
  const sign = time.charCodeAt(time.length - 6);
  return (sign === 0x2b || sign === 0x2d) && time.charCodeAt(time.length - 3) === 0x3a && time.charCodeAt(10) === 0x54;
}

/** The declared attribute types: (event or object) type name → attribute name → type. */
export class OcelTypes {
  readonly events = new Map<string, Map<string, string>>();
  readonly objects = new Map<string, Map<string, string>>();

  declare(kind: 'events' | 'objects', type: string, attributes: ReadonlyArray<{ name: string; type: string }>): void {
    const map = this[kind].get(type) ?? new Map<string, string>();
    for (const attribute of attributes) map.set(attribute.name, attribute.type);
    this[kind].set(type, map);
  }
}

/** id → type, timed attribute values and object-to-object relationships of every object of the log. */
export class ObjectIndex {
  private readonly objects = new Map<string, IndexedObject>();
  private identity: string | undefined;
  // The index is most of a run's memory and all of what the young generation copies while the
  // objects are read (a quarter of that phase's CPU was garbage collection): object types and
  // attribute names are kept once, not once per object, and the time of the last value read is
  // parsed once for the values that follow with the same time (pm4py writes every initial value
  // at 1970-01-01T00:00:00Z).
  private readonly names = new Map<string, string>();
  private lastTime: string | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;

  get size(): number {
    return this.objects.size;
  }

  /** Adds an object; an id given twice (SQLite: one row per change) adds its values and relationships to the first. */
  add(object: OcelObject): void {
    let entry = this.objects.get(object.id);
    if (!entry) {
      entry = newEntry(this.intern(object.type));
      this.objects.set(object.id, entry);
      this.identity = undefined;
    }
    for (const attribute of object.attributes) this.addValue(entry, attribute);
    for (const relationship of object.relationships) relate(entry, relationship);
  }

  /** The one copy of a type or attribute name kept by the index. */
  private intern(name: string): string {
    const kept = this.names.get(name);
    if (kept !== undefined) return kept;
    this.names.set(name, name);
    return name;
  }

  private instantOf(time: string | undefined): number {
    if (time !== this.lastTime) {
      this.lastAt = instantForOrder(time);
      this.lastTime = time;
    }
    return this.lastAt;
  }

  /** One more timed value of an object's attribute (the SQLite reader adds them row by row). */
  addValue(entry: IndexedObject | string, attribute: OcelAttributeValue): void {
    const object = typeof entry === 'string' ? this.objects.get(entry) : entry;
    if (!object) return;
    const timed = { at: this.instantOf(attribute.time), value: attribute.value };
    const list = object.values.get(attribute.name);
    if (!list) {
      object.values.set(this.intern(attribute.name), [timed]);
      return;
    }
    let at = list.length;
    while (at > 0 && list[at - 1]!.at > timed.at) at--;
    list.splice(at, 0, timed);
  }

  /** Adds an object-to-object relationship to an object already indexed (SQLite's object_object). */
  addRelationship(sourceId: string, relationship: OcelRelationship): void {
    const entry = this.objects.get(sourceId);
    if (entry) relate(entry, relationship);
  }

  /** The log's identity (keys.ts), computed once all objects are indexed. */
  identityOf(logId: string | undefined): string {
    if (logId !== undefined) return ocelLogIdentity([], logId);
    this.identity ??= ocelLogIdentity(this.pairs());
    return this.identity;
  }

  private *pairs(): Generator<[string, string]> {
    for (const [id, object] of this.objects) yield [object.type, id];
  }

  /** The indexed object of an id (undefined for an id the log never declares). */
  entry(id: string): IndexedObject | undefined {
    return this.objects.get(id);
  }

  /**
   * Sets a declared object's properties at an instant into its entry (when the ones there do not
   * hold at it): each attribute's latest value whose time is not after the instant, typed as the
   * object type declares, and its object-to-object relationships. The caller first looks at
   * `object.always`: when it is set, no instant is needed (a log's objects mostly never change, so
   * most events never parse their time).
   */
  propertiesAt(id: string, object: IndexedObject, at: number, types: OcelTypes): ObjectProperties {
    if (!(at >= object.from && at < object.until)) this.lookup(id, at, types, object);
    return object;
  }

  /**
   * Computes the properties at `at` and keeps them with the span they hold for: from the latest
   * chosen value's time to the earliest next value. The properties object is shared by the events
   * in that span, so it is marked free of NUL characters (and frozen) once here rather than
   * scanned again for each of them (events/canonical.ts, markNulFree).
   */
  private lookup(id: string, at: number, types: OcelTypes, object: IndexedObject): void {
    const declared = types.objects.get(object.type);
    const properties: Record<string, unknown> = {};
    const notes: string[] = [];
    let from = Number.NEGATIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    let issue: Issue | undefined;
    for (const [name, values] of object.values) {
      let i = values.length - 1;
      while (i >= 0 && values[i]!.at > at) i--;
      if (i + 1 < values.length) until = Math.min(until, values[i + 1]!.at);
      if (i < 0) continue;
      from = Math.max(from, values[i]!.at);
      const typed = typedValue(values[i]!.value, declared?.get(name));
      if ('error' in typed) {
        issue ??= { path: `object ${id}.${name}`, message: typed.error, code: 'EL_OCEL_VALUE_TYPE' };
        continue;
      }
      if (typed.note) notes.push(`object ${id} attribute "${name}": ${typed.note}`);
      setMember(properties, name, typed.value);
    }
    if (object.relationships.length > 0) properties[RELATIONSHIPS_PROPERTY] = object.relationships.map((relationship) => this.describe(relationship));
    object.from = from;
    object.until = until;
    object.always = from === Number.NEGATIVE_INFINITY && until === Number.POSITIVE_INFINITY;
    object.issue = issue;
    object.notes = issue === undefined && notes.length > 0 ? notes : undefined;
    object.properties = issue === undefined && Object.keys(properties).length > 0 ? properties : undefined;
    if (object.properties !== undefined) markNulFree(object.properties);
  }

  /** An object-to-object relationship as carried in properties: the target's id and type, and the qualifier. */
  private describe(relationship: OcelRelationship): Record<string, string> {
    const described: Record<string, string> = { id: relationship.objectId };
    const type = this.objects.get(relationship.objectId)?.type;
    if (type !== undefined) described.type = type;
    if (relationship.qualifier !== undefined) described.qualifier = relationship.qualifier;
    return described;
  }
}

/** Every entry made with the same fields in the same order: one shape for the lookups that read them. */
function newEntry(type: string): IndexedObject {
  return { type, values: new Map(), relationships: NO_RELATIONSHIPS, from: 0, until: -1, always: false, properties: undefined, notes: undefined, issue: undefined };
}

/** Shared by every object without object-to-object relationships (most): never added to. */
const NO_RELATIONSHIPS: OcelRelationship[] = [];

function relate(entry: IndexedObject, relationship: OcelRelationship): void {
  if (entry.relationships === NO_RELATIONSHIPS) entry.relationships = [];
  entry.relationships.push(relationship);
}

/** What converting an event needs beside the event: the whole object index, the declarations and the log's identity. */
export interface OcelContext {
  index: ObjectIndex;
  types: OcelTypes;
  identity: string;
}

/**
 * What the passes of one streamed log share (JSON and XML alike): the declarations and objects
 * read so far, which sections have been read whole, and whether an event met too early sent the
 * reader to a second pass. The context is made once, at the first event that can be converted.
 */
export class OcelLogState {
  readonly types = new OcelTypes();
  readonly index = new ObjectIndex();
  /** The sections read whole so far, by the reader's own names for them. */
  readonly done = new Set<string>();
  /** Events were met before what they need; a second pass converts them. */
  deferred = false;
  private context: OcelContext | undefined;

  constructor(private readonly logId: string | undefined) {}

  /** At an event: have the sections it needs (objects, and in 2.0 both declarations) been read? */
  readyForEvents(needs: readonly string[]): boolean {
    return this.context !== undefined || needs.every((name) => this.done.has(name));
  }

  contextFor(): OcelContext {
    this.context ??= { index: this.index, types: this.types, identity: this.index.identityOf(this.logId) };
    return this.context;
  }
}

/**
 * One OCEL event as a canonical event (its timestamp still as written: the pipeline applies the
 * timestamp rules and --timezone), or a rejection naming why. Never throws. Runs once per event of
 * a log of millions: nothing is allocated that the canonical event does not keep (notes only when
 * there is one, attribute values typed without a wrapper when they already have their type).
 */
export function convertEvent(event: OcelEvent, context: OcelContext, position: Position): ReaderItem {
  const shape = shapeIssue(event);
  if (shape) return invalidEvent(event, position, shape);
  const index = context.index;
  const relationships = event.relationships;
  let notes: string[] | undefined;
  let at = Number.NaN; // the event's instant, parsed when an object that changes over time needs it
  const objects: CanonicalObject[] = [];
  for (let i = 0; i < relationships.length; i++) {
    const relationship = relationships[i]!;
    const id = relationship.objectId;
    const entry = index.entry(id);
    if (entry === undefined) {
      return invalidEvent(event, position, { path: `relationships[${i}].objectId`, message: `event ${event.id} names object "${id}", which the log never declares`, code: 'EL_OCEL_UNKNOWN_OBJECT' });
    }
    if (!entry.always) {
      if (Number.isNaN(at)) at = instantForOrder(event.time);
      index.propertiesAt(id, entry, at, context.types);
    }
    if (entry.issue !== undefined) return invalidEvent(event, position, entry.issue);
    if (entry.notes !== undefined) (notes ??= []).push(...entry.notes);
    const object: CanonicalObject = { type: entry.type, id };
    const qualifier = relationship.qualifier;
    if (qualifier !== undefined && qualifier !== '') object.qualifier = qualifier;
    const properties = entry.properties;
    if (properties !== undefined) object.properties = properties;
    objects.push(object);
  }
  const declared = context.types.events.get(event.type);
  const attributes = event.attributes;
  const properties: Record<string, unknown> = {};
  let any = false;
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i]!;
    const type = declared?.get(attribute.name);
    let value = plainValue(attribute.value, type);
    if (value === NOT_PLAIN) {
      const typed = typedValue(attribute.value, type);
      if ('error' in typed) return invalidEvent(event, position, { path: `attributes.${attribute.name}`, message: typed.error, code: 'EL_OCEL_VALUE_TYPE' });
      if (typed.note) (notes ??= []).push(`attribute "${attribute.name}": ${typed.note}`);
      value = typed.value;
    }
    setMember(properties, attribute.name, value);
    any = true;
  }
  if (notes !== undefined) {
    properties[NOTES_PROPERTY] = notes;
    any = true;
  }
  const record: Record<string, unknown> = { event: event.type, timestamp: event.time, objects };
  if (any) record.properties = properties;
  record.idempotency_key = ocelEventKey(context.identity, event.id);
  return { kind: 'record', position, record };
}

function invalidEvent(event: OcelEvent, position: Position, issue: Issue): ReaderItem {
  return { kind: 'invalid', position, raw: JSON.stringify(event), issue };
}

function shapeIssue(event: OcelEvent): Issue | undefined {
  for (const field of ['id', 'type', 'time'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') return { path: field, message: `the event has no ${field}`, code: 'EL_OCEL_INVALID' };
  }
  return undefined;
}
