// Turns a validated mapping file into a RecordMapper: record in, canonical event (or issues) out.
import type { Issue } from '../errors.js';
import type { CanonicalEvent, CanonicalObject } from '../events/canonical.js';
import { ExactNumber, toJsonText } from '../events/exact-number.js';
import { normalizeTimestamp, type TimestampFormat } from '../events/timestamp.js';
import { compileReference, Unconvertible, type CompiledReference } from './reference.js';
import type { Mapping, Reference, TimestampSpec } from './schema.js';
import type { MapResult, RawRecord, RecordMapper } from './types.js';

export interface MappingOptions {
  /** `--timezone`: wins over the mapping's own timezone. */
  timezone?: string;
}

type FullMapping = Mapping & Required<Pick<Mapping, 'event' | 'timestamp' | 'objects'>>;

/** A reference with the path its issues are reported under (built once, not per row). */
interface Field {
  reference: CompiledReference;
  path: string;
}

interface CompiledProperty extends Field {
  name: string;
}

interface CompiledObject {
  type: Field;
  id: Field;
  /** The id is mapped `"as": "list"`: one object per element (flattened OCEL list columns). */
  each: boolean;
  qualifier?: Field;
  properties?: CompiledProperty[];
}

export function compileMapping(mapping: FullMapping, options: MappingOptions = {}): RecordMapper {
  const event = field(mapping.event, 'event');
  const timestamp = compileTimestamp(mapping.timestamp, options.timezone);
  const objects = mapping.objects.map(compileObject);
  const extras = compileExtras(mapping);
  const all = [event, timestamp, ...objects.flatMap(objectFields), ...extras.fields];

  return {
    columns: columnsOf(all),
    map(record: RawRecord): MapResult {
      const issues: Issue[] = [];
      const out: CanonicalEvent = {
        event: required(event, record, issues) as string,
        timestamp: mapTimestamp(timestamp, record, issues),
        objects: mapObjects(objects, record, issues),
      };
      extras.apply(record, out, issues);
      return issues.length > 0 ? { ok: false, issues } : { ok: true, event: out };
    },
  };
}

/** The mapping fields a file may give alone, laid over a format's default mapping. */
export const OVERLAY_FIELDS = ['event', 'timestamp', 'objects', 'properties', 'actor', 'idempotency_key'] as const;

/**
 * A mapping file that does not map all of event, timestamp and objects, laid over a reader's default
 * mapping (XES, BPMN...) or over canonical events as they are. Never ignored, field by field:
 *   - event, timestamp, actor, idempotency_key: the file's replace the default's;
 *   - properties: added to the default's, the file's winning name by name;
 *   - objects: each of the file's objects replaces the default's object with the same qualifier,
 *     and is added when the default has none with that qualifier.
 * A default that fails only on fields the file maps (an XES event without concept:name, when the
 * file maps `event`) is not a failure: the file supplies them. docs/mapping.md describes it.
 */
export function overlayMapping(base: RecordMapper, mapping: Mapping, options: MappingOptions = {}): RecordMapper {
  const event = mapping.event === undefined ? undefined : field(mapping.event, 'event');
  const timestamp = mapping.timestamp === undefined ? undefined : compileTimestamp(mapping.timestamp, options.timezone);
  const objects = mapping.objects?.map(compileObject);
  const extras = compileExtras(mapping);
  const given = new Set<string>(OVERLAY_FIELDS.filter((key) => mapping[key] !== undefined));
  const fields = [event, timestamp, ...(objects ?? []).flatMap(objectFields), ...extras.fields];
  return {
    columns: [...new Set([...base.columns, ...columnsOf(fields)])],
    map(record, position): MapResult {
      const mapped = base.map(record, position);
      let start: CanonicalEvent;
      if (mapped.ok) start = mapped.event;
      else if (mapped.partial && mapped.issues.every((issue) => given.has(fieldOf(issue.path)))) start = mapped.partial;
      else return mapped;
      const issues: Issue[] = [];
      const out: CanonicalEvent = { ...start };
      if (event) out.event = required(event, record, issues) as string;
      if (timestamp) out.timestamp = mapTimestamp(timestamp, record, issues);
      if (objects) out.objects = mergeObjects(start.objects ?? [], mapObjects(objects, record, issues, (start.objects ?? []).length > 0));
      extras.apply(record, out, issues, start.properties);
      return issues.length > 0 ? { ok: false, issues } : { ok: true, event: out };
    },
  };
}

