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

/** The mapping fields that may be given without event/timestamp/objects, laid over a default mapping. */
export const OVERLAY_FIELDS = ['properties', 'actor', 'idempotency_key'] as const;

/**
 * A mapping file without event/timestamp/objects, laid over a reader's default mapping (BPMN) or
 * over canonical events as they are: its actor and idempotency key replace the default's, its
 * properties are added to the default's (the file's win, key by key).
 */
export function overlayMapping(base: RecordMapper, mapping: Mapping): RecordMapper {
  const extras = compileExtras(mapping);
  return {
    columns: [...new Set([...base.columns, ...columnsOf(extras.fields)])],
    map(record, position): MapResult {
      const mapped = base.map(record, position);
      if (!mapped.ok) return mapped;
      const issues: Issue[] = [];
      const out: CanonicalEvent = { ...mapped.event };
      extras.apply(record, out, issues, mapped.event.properties);
      return issues.length > 0 ? { ok: false, issues } : { ok: true, event: out };
    },
  };
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
    ...(spec.qualifier && { qualifier: field(spec.qualifier, `${path}.qualifier`) }),
    ...(spec.properties && { properties: compileProperties(spec.properties, `${path}.properties`) }),
  };
}

function objectFields(object: CompiledObject): Field[] {
  return [object.type, object.id, ...(object.qualifier ? [object.qualifier] : []), ...(object.properties ?? [])];
}

function mapObjects(objects: CompiledObject[], record: RawRecord, issues: Issue[]): CanonicalObject[] {
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
    const object: CanonicalObject = { type: required(spec.type, record, issues) as string, id: toText(id) };
    if (spec.qualifier) {
      const qualifier = optional(spec.qualifier, record, issues);
      if (qualifier !== undefined && qualifier !== '') object.qualifier = toText(qualifier);
    }
    const properties = mapProperties(spec.properties, record, issues);
    if (properties) object.properties = properties;
    out.push(object);
  }
  if (out.length === 0 && issues.length === before) issues.push({ path: 'objects', message: 'every mapped object id is empty in this record; an event needs at least one object', code: 'EL_OBJECTS_EMPTY' });
  return out;
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
