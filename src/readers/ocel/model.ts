// The OCEL model every OCEL format (2.0 JSON, XML, SQLite; 1.0 JSON, XML) is read into, and the
// conversion of one OCEL event into a canonical event. The formats differ only in syntax, so the
// conversion is written once: the same log in any format gives the same canonical events and keys.
// Memory is the object index (one entry per object, with its timed attribute values and its
// object-to-object relationships); events pass through one at a time.
import type { Issue, Position } from '../../errors.js';
import type { CanonicalObject } from '../../events/canonical.js';
import { ocelEventKey, ocelLogIdentity } from '../../events/keys.js';
import type { ReaderItem } from '../types.js';
import { typedValue } from './typed.js';

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

interface IndexedObject {
  type: string;
  /** Attribute name → its values, earliest first. */
  values: Map<string, TimedValue[]>;
  relationships: OcelRelationship[];
}

/**
 * Times are compared as instants. A time written without a zone is compared as if it were UTC:
 * one log writes all its times the same way, so their order is right; only a zone-less time and a
 * zoned one less than a day apart could compare wrongly (the initial values pm4py writes at
 * 1970-01-01T00:00:00Z are not).
 */
export function instantForOrder(time: string | undefined): number {
  if (time === undefined || time === '') return Number.NEGATIVE_INFINITY;
  const text = time.trim().replace(' ', 'T');
  const zoned = /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(text) && /T/.test(text);
  const at = Date.parse(zoned ? text : `${text.length === 10 ? `${text}T00:00:00` : text}Z`);
  return Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at;
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

  get size(): number {
    return this.objects.size;
  }

  has(id: string): boolean {
    return this.objects.has(id);
  }

  typeOf(id: string): string | undefined {
    return this.objects.get(id)?.type;
  }

  /** Adds an object; an id given twice (SQLite: one row per change) adds its values and relationships to the first. */
  add(object: OcelObject): void {
    let entry = this.objects.get(object.id);
    if (!entry) {
      entry = { type: object.type, values: new Map(), relationships: [] };
      this.objects.set(object.id, entry);
      this.identity = undefined;
    }
    for (const attribute of object.attributes) this.addValue(entry, attribute);
    for (const relationship of object.relationships) entry.relationships.push(relationship);
  }

  /** One more timed value of an object's attribute (the SQLite reader adds them row by row). */
  addValue(entry: IndexedObject | string, attribute: OcelAttributeValue): void {
    const object = typeof entry === 'string' ? this.objects.get(entry) : entry;
    if (!object) return;
    const timed = { at: instantForOrder(attribute.time), value: attribute.value };
    const list = object.values.get(attribute.name);
    if (!list) {
      object.values.set(attribute.name, [timed]);
      return;
    }
    let at = list.length;
    while (at > 0 && list[at - 1]!.at > timed.at) at--;
    list.splice(at, 0, timed);
  }

  /** Adds an object-to-object relationship to an object already indexed (SQLite's object_object). */
  addRelationship(sourceId: string, relationship: OcelRelationship): void {
    this.objects.get(sourceId)?.relationships.push(relationship);
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

  /**
   * The object's properties at an instant: each attribute's latest value whose time is not after
   * it, typed as the object type declares, and its object-to-object relationships.
   */
  propertiesAt(id: string, at: number, types: OcelTypes, notes: string[]): { properties: Record<string, unknown> } | { issue: Issue } {
    const object = this.objects.get(id)!;
    const declared = types.objects.get(object.type);
    const properties: Record<string, unknown> = {};
    for (const [name, values] of object.values) {
      let found: TimedValue | undefined;
      for (let i = values.length - 1; i >= 0; i--) {
        if (values[i]!.at <= at) {
          found = values[i];
          break;
        }
      }
      if (!found) continue;
      const typed = typedValue(found.value, declared?.get(name));
      if ('error' in typed) return { issue: { path: `object ${id}.${name}`, message: typed.error, code: 'EL_OCEL_VALUE_TYPE' } };
      if (typed.note) notes.push(`object ${id} attribute "${name}": ${typed.note}`);
      properties[name] = typed.value;
    }
    if (object.relationships.length > 0) properties[RELATIONSHIPS_PROPERTY] = object.relationships.map((relationship) => this.describe(relationship));
    return { properties };
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

/** What converting an event needs beside the event: the whole object index, the declarations and the log's identity. */
export interface OcelContext {
  index: ObjectIndex;
  types: OcelTypes;
  identity: string;
}

/**
 * One OCEL event as a canonical event (its timestamp still as written: the pipeline applies the
 * timestamp rules and --timezone), or a rejection naming why. Never throws.
 */
export function convertEvent(event: OcelEvent, context: OcelContext, position: Position): ReaderItem {
  const invalid = (issue: Issue): ReaderItem => ({ kind: 'invalid', position, raw: JSON.stringify(event), issue });
  const shape = shapeIssue(event);
  if (shape) return invalid(shape);
  const at = instantForOrder(event.time);
  const notes: string[] = [];
  const objects: CanonicalObject[] = [];
  for (const [i, relationship] of event.relationships.entries()) {
    const type = context.index.typeOf(relationship.objectId);
    if (type === undefined) {
      return invalid({ path: `relationships[${i}].objectId`, message: `event ${event.id} names object "${relationship.objectId}", which the log never declares`, code: 'EL_OCEL_UNKNOWN_OBJECT' });
    }
    const found = context.index.propertiesAt(relationship.objectId, at, context.types, notes);
    if ('issue' in found) return invalid(found.issue);
    const properties = found.properties;
    const object: CanonicalObject = { type, id: relationship.objectId };
    if (relationship.qualifier !== undefined && relationship.qualifier !== '') object.qualifier = relationship.qualifier;
    if (Object.keys(properties).length > 0) object.properties = properties;
    objects.push(object);
  }
  const declared = context.types.events.get(event.type);
  const properties: Record<string, unknown> = {};
  for (const attribute of event.attributes) {
    const typed = typedValue(attribute.value, declared?.get(attribute.name));
    if ('error' in typed) return invalid({ path: `attributes.${attribute.name}`, message: typed.error, code: 'EL_OCEL_VALUE_TYPE' });
    if (typed.note) notes.push(`attribute "${attribute.name}": ${typed.note}`);
    properties[attribute.name] = typed.value;
  }
  if (notes.length > 0) properties[NOTES_PROPERTY] = notes;
  const record: Record<string, unknown> = { event: event.type, timestamp: event.time, objects };
  if (Object.keys(properties).length > 0) record.properties = properties;
  record.idempotency_key = ocelEventKey(context.identity, event.id);
  return { kind: 'record', position, record };
}

function shapeIssue(event: OcelEvent): Issue | undefined {
  for (const field of ['id', 'type', 'time'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') return { path: field, message: `the event has no ${field}`, code: 'EL_OCEL_INVALID' };
  }
  return undefined;
}