/** The canonical field an issue is about: `objects[0].id` → objects, `event.concept:name` → event. */
function fieldOf(path: string): string {
  return /^[a-z_]+/.exec(path)?.[0] ?? path;
}

/** The file's objects over the default's: same qualifier replaces, a new one is added. */
function mergeObjects(defaults: CanonicalObject[], own: CanonicalObject[]): CanonicalObject[] {
  const out = [...defaults];
  for (const object of own) {
    const at = object.qualifier === undefined ? -1 : out.findIndex((known) => known.qualifier === object.qualifier);
    if (at === -1) out.push(object);
    else out[at] = object;
  }
  return out;
}

function columnsOf(fields: Array<{ reference: CompiledReference } | undefined>): string[] {
  return [...new Set(fields.flatMap((f) => f?.reference.columns ?? []))];
}

/** properties, actor and idempotency_key: compiled once, applied to an event per record. */
function compileExtras(mapping: Mapping) {
  const properties = compileProperties(mapping.properties, 'properties');
  const actor = mapping.actor && {
    id: field(mapping.actor.id, 'actor.id'),
    name: mapping.actor.name === undefined ? undefined : field(mapping.actor.name, 'actor.name'),
    type: mapping.actor.type === undefined ? undefined : field(mapping.actor.type, 'actor.type'),
  };
  const key = mapping.idempotency_key ? field(mapping.idempotency_key, 'idempotency_key') : undefined;
  return {
    fields: [...(properties ?? []), ...(actor ? [actor.id, actor.name, actor.type] : []), key],
    apply(record: RawRecord, out: CanonicalEvent, issues: Issue[], baseProperties?: Record<string, unknown>): void {
      const props = mapProperties(properties, record, issues);
      if (props) out.properties = { ...baseProperties, ...props };
      if (actor) {
        const id = optional(actor.id, record, issues);
        if (id !== undefined) {
          out.actor = { id: toText(id) };
          const name = actor.name && optional(actor.name, record, issues);
          const type = actor.type && optional(actor.type, record, issues);
          if (name !== undefined && name !== '') out.actor.name = toText(name);
          if (type !== undefined && type !== '') out.actor.type = toText(type);
        }
      }
      if (key) {
        const value = optional(key, record, issues);
        if (value !== undefined) out.idempotency_key = toText(value);
      }
    },
  };
}

/** For canonical NDJSON: the record already is the event; only its timestamp is normalised. */
export function identityMapper(options: MappingOptions = {}): RecordMapper {
  return {
    columns: [],
    map(record) {
      const result = normalizeTimestamp(record.timestamp, 'auto', options.timezone);
      if (!result.ok) return { ok: false, issues: [{ path: 'timestamp', message: result.message, code: result.code }] };
      return { ok: true, event: { ...(record as unknown as CanonicalEvent), timestamp: result.value } };
    },
  };
}

interface CompiledTimestamp {
  reference: CompiledReference;
  format: TimestampFormat;
  timezone: string | undefined;
}

function compileTimestamp(spec: Reference | TimestampSpec, timezone: string | undefined): CompiledTimestamp {
  if (typeof spec === 'object' && 'column' in spec && ('format' in spec || 'timezone' in spec)) {
    const full = spec as TimestampSpec;
    return { reference: compileReference(full.column), format: full.format ?? 'auto', timezone: timezone ?? full.timezone };
  }
  return { reference: compileReference(spec as Reference), format: 'auto', timezone };
}

function mapTimestamp(spec: CompiledTimestamp, record: RawRecord, issues: Issue[]): string {
  const value = spec.reference.get(record);
  if (value instanceof Unconvertible) {
    issues.push({ path: 'timestamp', message: value.error, code: value.code });
    return '';
  }
  if (value === undefined || value === null) {
    issues.push({ path: 'timestamp', message: `is required, but ${spec.reference.describe} is empty (a historical import never uses "now")`, code: 'EL_TIMESTAMP_MISSING' });
    return '';
  }
  const result = normalizeTimestamp(value, spec.format, spec.timezone);
  if (result.ok) return result.value;
  issues.push({ path: 'timestamp', message: `${spec.reference.describe}: ${result.message}`, code: result.code });
  return '';
}

