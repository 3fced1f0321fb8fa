// Immutable emulation (https://docs.getimmutable.dev/api-reference/ingest-event): an append-only
// audit log that answers 202, deduplicates by idempotency key ("duplicate" with the original id),
// and can be read back page by page so an import can be reconciled against it.
import { toJsonText } from '../../events/exact-number.js';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Reply, Route, TargetApi, TargetContext } from '../../sandbox/types.js';
import { isIso8601, isPlainObject, toPathMessages } from '../../sandbox/validation.js';

const MAX_BATCH = 100;
const MAX_METADATA_KEYS = 50; // documented by the vendor's JavaScript client
const MAX_METADATA_BYTES = 64 * 1024; // 64 KB serialized, same source
const DEFAULT_PAGE = 50; // undocumented; the page size when `limit` is absent
const MAX_PAGE = 100;

/** Messages read "required" when the field is absent and "must be …" when it has the wrong type. */
const expect = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `must be ${what}`),
});
const requiredText = z.string(expect('a string')).min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const optionalText = z.string(expect('a string')).max(255, 'must be at most 255 characters').nullish();

const metadata = z
  .record(z.string(), z.unknown(), expect('an object'))
  .refine((value) => Object.keys(value).length <= MAX_METADATA_KEYS, `must have at most ${MAX_METADATA_KEYS} keys`)
  .refine((value) => Buffer.byteLength(toJsonText(value)) <= MAX_METADATA_BYTES, 'must be at most 64 KB');

const target = z.object(
  { type: requiredText, id: optionalText, name: optionalText, metadata: metadata.nullish() },
  expect('an object'),
);

// Unknown fields are ignored (undocumented; the safe reading of a JSON API).
const eventSchema = z.object(
  {
    actor_id: requiredText,
    action: requiredText,
    actor_name: optionalText,
    actor_type: optionalText,
    action_category: optionalText,
    resource: optionalText,
    resource_id: optionalText,
    resource_name: optionalText,
    session_id: optionalText,
    tenant_id: optionalText,
    metadata: metadata.nullish(),
    targets: z.array(target, expect('an array')).nullish(),
    occurred_at: z.string(expect('a string')).refine(isIso8601, 'must be an ISO 8601 date-time').nullish(),
    idempotency_key: z.string(expect('a string')).min(1, 'must not be empty').max(255).nullish(),
    version: z.number(expect('an integer')).int('must be an integer').nullish(),
  },
  expect('a JSON object'),
);

/** Outcome of one event; the `failed` item in batch answers is undocumented, so this is our choice. */
type EventResult =
  | { id: string; status: 'queued' | 'duplicate' }
  | { status: 'failed'; error: 'validation_failed'; message: string };

type LogRecord = Record<string, unknown> & { id: string; occurred_at: string };

const errors = {
  unauthorized: failure(401, 'unauthenticated', 'Invalid API key'),
  not_found: failure(404, 'not_found', 'Route not found'),
  method_not_allowed: failure(405, 'method_not_allowed', 'Method not allowed'),
  too_large: failure(413, 'payload_too_large', 'Request body exceeds 1 MiB'),
  invalid_json: failure(400, 'invalid_json', 'Request body is not valid JSON'),
  rate_limited: failure(429, 'rate_limited', 'Too many requests'),
  internal: failure(500, 'internal_error', 'Internal server error'),
  unavailable: failure(503, 'service_unavailable', 'Service temporarily unavailable'),
} satisfies TargetApi['errors'];

