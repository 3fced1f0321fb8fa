// The BPMN raw event as IBM documents it ("BPMN raw event formats", Business Automation Workflow /
// Cloud Pak for Business Automation), checked attribute by attribute.
//
// IBM names attributes with dots (`context.bpm.starting-process-instance`), and dumps hold them
// either as keys containing the dot inside a nested object ({"context": {"bpm.starting-process-instance": …}})
// or fully nested ({"context": {"bpm": {"starting-process-instance": …}}}). Both are read: each
// attribute is looked up like the mapping getter does (exact key first, then nested), and the schema
// checks that flat view, so an issue names the attribute the way the documentation does.
import { z } from 'zod';
import type { Issue } from '../../errors.js';
import { zodIssues } from '../../events/canonical.js';
import { isStrictOffsetDateTime, normalizeTimestamp } from '../../events/timestamp.js';
import type { RawRecord } from '../../mapping/types.js';

const TIMESTAMP_MESSAGE = 'must be an ISO 8601 date-time with its offset, as yyyy-mm-ddThh:mm:ss.nnn±hh:mm';
// Sequence ids and instance ids are numbers in some dumps and strings in others.
const DIGITS = /^\d+$/;

const text = z.string({ error: 'must be a string' }).min(1, 'must not be empty');
const optionalText = z.string({ error: 'must be a string' }).optional();
const identifier = z.preprocess((value) => (typeof value === 'number' ? String(value) : value), z.string({ error: 'must be a string or number' }).min(1, 'must not be empty'));
const counter = z.preprocess((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value), z.number({ error: 'must be a number' }));
const dateTime = z
  .string({ error: 'must be a string' })
  .refine(isStrictOffsetDateTime, { error: TIMESTAMP_MESSAGE, abort: true })
  .refine((value) => normalizeTimestamp(value, 'iso', undefined).ok, 'is not a valid calendar date-time');

/** One element of the model hierarchy: the event's source, then `parent` up to the process app. */
export interface BpmnNode {
  type?: string | undefined;
  id?: string | undefined;
  'bpm.name'?: string | undefined;
  'bpm.version'?: string | undefined;
  'bpm.snapshot-name'?: string | undefined;
  'instance.id'?: string | undefined;
  'instance.bpm.state'?: string | undefined;
  parent?: BpmnNode | undefined;
}

const parentSchema: z.ZodType<BpmnNode | undefined> = z.lazy(() =>
  z
    .object(
      {
        type: optionalText,
        id: identifier.optional(),
        'bpm.name': optionalText,
        'bpm.version': optionalText,
        'bpm.snapshot-name': optionalText,
        'instance.id': identifier.optional(),
        'instance.bpm.state': optionalText,
        parent: parentSchema,
      },
      { error: 'must be an object' },
    )
    .optional(),
);

const trackedFieldSchema = z.object(
  {
    name: text,
    id: identifier.optional(),
    type: optionalText,
    content: z.unknown(),
  },
  { error: 'must be an object' },
);

const trackingPointSchema = z.object(
  {
    name: optionalText,
    'tracking-group': z.union([text, z.object({ name: optionalText, id: identifier.optional() })], { error: 'must be a string or an object' }).optional(),
    'tracked-field': z.array(trackedFieldSchema, { error: 'must be a list' }).optional(),
  },
  { error: 'must be an object' },
);

export const bpmnEventSchema = z.object({
  'business-events-envelope-version': text,
  'business-events-extension-version': z.string({ error: 'must be a string' }).startsWith('bpmn/', 'must start with "bpmn/"'),
  id: text,
  timestamp: dateTime,
  category: text,
  type: text,
  'bpm.sequenceId': counter,
  // Documented as required, but eventload never reads it: a dump without it still loads.
  'bpm.createdHighResolutionTimestamp': counter.optional(),
  'bpm.atRiskDate': dateTime.optional(),
  'bpm.dueDate': dateTime.optional(),
  context: z.object({
    'trace-id': optionalText,
    'span-id': optionalText,
    'bpm.starting-process-instance': identifier,
  }),
  source: z.object({
    type: text,
    id: identifier,
    'bpm.name': optionalText,
    'bpm.version': optionalText,
    'bpm.snapshot-name': optionalText,
    'instance.id': identifier.optional(),
    'instance.bpm.state': optionalText,
    parent: parentSchema,
  }),
  'system.id': identifier.optional(),
  user: z
    .object({
      id: identifier,
      'bpm.role': optionalText,
      'bpm.name': optionalText,
    })
    .optional(),
  'data.bpm.tracking-point': trackingPointSchema.optional(),
});

