// The emulator of the test-only "tally" target: a tiny ingest API that stores events and lists
// them back, built on the shared sandbox machinery like the real emulators. It lives in the tests
// only, to prove that a target's sandbox needs no file outside its own folder.
import { randomUUID } from 'node:crypto';
import type { Reply, TargetApi, TargetContext } from '../../../src/sandbox/types.js';

/** The fields a tally event must carry; anything else in the body is stored as sent. */
const REQUIRED = ['name', 'at', 'ref'] as const;

const error = (status: number, message: string): Reply => ({ status, body: { error: message } });

function problem(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'an event is a JSON object';
  const missing = REQUIRED.filter((field) => typeof (item as Record<string, unknown>)[field] !== 'string');
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

export function createTallyApi(context: TargetContext): TargetApi {
  const events: Array<{ id: string } & Record<string, unknown>> = [];

  /** Stores one event, or says why not: `{id}` or `{error}`. */
  function store(item: unknown, key: string | undefined): { id: string } | { error: string } {
    const why = problem(item);
    if (why) return { error: why };
    const id = randomUUID();
    events.push({ id, ...(item as Record<string, unknown>) });
    context.commit({ id, key, body: item as Record<string, unknown> });
    return { id };
  }

  return {
    routes: [
      {
        method: 'POST',
        path: '/v1/events',
        ingest: true,
        handle({ body, idempotencyKey }) {
          const result = store(body, idempotencyKey);
          return 'id' in result ? { status: 201, body: result } : error(422, result.error);
        },
      },
      {
        method: 'POST',
        path: '/v1/events/batch',
        ingest: true,
        handle({ body, idempotencyKey }) {
          const items = (body as { events?: unknown } | undefined)?.events;
          if (!Array.isArray(items) || items.length === 0 || items.length > 2) return error(422, 'events: a list of 1 or 2 events');
          return { status: 200, body: { results: items.map((item, index) => store(item, idempotencyKey && `${idempotencyKey}#${index}`)) } };
        },
      },
      { method: 'GET', path: '/v1/events', handle: () => ({ status: 200, body: { events } }) },
    ],
    authenticate: (headers) => (headers.authorization === `Token ${context.token}` ? 'tally-user' : undefined),
    errors: {
      unauthorized: error(401, 'bad token'),
      not_found: error(404, 'no such route'),
      method_not_allowed: error(405, 'method not allowed'),
      too_large: error(413, 'too large'),
      invalid_json: error(400, 'not JSON'),
      rate_limited: error(429, 'slow down'),
      internal: error(500, 'internal error'),
      unavailable: error(503, 'unavailable'),
    },
    sendsRetryAfter: true,
    sendsRateLimitHeaders: false,
  };
}