export function createImmutableApi(context: TargetContext): TargetApi {
  const log: LogRecord[] = [];
  const idsByKey = new Map<string, string>();

  /** Validates and appends one event; a key seen before returns the original id, stores nothing. */
  function ingest(body: unknown, fallbackKey: string | undefined): EventResult {
    const parsed = eventSchema.safeParse(body);
    if (!parsed.success) {
      return { status: 'failed', error: 'validation_failed', message: toPathMessages(parsed.error.issues) };
    }
    const key = parsed.data.idempotency_key ?? fallbackKey;
    const original = key === undefined ? undefined : idsByKey.get(key);
    if (original !== undefined) return { id: original, status: 'duplicate' };
    const id = randomUUID();
    // The drop fault: answered like any stored event, kept nowhere (a later resend is not a duplicate).
    if (context.drops({ id, key, body: body as Record<string, unknown> })) return { id, status: 'queued' };
    const createdAt = new Date().toISOString();
    log.push({ ...parsed.data, id, occurred_at: parsed.data.occurred_at ?? createdAt, idempotency_key: key ?? null, created_at: createdAt });
    if (key !== undefined) idsByKey.set(key, id);
    context.commit({ id, key, body: body as Record<string, unknown> });
    return { id, status: 'queued' };
  }

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/api/v1/events',
      ingest: true,
      handle({ body, idempotencyKey }) {
        const result = ingest(body, idempotencyKey);
        if (result.status === 'failed') return { status: 422, body: { error: result.error, message: result.message } };
        return { status: 202, body: result };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/events/batch',
      ingest: true,
      handle({ body }) {
        const events = batchEvents(body);
        if (typeof events === 'string') return failure(422, 'validation_failed', events);
        // Items carry their own idempotency_key; one request header cannot stand for many events.
        return { status: 202, body: { events: events.map((event) => ingest(event, undefined)) } };
      },
    },
    { method: 'GET', path: '/api/v1/events', handle: ({ query }) => listEvents(log, query) },
  ];

  return {
    routes,
    authenticate: (headers) => (bearer(headers) === context.token ? context.token : undefined),
    errors,
    sendsRetryAfter: true,
    sendsRateLimitHeaders: false,
  };
}

/** The batch's events, or the message explaining why the batch as a whole is refused. */
function batchEvents(body: unknown): unknown[] | string {
  if (!isPlainObject(body)) return 'body: must be a JSON object';
  const { events } = body;
  if (events === undefined) return 'events: required';
  if (!Array.isArray(events)) return 'events: must be an array';
  if (events.length === 0) return 'events: must contain at least 1 event';
  if (events.length > MAX_BATCH) return `events: must contain at most ${MAX_BATCH} events`;
  return events;
}

/** GET /api/v1/events: filters, then a page; the cursor is opaque to clients (an offset here). */
function listEvents(log: readonly LogRecord[], query: URLSearchParams): Reply {
  const limit = query.has('limit') ? Number(query.get('limit')) : DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    return failure(422, 'validation_failed', `limit: must be an integer from 1 to ${MAX_PAGE}`);
  }
  const offset = decodeCursor(query.get('cursor'));
  if (offset === undefined) return failure(422, 'validation_failed', 'cursor: invalid');
  const range = timeRange(query);
  if (typeof range === 'string') return failure(422, 'validation_failed', range);
  const matching = log.filter((record) => {
    for (const field of ['actor_id', 'action', 'resource_id', 'tenant_id']) {
      const wanted = query.get(field);
      if (wanted !== null && record[field] !== wanted) return false;
    }
    const at = Date.parse(record.occurred_at);
    return at >= range.from && at <= range.to;
  });
  const data = matching.slice(offset, offset + limit);
  const hasMore = offset + limit < matching.length;
  return {
    status: 200,
    body: {
      data,
      pagination: { has_more: hasMore, next_cursor: hasMore ? encodeCursor(offset + limit) : null, total: matching.length },
    },
  };
}

function timeRange(query: URLSearchParams): { from: number; to: number } | string {
  const bound = (name: string, fallback: number): number | string => {
    const value = query.get(name);
    if (value === null) return fallback;
    return isIso8601(value) ? Date.parse(value) : `${name}: must be an ISO 8601 date-time`;
  };
  const from = bound('from', -Infinity);
  const to = bound('to', Infinity);
  if (typeof from === 'string') return from;
  if (typeof to === 'string') return to;
  return { from, to };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null || cursor === '') return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    return Number.isInteger(offset) && (offset as number) >= 0 ? (offset as number) : undefined;
  } catch {
    return undefined;
  }
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
}

function failure(status: number, error: string, message: string): Reply {
  return { status, body: { error, message } };
}
