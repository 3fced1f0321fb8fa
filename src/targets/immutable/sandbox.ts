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
  const totals = new FilterTotals();

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
    { method: 'GET', path: '/api/v1/events', handle: ({ query }) => listEvents(log, totals, query) },
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

/**
 * GET /api/v1/events: filters, then a page. The cursor is opaque to clients: here the position in
 * the log after the page's last record, so a page is found without rescanning what came before it
 * (paging through a million events reads the log once, not once per page), and records stored while
 * a client pages are not skipped or served twice. `total` is counted per filter as the log grows.
 */
function listEvents(log: readonly LogRecord[], totals: FilterTotals, query: URLSearchParams): Reply {
  const limit = query.has('limit') ? Number(query.get('limit')) : DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    return failure(422, 'validation_failed', `limit: must be an integer from 1 to ${MAX_PAGE}`);
  }
  const at = decodeCursor(query.get('cursor'));
  if (at === undefined) return failure(422, 'validation_failed', 'cursor: invalid');
  const range = timeRange(query);
  if (typeof range === 'string') return failure(422, 'validation_failed', range);
  const wanted = FILTERS.map((field) => [field, query.get(field)] as const).filter(([, value]) => value !== null);
  const matches = (record: LogRecord): boolean => {
    for (const [field, value] of wanted) if (record[field] !== value) return false;
    const time = Date.parse(record.occurred_at);
    return time >= range.from && time <= range.to;
  };
  const data: LogRecord[] = [];
  let next = at;
  while (next < log.length && data.length < limit) {
    const record = log[next++]!;
    if (matches(record)) data.push(record);
  }
  // One more match past the page says whether there is a next one.
  let ahead = next;
  while (ahead < log.length && !matches(log[ahead]!)) ahead++;
  const hasMore = ahead < log.length;
  return {
    status: 200,
    body: {
      data,
      pagination: { has_more: hasMore, next_cursor: hasMore ? encodeCursor(next) : null, total: totals.count(JSON.stringify([wanted, range.from, range.to]), log, matches) },
    },
  };
}

const FILTERS = ['actor_id', 'action', 'resource_id', 'tenant_id'];

/**
 * How many records match each filter seen, counted on from where the last count stopped: the log
 * only grows, so each filter's count costs the records stored since. A client that pages with
 * new filters all the time only makes the cache start over.
 */
class FilterTotals {
  private readonly counts = new Map<string, { scanned: number; count: number }>();

  count(filter: string, log: readonly LogRecord[], matches: (record: LogRecord) => boolean): number {
    let entry = this.counts.get(filter);
    if (!entry) {
      if (this.counts.size >= 100) this.counts.clear();
      this.counts.set(filter, (entry = { scanned: 0, count: 0 }));
    }
    for (; entry.scanned < log.length; entry.scanned++) if (matches(log[entry.scanned]!)) entry.count++;
    return entry.count;
  }
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

function encodeCursor(at: number): string {
  return Buffer.from(JSON.stringify({ at })).toString('base64url');
}

/** The log position a cursor stands for (0: the first page). */
function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null || cursor === '') return 0;
  try {
    const { at } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown };
    return Number.isInteger(at) && (at as number) >= 0 ? (at as number) : undefined;
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