export type BpmnEvent = z.infer<typeof bpmnEventSchema>;
export type TrackedField = NonNullable<NonNullable<BpmnEvent['data.bpm.tracking-point']>['tracked-field']>[number];

export type BpmnCheck = { ok: true; event: BpmnEvent } | { ok: false; issues: Issue[] };

/** Checks a raw record against the documented attributes; issues name the attribute, e.g. `context.bpm.starting-process-instance`. */
export function checkBpmnEvent(record: RawRecord): BpmnCheck {
  const known = checked.get(record);
  if (known !== undefined) return { ok: true, event: known };
  // reportInput: zodIssues tells a missing attribute from a wrong one by the issue's input.
  const parsed = bpmnEventSchema.safeParse(viewOf(record), { reportInput: true });
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  checked.set(record, parsed.data);
  return { ok: true, event: parsed.data };
}

// The reader checks each record and the default mapping needs the checked view of the same record:
// remembered here so it is built once. Records are never changed after reading.
const checked = new WeakMap<RawRecord, BpmnEvent>();

/** Recognises a dump of BPMN raw events from its first bytes. */
export function looksLikeBpmn(head: string): boolean {
  return /"business-events-extension-version"\s*:\s*"bpmn\//.test(head);
}

const TOP_LEVEL = [
  'business-events-envelope-version',
  'business-events-extension-version',
  'id',
  'timestamp',
  'category',
  'type',
  'bpm.sequenceId',
  'bpm.createdHighResolutionTimestamp',
  'bpm.atRiskDate',
  'bpm.dueDate',
  'system.id',
] as const;
const NODE = ['type', 'id', 'bpm.name', 'bpm.version', 'bpm.snapshot-name', 'instance.id', 'instance.bpm.state'] as const;
// The hierarchy is activity → (sub)process → process app: a few levels. Deeper is cut off here.
const MAX_PARENTS = 32;

/**
 * Looks an attribute up the way the mapping getter does (exact key first, then at each level the
 * longest key that exists), but with every way of splitting the path into keys worked out once:
 * this runs for some thirty attributes per record.
 */
const resolvers = new Map<string, (record: RawRecord) => unknown>();
function get(record: RawRecord, path: string): unknown {
  let resolve = resolvers.get(path);
  if (resolve === undefined) {
    resolve = resolver(path);
    resolvers.set(path, resolve);
  }
  return resolve(record);
}

function resolver(path: string): (record: RawRecord) => unknown {
  const segments = path.split('.');
  if (segments.length === 1) return (record) => record[path];
  const splits: string[][] = [];
  const split = (from: number, keys: string[]): void => {
    if (from === segments.length) return void splits.push(keys);
    for (let end = segments.length; end > from; end--) split(end, [...keys, segments.slice(from, end).join('.')]);
  };
  split(0, []);
  return (record) => {
    for (const keys of splits) {
      let value: unknown = record;
      for (const key of keys) {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
          value = undefined;
          break;
        }
        value = (value as RawRecord)[key];
      }
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

function isObject(value: unknown): value is RawRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The flat view the schema checks: every documented attribute under its documented name. */
function viewOf(record: RawRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const path of TOP_LEVEL) view[path] = get(record, path);
  view.context = {
    'trace-id': get(record, 'context.trace-id'),
    'span-id': get(record, 'context.span-id'),
    'bpm.starting-process-instance': get(record, 'context.bpm.starting-process-instance'),
  };
  const source = get(record, 'source');
  view.source = isObject(source) ? nodeView(source, 0) : source;
  const user = { id: get(record, 'user.id'), 'bpm.role': get(record, 'user.bpm.role'), 'bpm.name': get(record, 'user.bpm.name') };
  if (user.id !== undefined || user['bpm.role'] !== undefined || user['bpm.name'] !== undefined) view.user = user;
  const point = get(record, 'data.bpm.tracking-point');
  view['data.bpm.tracking-point'] = isObject(point) ? trackingPointView(point) : point;
  return view;
}

function nodeView(node: RawRecord, depth: number): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const path of NODE) view[path] = get(node, path);
  const parent = node.parent;
  if (depth < MAX_PARENTS) view.parent = isObject(parent) ? nodeView(parent, depth + 1) : parent;
  return view;
}

function trackingPointView(point: RawRecord): Record<string, unknown> {
  const fields = get(point, 'tracked-field');
  return {
    name: get(point, 'name'),
    'tracking-group': get(point, 'tracking-group'),
    // A single tracked field is sometimes written without its list.
    'tracked-field': isObject(fields) ? [fields] : fields,
  };
}
