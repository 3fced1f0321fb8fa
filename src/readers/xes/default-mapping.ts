// The default mapping of XES events to canonical events, used when no mapping file maps
// `event`/`timestamp`/`objects` (docs/process-mining.md is the user-facing description):
//   event       concept:name (+ "+" + lifecycle:transition with the lifecycleInName option)
//   timestamp   time:timestamp, under the timestamp rules (kept byte for byte with an offset; a time
//               without a zone needs --timezone)
//   objects     the case: type Case (option caseType), id = the trace's concept:name, properties =
//               the trace's other attributes, qualifier "case"; and org:resource as an object of
//               type Resource with qualifier "resource"
//   actor       org:resource
//   properties  every other event attribute under its XES key, typed; lifecycle:transition stays one
//   key         xesEventKey (src/events/keys.ts): trace id, position in the trace, name and time
import type { Issue } from '../../errors.js';
import type { CanonicalEvent, CanonicalObject } from '../../events/canonical.js';
import { xesEventKey } from '../../events/keys.js';
import { normalizeTimestamp } from '../../events/timestamp.js';
import type { MapResult, RecordMapper } from '../../mapping/types.js';
import { ObjectMaker } from './object-maker.js';
import type { XesOptions } from './options.js';

const NAME = 'concept:name';
const TIME = 'time:timestamp';
const RESOURCE = 'org:resource';
const LIFECYCLE = 'lifecycle:transition';

export function xesDefaultMapper(options: XesOptions, timezone: string | undefined): RecordMapper {
  // The events of one trace come one after another with the same trace object: its id and case
  // properties are worked out once per trace. The properties object is shared by those events
  // (nothing downstream changes an event in place; an overlay mapping copies).
  let lastTrace: unknown;
  let traceId = '';
  let caseProperties: Record<string, unknown> | undefined;
  const caseMembers = new Without(NAME);
  const eventMembers = new Without(NAME, TIME, RESOURCE);
  // Every other text of the event comes from the XML document, which cannot hold a NUL character:
  // when the two type names given as options hold none either, checkCanonical need not look.
  const nulFree = !options.caseType.includes('\u0000') && !options.resourceType.includes('\u0000');
  return {
    columns: [],
    map(record): MapResult {
      let issues: Issue[] | undefined; // most events have none: made at the first
      const attributes = (record.event ?? {}) as Record<string, unknown>;
      const name = text(attributes[NAME]) ?? '';
      if (name === '') (issues ??= []).push({ path: `event.${NAME}`, message: 'the event has no concept:name (its activity)', code: 'EL_FIELD_REQUIRED' });
      const written = text(attributes[TIME]);
      const time = normalizeTimestamp(written, 'iso', timezone);
      if (!time.ok) (issues ??= []).push({ path: 'timestamp', message: written === undefined ? 'the event has no time:timestamp' : `time:timestamp ${time.message}`, code: time.code });

      if (record.trace !== lastTrace || lastTrace === undefined) {
        lastTrace = record.trace;
        const trace = (record.trace ?? {}) as Record<string, unknown>;
        traceId = text(trace[NAME]) || `trace ${String(record.trace_index)}`;
        caseProperties = caseMembers.of(trace);
      }
      // Each object is made whole, in one literal per shape: adding members one by one made V8
      // grow each object's storage again (a sixth of what a dry run allocated per event, bench case 9).
      const caseType = options.caseType;
      const caseObject: CanonicalObject = caseProperties ? { type: caseType, id: traceId, qualifier: 'case', properties: caseProperties } : { type: caseType, id: traceId, qualifier: 'case' };
      const resource = text(attributes[RESOURCE]);
      const actor = resource !== undefined && resource !== '' ? resource : undefined;
      const objects = actor !== undefined ? [caseObject, { type: options.resourceType, id: actor, qualifier: 'resource' }] : [caseObject];
      const properties = eventProperties(eventMembers.of(attributes), record.notes);
      const key = xesEventKey(traceId, Number(record.event_index), name, written ?? '');
      const event = canonicalEvent(eventName(name, attributes, options), time.ok ? time.value : '', objects, actor, properties, key);
      // What could be built goes with the issues: a mapping file laid over this one may supply the rest.
      return issues !== undefined ? { ok: false, issues, partial: event } : { ok: true, event, nulFree };
    },
  };
}

/** The event's members in the order they always had: event, timestamp, objects, actor, properties, idempotency_key. */
function canonicalEvent(event: string, timestamp: string, objects: CanonicalObject[], actor: string | undefined, properties: Record<string, unknown> | undefined, key: string): CanonicalEvent {
  if (actor !== undefined) {
    return properties ? { event, timestamp, objects, actor: { id: actor }, properties, idempotency_key: key } : { event, timestamp, objects, actor: { id: actor }, idempotency_key: key };
  }
  return properties ? { event, timestamp, objects, properties, idempotency_key: key } : { event, timestamp, objects, idempotency_key: key };
}

/** Every attribute but those the event's own fields took, then the reader's notes; undefined when that leaves nothing. */
function eventProperties(properties: Record<string, unknown> | undefined, notes: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(notes)) return properties;
  const out = properties ?? {};
  out['xes:notes'] = notes;
  return out;
}

function eventName(name: string, attributes: Record<string, unknown>, options: XesOptions): string {
  if (!options.lifecycleInName) return name;
  const transition = text(attributes[LIFECYCLE]);
  return transition ? `${name}+${transition}` : name;
}

/** A value as text: an attribute with nested attributes ({value, attributes}) gives its own value. */
function text(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'value' in value) return text((value as { value: unknown }).value);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * An object's members but up to three keys, in their order; undefined when none is left. The rest
 * of each event (or trace) mostly has the same keys in the same order: made by an ObjectMaker.
 */
class Without {
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  private readonly objects = new ObjectMaker();

  constructor(private readonly a: string, private readonly b?: string, private readonly c?: string) {}

  of(attributes: Record<string, unknown>): Record<string, unknown> | undefined {
    const { keys, values } = this;
    let count = 0;
    for (const key in attributes) {
      if (key === this.a || key === this.b || key === this.c) continue;
      keys[count] = key;
      values[count++] = attributes[key];
    }
    return count === 0 ? undefined : this.objects.make(keys, values, count);
  }
}
