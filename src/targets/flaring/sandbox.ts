// Flaring monitor emulation (AEGIS, https://docs.aegis.reddyvarun.com/api/endpoints/events):
// login for expiring bearer tokens, event types whose fields each event is checked against,
// FastAPI-style errors, a per-user rate limit whose 429 carries NO Retry-After (documented), and
// no deduplication (the server-side duplication rules are not emulated).
import { z } from 'zod';
import { createFlaringAuth } from './sandbox-auth.js';
import { EventCatalog, parsePathId, validateFields } from './sandbox-catalog.js';
import type { Reply, Route, TargetApi, TargetContext } from '../../sandbox/types.js';
import { fastApiErrors, isIso8601, isoDateTime, jsonObject, toFastApiDetail, type FastApiIssue } from '../../sandbox/validation.js';

/** The docs show both the bare gateway paths and the /api/v1 prefix; both are served. */
const PREFIXES = ['', '/api/v1'];
const DEFAULT_PAGE = 100; // undocumented
const MAX_PAGE = 1000;

const eventSchema = z.object({
  event_type_id: z.number().int(),
  entity_id: z.string().min(1),
  entity_type: z.string().min(1),
  occurred_at: isoDateTime,
  fields: jsonObject.nullish(),
});

interface FlaringEvent {
  id: number;
  event_type_id: number;
  entity_id: string;
  entity_type: string;
  occurred_at: string;
  fields: Record<string, unknown>;
  created_at: string;
}

const errors = {
  ...fastApiErrors,
  unauthorized: { status: 401, body: { detail: 'Could not validate credentials' }, headers: { 'www-authenticate': 'Bearer' } },
  rate_limited: { status: 429, body: { error: 'rate limit exceeded, try again later' } },
} satisfies TargetApi['errors'];

export function createFlaringApi(context: TargetContext): TargetApi {
  const auth = createFlaringAuth(context.token, context.tokenTtlSeconds);
  const catalog = new EventCatalog();
  const events: FlaringEvent[] = [];
  /** Ids the drop fault handed out: ids stay unique, so a stored event's id is no longer its index. */
  let dropped = 0;

  function createEvent(body: unknown, key: string | undefined): Reply {
    const parsed = eventSchema.safeParse(body);
    if (!parsed.success) return unprocessable(toFastApiDetail(parsed.error.issues, body));
    const { event_type_id: typeId, fields: given, ...rest } = parsed.data;
    const type = catalog.get(typeId);
    if (!type) return { status: 422, body: { detail: `Unknown event type ${typeId}` } };
    const fields = given ?? {};
    const issues = validateFields(type, fields);
    if (issues.length > 0) return unprocessable(issues);
    const event: FlaringEvent = { id: events.length + dropped + 1, event_type_id: typeId, ...rest, fields, created_at: new Date().toISOString() };
    // The drop fault: answered like any stored event, kept nowhere.
    if (context.drops({ id: String(event.id), key, body: body as Record<string, unknown> })) {
      dropped += 1;
      return { status: 201, body: event };
    }
    events.push(event);
    context.commit({ id: String(event.id), key, body: body as Record<string, unknown> });
    return { status: 201, body: event };
  }

  const eventRoutes = (prefix: string): Route[] => [
    {
      method: 'POST',
      path: `${prefix}/events`,
      ingest: true,
      handle: ({ body, idempotencyKey }) => createEvent(body, idempotencyKey),
    },
    { method: 'GET', path: `${prefix}/events`, handle: ({ query }) => listEvents(events, query) },
    {
      method: 'GET',
      path: `${prefix}/events/:id`,
      handle({ params }) {
        const id = parsePathId(params['id']);
        if (typeof id !== 'number') return unprocessable([id]);
        const event = events.find((candidate) => candidate.id === id);
        return event ? { status: 200, body: event } : { status: 404, body: { detail: 'Event not found' } };
      },
    },
  ];

  return {
    routes: [auth.loginRoute, ...PREFIXES.flatMap((prefix) => [...eventRoutes(prefix), ...catalog.routes(prefix)])],
    authenticate: (headers) => auth.authenticate(headers),
    errors,
    sendsRetryAfter: false,
    sendsRateLimitHeaders: false,
  };
}

/** GET /events: filters as query parameters; a plain array, offset/limit paging. */
function listEvents(events: readonly FlaringEvent[], query: URLSearchParams): Reply {
  const issues: FastApiIssue[] = [];
  const integer = (name: string, fallback: number | undefined, min: number, max = Infinity) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
    issues.push({ loc: ['query', name], msg: `Input should be an integer from ${min} to ${max}`, type: 'int_parsing' });
    return fallback;
  };
  const date = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    if (isIso8601(raw)) return Date.parse(raw);
    issues.push({ loc: ['query', name], msg: 'Input should be a valid datetime', type: 'datetime_parsing' });
    return fallback;
  };
  const typeId = integer('event_type_id', undefined, 1);
  const limit = integer('limit', DEFAULT_PAGE, 1, MAX_PAGE) ?? DEFAULT_PAGE;
  const offset = integer('offset', 0, 0) ?? 0;
  const from = date('from_date', -Infinity);
  const to = date('to_date', Infinity);
  if (issues.length > 0) return unprocessable(issues);
  const entityId = query.get('entity_id');
  const matching = events.filter((event) => {
    const at = Date.parse(event.occurred_at);
    return (
      (entityId === null || event.entity_id === entityId) &&
      (typeId === undefined || event.event_type_id === typeId) &&
      at >= from &&
      at <= to
    );
  });
  return { status: 200, body: matching.slice(offset, offset + limit) };
}

function unprocessable(detail: FastApiIssue[]): Reply {
  return { status: 422, body: { detail } };
}
