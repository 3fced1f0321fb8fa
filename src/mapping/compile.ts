// Turns a validated mapping file into a RecordMapper: record in, canonical event (or issues) out.
import type { Issue } from '../errors.js';
import type { CanonicalEvent, CanonicalObject } from '../events/canonical.js';
import { normalizeTimestamp, type TimestampFormat } from '../events/timestamp.js';
import type { RawRecord } from '../readers/types.js';
import { compileReference, type CompiledReference } from './reference.js';
import type { Mapping, Reference, TimestampSpec } from './schema.js';
import type { MapResult, RecordMapper } from './types.js';

export interface MappingOptions {
  /** `--timezone`: wins over the mapping's own timezone. */
  timezone?: string;
}

type FullMapping = Mapping & Required<Pick<Mapping, 'event' | 'timestamp' | 'objects'>>;

interface CompiledObject {
  type: CompiledReference;
  id: CompiledReference;
  qualifier?: CompiledReference;
  properties?: Array<[string, CompiledReference]>;
}

export function compileMapping(mapping: FullMapping, options: MappingOptions = {}): RecordMapper {
  const event = compileReference(mapping.event);
  const timestamp = compileTimestamp(mapping.timestamp, options.timezone);
  const objects = mapping.objects.map(compileObject);
  const properties = compileProperties(mapping.properties);
  const actor = mapping.actor && {
    id: compileReference(mapping.actor.id),
    name: mapping.actor.name === undefined ? undefined : compileReference(mapping.actor.name),
    type: mapping.actor.type === undefined ? undefined : compileReference(mapping.actor.type),
  };
  const key = mapping.idempotency_key ? compileReference(mapping.idempotency_key) : undefined;
  const all = [event, timestamp.reference, ...objects.flatMap(objectReferences), ...(properties ?? []).map(([, r]) => r), ...(actor ? [actor.id, actor.name, actor.type] : []), key];
  const columns = [...new Set(all.flatMap((reference) => reference?.columns ?? []))];

  return {
    columns,
    map(record: RawRecord): MapResult {
      const issues: Issue[] = [];
      const out: CanonicalEvent = {
        event: required(event, record, 'event', issues) as string,
        timestamp: mapTimestamp(timestamp, record, issues),
        objects: mapObjects(objects, record, issues),
      };
      const props = mapProperties(properties, record, 'properties', issues);
      if (props) out.properties = props;
      if (actor) {
        const id = optional(actor.id, record, 'actor.id', issues);
        if (id !== undefined) {
          out.actor = { id: toText(id) };
          const name = actor.name && optional(actor.name, record, 'actor.name', issues);
          const type = actor.type && optional(actor.type, record, 'actor.type', issues);
          if (name !== undefined && name !== '') out.actor.name = toText(name);
          if (type !== undefined && type !== '') out.actor.type = toText(type);
        }
      }
      if (key) {
        const value = optional(key, record, 'idempotency_key', issues);
        if (value !== undefined) out.idempotency_key = toText(value);
      }
      return issues.length > 0 ? { ok: false, issues } : { ok: true, event: out };
    },
  };
}

/** For canonical NDJSON: the record already is the event; only its timestamp is normalised. */
export function identityMapper(options: MappingOptions = {}): RecordMapper {
  return {
    columns: [],
    map(record) {
      const result = normalizeTimestamp(record.timestamp, 'auto', options.timezone);
      if (!result.ok) return { ok: false, issues: [{ path: 'timestamp', message: result.message }] };
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
  const resolved = spec.reference.resolve(record);
  if (resolved.error !== undefined) {
    issues.push({ path: 'timestamp', message: resolved.error });
    return '';
  }
  if (resolved.value === undefined || resolved.value === null) {
    issues.push({ path: 'timestamp', message: `is required, but ${spec.reference.describe} is empty (a historical import never uses "now")` });
    return '';
  }
  const result = normalizeTimestamp(resolved.value, spec.format, spec.timezone);
  if (result.ok) return result.value;
  issues.push({ path: 'timestamp', message: `${spec.reference.describe}: ${result.message}` });
  return '';
}

function compileObject(spec: NonNullable<Mapping['objects']>[number]): CompiledObject {
  return {
    type: compileReference(spec.type),
    id: compileReference(spec.id),
    ...(spec.qualifier && { qualifier: compileReference(spec.qualifier) }),
    ...(spec.properties && { properties: compileProperties(spec.properties) }),
  };
}

function objectReferences(object: CompiledObject): CompiledReference[] {
  return [object.type, object.id, ...(object.qualifier ? [object.qualifier] : []), ...(object.properties ?? []).map(([, r]) => r)];
}

function mapObjects(objects: CompiledObject[], record: RawRecord, issues: Issue[]): CanonicalObject[] {
  const out: CanonicalObject[] = [];
  const before = issues.length;
  objects.forEach((spec, index) => {
    const id = spec.id.resolve(record);
    if (id.error !== undefined) return void issues.push({ path: `objects[${index}].id`, message: id.error });
    // An object whose id is empty in this row is left out of this row's event (documented).
    if (id.value === undefined || id.value === null || id.value === '') return;
    const object: CanonicalObject = { type: required(spec.type, record, `objects[${index}].type`, issues) as string, id: toText(id.value) };
    if (spec.qualifier) {
      const qualifier = optional(spec.qualifier, record, `objects[${index}].qualifier`, issues);
      if (qualifier !== undefined && qualifier !== '') object.qualifier = toText(qualifier);
    }
    const properties = mapProperties(spec.properties, record, `objects[${index}].properties`, issues);
    if (properties) object.properties = properties;
    out.push(object);
  });
  if (out.length === 0 && issues.length === before) issues.push({ path: 'objects', message: 'every mapped object id is empty in this record; an event needs at least one object' });
  return out;
}

function compileProperties(spec: Record<string, Reference> | undefined): Array<[string, CompiledReference]> | undefined {
  return spec && Object.entries(spec).map(([name, reference]) => [name, compileReference(reference)]);
}

function mapProperties(properties: Array<[string, CompiledReference]> | undefined, record: RawRecord, path: string, issues: Issue[]): Record<string, unknown> | undefined {
  if (!properties) return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [name, reference] of properties) {
    const value = optional(reference, record, `${path}.${name}`, issues);
    if (value !== undefined) {
      out[name] = value;
      any = true;
    }
  }
  return any ? out : undefined;
}

function required(reference: CompiledReference, record: RawRecord, path: string, issues: Issue[]): unknown {
  const resolved = reference.resolve(record);
  if (resolved.error !== undefined) issues.push({ path, message: resolved.error });
  else if (resolved.value === undefined || resolved.value === null) issues.push({ path, message: `is required but ${reference.describe} is empty` });
  else return typeof resolved.value === 'string' ? resolved.value : toText(resolved.value);
  return '';
}

function optional(reference: CompiledReference, record: RawRecord, path: string, issues: Issue[]): unknown {
  const resolved = reference.resolve(record);
  if (resolved.error !== undefined) {
    issues.push({ path, message: resolved.error });
    return undefined;
  }
  return resolved.value;
}

function toText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
