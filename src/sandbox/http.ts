// Low-level HTTP pieces of the sandbox server: routing table lookup, bounded body reading, JSON
// replies. Kept apart from server.ts so the request pipeline there reads top to bottom.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toJsonText } from '../events/exact-number.js';
import { MAX_DEPTH_CEILING, parseJsonText } from '../events/json-text.js';
import type { Reply, Route } from './types.js';

/** Documented nowhere for these APIs; 1 MiB is the common gateway default, and what we promise. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this we stop draining an oversized body and drop the connection instead. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed'; allow: string[] };

/** Finds the route for a request; a known path with another method is 405, not 404. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params === undefined) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? '';
    if (segment.startsWith(':')) {
      if (value === '') return undefined;
      const decoded = safeDecode(value);
      if (decoded === undefined) return undefined;
      params[segment.slice(1)] = decoded;
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}

/** A malformed escape such as `%E0%A4%A` matches no route rather than throwing. */
function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export type BodyResult = { kind: 'ok'; bytes: Buffer } | { kind: 'too_large' };

/**
 * Reads the whole body, keeping at most `limit` bytes. An oversized body is drained rather than
 * cut off, so the client reads our 413 instead of a broken pipe.
 */
export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_DRAIN_BYTES) throw new Error('request body far over the limit');
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? { kind: 'too_large' } : { kind: 'ok', bytes: Buffer.concat(chunks) };
}

export type JsonResult = { ok: true; value: unknown } | { ok: false };

/**
 * An empty body parses to undefined, so handlers report it as a missing body (FastAPI does).
 * Numbers keep the digits that arrived (what a server with arbitrary-precision numbers, such as
 * Python's, stores), so tests can assert them; a body nested past any sane depth is refused as
 * invalid JSON, as parsers with a recursion limit do, before anything here recurses over it.
 */
export function parseJson(bytes: Buffer): JsonResult {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJsonText(text, MAX_BODY_DEPTH);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false };
}

/** eventload's deepest record plus the few levels a request wraps around it. */
const MAX_BODY_DEPTH = MAX_DEPTH_CEILING + 8;

export function sendReply(response: ServerResponse, reply: Reply): void {
  if (response.destroyed || response.headersSent) return;
  const payload = toJsonText(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  response.end(payload);
}

/** A header's value, when sent once and non-empty. */
export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Path and query of a request target. Not `new URL(target, base)`: a target such as `//x` would be
 * read as a host, and a malformed one would throw inside the request listener.
 */
export function splitTarget(target = '/'): { path: string; query: URLSearchParams } {
  const mark = target.indexOf('?');
  if (mark === -1) return { path: target, query: new URLSearchParams() };
  return { path: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

/** A single event's own `idempotency_key` field, for the request log. */
export function bodyKey(body: unknown): string | undefined {
  const key = typeof body === 'object' && body !== null ? (body as { idempotency_key?: unknown }).idempotency_key : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** A batch carries `events: [...]`; anything else sent to an ingest route is one event. */
export function countEvents(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const events = (body as { events?: unknown }).events;
  return Array.isArray(events) ? events.length : 1;
}
