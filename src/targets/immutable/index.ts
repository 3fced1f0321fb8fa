// Immutable (append-only audit log): POST /api/v1/events and /api/v1/events/batch (≤ 100).
// It deduplicates by idempotency_key ("status": "duplicate"), so a resend after a crash is safe.
import { z } from 'zod';
import { ConfigError, type Issue } from '../../errors.js';
import { toJsonText } from '../../events/exact-number.js';
import type { CanonicalEvent, CanonicalObject } from '../../events/canonical.js';
import { answerProblem, isUnconfirmed, type Reading, type Unconfirmed } from '../answer.js';
import { serverMessage } from '../errors.js';
import { createImmutableApi } from './sandbox.js';
import { changedFields, query, recordInstant } from '../read-back.js';
import type { Outcome, ReadBack, ReadPage, Response, TargetPlugin } from '../types.js';

const ACTOR_QUALIFIERS = new Set(['actor', 'initiator', 'performer']);
const MAX_METADATA_KEYS = 50;
const MAX_METADATA_BYTES = 64 * 1024; // documented by the vendor's JavaScript client

export const immutableOptionsSchema = z
  .object({
    tenant_id: z.string().min(1).optional().describe('tenant_id sent with every event'),
    session_id: z.string().min(1).optional().describe('session_id sent with every event'),
    action_category: z.string().min(1).optional().describe('action_category sent with every event'),
    version: z.number().int().optional().describe('event schema version (integer)'),
  })
  .strict();
type ImmutableOptions = z.infer<typeof immutableOptionsSchema>;

interface Roles {
  actor?: { id: string; name?: string; type?: string };
  resource?: CanonicalObject;
  others: CanonicalObject[];
}

/** Actor from `actor`, else the object qualified actor/initiator/performer; resource = object qualified target, else the first remaining. */
export function assignRoles(event: CanonicalEvent): Roles {
  let objects = [...event.objects];
  let actor = event.actor;
  if (!actor) {
    const index = objects.findIndex((object) => object.qualifier !== undefined && ACTOR_QUALIFIERS.has(object.qualifier));
    if (index >= 0) {
      const object = objects[index]!;
      const name = object.properties?.name;
      actor = { id: object.id, type: object.type, ...(typeof name === 'string' && { name }) };
      objects = objects.filter((_, i) => i !== index);
    }
  }
  let resourceIndex = objects.findIndex((object) => object.qualifier === 'target');
  if (resourceIndex < 0 && objects.length > 0) resourceIndex = 0;
  const resource = resourceIndex >= 0 ? objects[resourceIndex] : undefined;
  return { ...(actor && { actor }), ...(resource && { resource }), others: objects.filter((_, i) => i !== resourceIndex) };
}

export function immutableBody(event: CanonicalEvent, options: ImmutableOptions): Record<string, unknown> {
  const { actor, resource, others } = assignRoles(event);
  const body: Record<string, unknown> = { actor_id: actor?.id, action: event.event };
  if (actor?.name) body.actor_name = actor.name;
  if (actor?.type) body.actor_type = actor.type;
  if (resource) {
    body.resource = resource.type;
    body.resource_id = resource.id;
    if (typeof resource.properties?.name === 'string') body.resource_name = resource.properties.name;
  }
  if (others.length > 0) body.targets = others.map(toTarget);
  if (event.properties) body.metadata = event.properties;
  body.occurred_at = event.timestamp;
  if (event.idempotency_key) body.idempotency_key = event.idempotency_key;
  for (const key of ['tenant_id', 'session_id', 'action_category', 'version'] as const) {
    if (options[key] !== undefined) body[key] = options[key];
  }
  return body;
}

function toTarget(object: CanonicalObject): Record<string, unknown> {
  const target: Record<string, unknown> = { type: object.type, id: object.id };
  if (typeof object.properties?.name === 'string') target.name = object.properties.name;
  if (object.properties) target.metadata = object.properties;
  return target;
}

function check(event: CanonicalEvent): Issue[] {
  const issues: Issue[] = [];
  if (!assignRoles(event).actor) issues.push({ path: 'actor', message: 'immutable needs an actor: map "actor", or qualify an object as actor, initiator or performer', code: 'EL_IMMUTABLE_NO_ACTOR' });
  if (event.event.length > 255) issues.push({ path: 'event', message: 'immutable takes an action of at most 255 characters', code: 'EL_IMMUTABLE_ACTION_TOO_LONG' });
  const metadata = event.properties;
  if (metadata) {
    const keys = Object.keys(metadata).length;
    if (keys > MAX_METADATA_KEYS) issues.push({ path: 'properties', message: `immutable metadata takes at most ${MAX_METADATA_KEYS} keys, this event has ${keys}`, code: 'EL_IMMUTABLE_METADATA_KEYS' });
    const bytes = Buffer.byteLength(toJsonText(metadata));
    if (bytes > MAX_METADATA_BYTES) issues.push({ path: 'properties', message: `immutable metadata takes at most 64 KB, this event has ${bytes} bytes`, code: 'EL_IMMUTABLE_METADATA_SIZE' });
  }
  return issues;
}

/** A documented item: `{"id", "status": "queued" | "duplicate"}`, or a failed item `{"status": "failed", "error", "message"}`. */
const delivered = z.object({ id: z.string().min(1), status: z.enum(['queued', 'duplicate']) }).passthrough();
const failed = z
  .object({ status: z.literal('failed').optional(), error: z.string().optional(), message: z.string().optional() })
  .passthrough()
  .refine((item) => item.status === 'failed' || item.error !== undefined, { message: 'neither an id and status nor an error' });

