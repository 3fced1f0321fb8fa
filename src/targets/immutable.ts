// Immutable (append-only audit log): POST /api/v1/events and /api/v1/events/batch (≤ 100).
// It deduplicates by idempotency_key ("status": "duplicate"), so a resend after a crash is safe.
import { z } from 'zod';
import { ConfigError, type Issue } from '../errors.js';
import type { CanonicalEvent, CanonicalObject } from '../events/canonical.js';
import { serverMessage } from './errors.js';
import type { Outcome, Response, TargetPlugin } from './types.js';

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
    const bytes = Buffer.byteLength(JSON.stringify(metadata));
    if (bytes > MAX_METADATA_BYTES) issues.push({ path: 'properties', message: `immutable metadata takes at most 64 KB, this event has ${bytes} bytes`, code: 'EL_IMMUTABLE_METADATA_SIZE' });
  }
  return issues;
}

function itemOutcome(item: unknown, status: number): Outcome {
  const object = (item ?? {}) as { id?: unknown; status?: unknown };
  const id = typeof object.id === 'string' ? object.id : undefined;
  if (object.status === 'duplicate') return { kind: 'duplicate', ...(id && { id }) };
  if (object.status === 'queued' || (object.status === undefined && id)) return { kind: 'accepted', ...(id && { id }) };
  return { kind: 'rejected', status: status >= 300 ? status : 422, message: serverMessage(item, 422) };
}

function outcome(response: Response): Outcome {
  if (response.status >= 200 && response.status < 300) return itemOutcome(response.body, response.status);
  return { kind: 'rejected', status: response.status, message: serverMessage(response.body, response.status) };
}

function outcomes(response: Response, count: number): Outcome[] {
  if (response.status < 200 || response.status >= 300) return Array.from({ length: count }, () => outcome(response));
  const items = (response.body as { events?: unknown[] } | undefined)?.events ?? [];
  return Array.from({ length: count }, (_, index): Outcome =>
    index < items.length ? itemOutcome(items[index], response.status) : { kind: 'rejected', status: response.status, message: 'the batch answer has no result for this event' },
  );
}

export const immutableTarget = {
  name: 'immutable',
  description: "Immutable audit log: POST /api/v1/events, batches of up to 100, deduplicated by idempotency_key",
  defaultEndpoint: 'https://getimmutable.dev',
  maxBatchSize: 100,
  envVars: ['IMMUTABLE_API_KEY'],
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
} satisfies TargetPlugin<ImmutableOptions>;