function field(reference: Reference, path: string): Field {
  return { reference: compileReference(reference), path };
}

function compileObject(spec: NonNullable<Mapping['objects']>[number], index: number): CompiledObject {
  const path = `objects[${index}]`;
  return {
    type: field(spec.type, `${path}.type`),
    id: field(spec.id, `${path}.id`),
    each: typeof spec.id === 'object' && 'as' in spec.id && spec.id.as === 'list',
    ...(spec.qualifier && { qualifier: field(spec.qualifier, `${path}.qualifier`) }),
    ...(spec.properties && { properties: compileProperties(spec.properties, `${path}.properties`) }),
  };
}

function objectFields(object: CompiledObject): Field[] {
  return [object.type, object.id, ...(object.qualifier ? [object.qualifier] : []), ...(object.properties ?? [])];
}

/** `mayBeEmpty`: laid over a default that has objects already, a file's objects may all be empty in a record. */
function mapObjects(objects: CompiledObject[], record: RawRecord, issues: Issue[], mayBeEmpty = false): CanonicalObject[] {
  const out: CanonicalObject[] = [];
  const before = issues.length;
  for (const spec of objects) {
    const id = spec.id.reference.get(record);
    if (id instanceof Unconvertible) {
      issues.push({ path: spec.id.path, message: id.error, code: id.code });
      continue;
    }
    // An object whose id is empty in this row is left out of this row's event (documented).
    if (id === undefined || id === null || id === '') continue;
    if (spec.each && Array.isArray(id)) {
      // A list: one object per element, all alike but for the id; an empty list adds none.
      for (const one of id) if (one !== '') out.push(makeObject(spec, one, record, issues));
    } else out.push(makeObject(spec, id, record, issues));
  }
  if (out.length === 0 && issues.length === before && !mayBeEmpty) issues.push({ path: 'objects', message: 'every mapped object id is empty in this record; an event needs at least one object', code: 'EL_OBJECTS_EMPTY' });
  return out;
}

function makeObject(spec: CompiledObject, id: unknown, record: RawRecord, issues: Issue[]): CanonicalObject {
  const object: CanonicalObject = { type: required(spec.type, record, issues) as string, id: toText(id) };
  if (spec.qualifier) {
    const qualifier = optional(spec.qualifier, record, issues);
    if (qualifier !== undefined && qualifier !== '') object.qualifier = toText(qualifier);
  }
  const properties = mapProperties(spec.properties, record, issues);
  if (properties) object.properties = properties;
  return object;
}

function compileProperties(spec: Record<string, Reference> | undefined, path: string): CompiledProperty[] | undefined {
  return spec && Object.entries(spec).map(([name, reference]) => ({ name, ...field(reference, `${path}.${name}`) }));
}

function mapProperties(properties: CompiledProperty[] | undefined, record: RawRecord, issues: Issue[]): Record<string, unknown> | undefined {
  if (!properties) return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const property of properties) {
    const value = optional(property, record, issues);
    if (value !== undefined) {
      out[property.name] = value;
      any = true;
    }
  }
  return any ? out : undefined;
}

function required({ reference, path }: Field, record: RawRecord, issues: Issue[]): unknown {
  const value = reference.get(record);
  if (value instanceof Unconvertible) issues.push({ path, message: value.error, code: value.code });
  else if (value === undefined || value === null) issues.push({ path, message: `is required but ${reference.describe} is empty`, code: 'EL_FIELD_REQUIRED' });
  else return typeof value === 'string' ? value : toText(value);
  return '';
}

function optional({ reference, path }: Field, record: RawRecord, issues: Issue[]): unknown {
  const value = reference.get(record);
  if (value instanceof Unconvertible) {
    issues.push({ path, message: value.error, code: value.code });
    return undefined;
  }
  return value;
}

/** A value as text for an id or a name: an exact number as its digits, an object as its JSON. */
function toText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' && !(value instanceof ExactNumber) ? toJsonText(value) : String(value);
}