function itemOutcome(item: unknown): Outcome | Unconfirmed {
  const ok = delivered.safeParse(item);
  if (ok.success) return { kind: ok.data.status === 'duplicate' ? 'duplicate' : 'accepted', id: ok.data.id };
  if (item && typeof item === 'object' && failed.safeParse(item).success) return { kind: 'rejected', status: 422, message: serverMessage(item, 422) };
  return { unconfirmed: `not Immutable's answer (${answerProblem(item, ok.error)})` };
}

function outcome(response: Response): Outcome | Unconfirmed {
  if (response.status >= 200 && response.status < 300) return itemOutcome(response.body);
  return { kind: 'rejected', status: response.status, message: serverMessage(response.body, response.status) };
}

const batchAnswer = z.object({ events: z.array(z.unknown()) }).passthrough();

/**
 * One item per event, in order. An answer with fewer or more items, or an item that is neither a
 * delivery nor a failure, confirms nothing: Immutable deduplicates by idempotency_key, so the
 * whole batch is sent again and what it had stored comes back "duplicate".
 */
function outcomes(response: Response, count: number): Reading {
  if (response.status < 200 || response.status >= 300) return Array.from({ length: count }, () => outcome(response) as Outcome);
  const parsed = batchAnswer.safeParse(response.body);
  if (!parsed.success) return { unconfirmed: `not Immutable's batch answer (${answerProblem(response.body, parsed.error)})` };
  const items = parsed.data.events;
  if (items.length !== count) return { unconfirmed: `the batch answer has ${items.length} results for ${count} events` };
  const result: Outcome[] = [];
  for (const item of items) {
    const read = itemOutcome(item);
    if (isUnconfirmed(read)) return { unconfirmed: `result ${result.length}: ${read.unconfirmed}` };
    result.push(read);
  }
  return result;
}

const READ_PAGE = 100; // the most the list endpoint serves per page
const listAnswer = z
  .object({
    data: z.array(z.record(z.string(), z.unknown())),
    pagination: z.object({ has_more: z.boolean(), next_cursor: z.string().min(1).nullish() }).passthrough(),
  })
  .passthrough();

/**
 * GET /api/v1/events, cursor paging, in the window (`from`/`to`) and the tenant the import wrote
 * to; matched on idempotency_key, which every event eventload sends carries.
 */
function immutableReadBack(options: ImmutableOptions): ReadBack {
  const path = '/api/v1/events';
  const base = (window: { from?: number; until?: number }) => ({
    limit: READ_PAGE,
    tenant_id: options.tenant_id,
    from: window.from === undefined ? undefined : new Date(window.from).toISOString(),
    // `to` is not documented as inclusive or not: the bound is asked for, and verify drops what lies past it.
    to: window.until === undefined ? undefined : new Date(window.until).toISOString(),
  });
  return {
    endpoint: `GET ${path}`,
    firstPage: (window) => `${path}?${query(base(window))}`,
    page(body, requested): ReadPage | Unconfirmed {
      const parsed = listAnswer.safeParse(body);
      if (!parsed.success) return { unconfirmed: `not Immutable's list of events (${answerProblem(body, parsed.error)})` };
      const { data, pagination } = parsed.data;
      if (!pagination.has_more) return { records: data };
      const cursor = pagination.next_cursor;
      if (!cursor) return { unconfirmed: 'pagination.has_more is true but next_cursor is empty' };
      const search = new URLSearchParams(requested.slice(requested.indexOf('?') + 1));
      if (search.get('cursor') === cursor) return { unconfirmed: `next_cursor ${JSON.stringify(cursor)} is the page just read: the paging does not advance` };
      search.set('cursor', cursor);
      return { records: data, next: `${path}?${search.toString()}` };
    },
    identify: (record) => ({
      key: typeof record.idempotency_key === 'string' && record.idempotency_key !== '' ? record.idempotency_key : undefined,
      time: recordInstant(record, 'occurred_at'),
    }),
    expected: async (event) => ({ key: event.idempotency_key!, body: immutableBody(event, options) }),
    differences: (sent, record) => changedFields(sent, record, ['occurred_at']),
  };
}

export const immutableTarget = {
  name: 'immutable',
  description: "Immutable audit log: POST /api/v1/events, batches of up to 100, deduplicated by idempotency_key",
  defaultEndpoint: 'https://getimmutable.dev',
  maxBatchSize: 100,
  credentials: [{ key: 'token', variable: 'IMMUTABLE_API_KEY', help: 'imk_...' }],
  optionsSchema: immutableOptionsSchema,
  check,
  async connect(_client, credentials, options) {
    const key = credentials.env.IMMUTABLE_API_KEY ?? '';
    if (!key && !credentials.dryRun) throw new ConfigError('IMMUTABLE_API_KEY is not set (an API key starting imk_)', 'EL_NO_TOKEN');
    if (/\s/.test(key)) throw new ConfigError('IMMUTABLE_API_KEY contains white space; check how it was exported', 'EL_BAD_TOKEN');
    return {
      authHeaders: async () => ({ authorization: `Bearer ${key}` }),
      single: { path: '/api/v1/events', body: (event) => immutableBody(event, options), outcome },
      batch: { path: '/api/v1/events/batch', body: (events) => ({ events: events.map((event) => immutableBody(event, options)) }), outcomes },
    };
  },
  sandbox: {
    createApi: createImmutableApi,
    defaultToken: 'imk_sandbox_0123456789abcdef',
    environment: (token) => ({ env: { IMMUTABLE_API_KEY: token } }),
    defaultRateLimit: null, // none documented
  },
  readBack: (_session, options) => immutableReadBack(options),
} satisfies TargetPlugin<ImmutableOptions>;
