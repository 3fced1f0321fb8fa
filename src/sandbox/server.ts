// The machinery every sandbox shares: an HTTP server on loopback that routes a request, checks
// auth, injects the planned fault, throttles, adds latency, runs the API's handler, and keeps the
// stats tests assert on. The API emulations only describe routes and their answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFaultPlan, type FaultPlan } from './faults.js';
import {
  bodyKey,
  countEvents,
  headerValue,
  matchRoute,
  parseJson,
  readBody,
  sendReply,
  splitTarget,
  type RouteMatch,
} from './http.js';
import type { ResolvedSandboxOptions } from './options.js';
import { countStatus } from './stats.js';
import { createRateLimiter, type RateDecision, type RateLimiter } from './rate-limit.js';
import type { FaultKind, Reply, RequestContext, Route, SandboxStats, TargetApi } from './types.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

interface Machinery {
  api: TargetApi;
  options: ResolvedSandboxOptions;
  stats: SandboxStats;
  plan: FaultPlan;
  limiter?: RateLimiter;
  ingestInFlight: number;
}

/** What was decided about a request the moment it arrived, before its body was read. */
interface Arrival {
  startedAt: number;
  path: string;
  match: RouteMatch;
  ingest: boolean;
  principal?: string;
  fault: FaultKind;
  throttled: boolean;
  rate?: RateDecision;
  idempotencyKey?: string;
}

/** What the request log will say once the response is done. */
interface Outcome {
  status: number;
  fault?: FaultKind;
  events: number;
  /** The Idempotency-Key header, else a single event's `idempotency_key` body field. */
  idempotencyKey?: string;
}

type Decision = { kind: 'reply'; reply: Reply } | { kind: 'destroy' };

export async function startServer(
  api: TargetApi,
  options: ResolvedSandboxOptions,
  stats: SandboxStats,
): Promise<RunningServer> {
  const machinery: Machinery = {
    api,
    options,
    stats,
    plan: createFaultPlan(options),
    limiter: options.rateLimit ? createRateLimiter(options.rateLimit) : undefined,
    ingestInFlight: 0,
  };
  const server = createServer((request, response) => handle(machinery, request, response));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function handle(machinery: Machinery, request: IncomingMessage, response: ServerResponse): void {
  const arrival = arrive(machinery, request);
  const outcome: Outcome = { status: 0, events: 0 };
  response.on('close', () => depart(machinery, request, arrival, outcome));
  respond(machinery, request, response, arrival, outcome).catch(() => {
    // The client went away mid-body, or the body was absurdly large: nothing left to answer.
    response.destroy();
  });
}

/** Counts the request in and takes every decision that depends on arrival time. */
function arrive(machinery: Machinery, request: IncomingMessage): Arrival {
  const { stats, api, options } = machinery;
  const startedAt = Date.now();
  stats.requests += 1;
  stats.inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  const method = request.method ?? 'GET';
  const path = splitTarget(request.url).path;
  const match = matchRoute(api.routes, method, path);
  const route = match.kind === 'found' ? match.route : undefined;
  const principal = route?.public ? 'anonymous' : api.authenticate(request.headers);
  const ingest = route?.ingest === true;
  const arrival: Arrival = {
    startedAt,
    path,
    match,
    ingest,
    principal,
    fault: 'ok',
    throttled: false,
    idempotencyKey: headerValue(request, 'idempotency-key'),
  };
  if (ingest) {
    stats.ingestRequests += 1;
    stats.requestTimes.push(startedAt);
    machinery.ingestInFlight += 1;
  }
  if (!route || principal === undefined) return arrival;
  // Faults and throttling hit only callers the real API would have let through auth.
  if (ingest) {
    arrival.fault = machinery.plan.next();
    arrival.throttled = options.maxConcurrent !== undefined && machinery.ingestInFlight > options.maxConcurrent;
  }
  if (!route.public) arrival.rate = machinery.limiter?.take(principal, startedAt);
  return arrival;
}

async function respond(
  machinery: Machinery,
  request: IncomingMessage,
  response: ServerResponse,
  arrival: Arrival,
  outcome: Outcome,
): Promise<void> {
  const body = await readBody(request);
  if (machinery.options.latencyMs > 0) await sleep(machinery.options.latencyMs);
  if (response.destroyed) return; // the sandbox was closed while we waited
  const json = body.kind === 'ok' && request.method !== 'GET' ? parseJson(body.bytes) : { ok: true as const, value: undefined };
  outcome.events = arrival.ingest && json.ok ? countEvents(json.value) : 0;
  outcome.idempotencyKey = arrival.idempotencyKey ?? (arrival.ingest && json.ok ? bodyKey(json.value) : undefined);
  const decision = decide(machinery, request, arrival, body.kind === 'too_large', json);
  if (decision.kind === 'destroy') {
    outcome.fault = arrival.fault;
    countStatus(machinery.stats, arrival.fault);
    response.socket?.destroy();
    response.destroy();
    return;
  }
  const reply = withRateHeaders(machinery, arrival.rate, decision.reply);
  outcome.status = reply.status;
  if (arrival.fault !== 'ok') outcome.fault = arrival.fault;
  countStatus(machinery.stats, String(reply.status));
  sendReply(response, reply);
}

/** The checks in the order a real gateway and app would make them. */
function decide(
  machinery: Machinery,
  request: IncomingMessage,
  arrival: Arrival,
  tooLarge: boolean,
  json: { ok: boolean; value?: unknown },
): Decision {
  const { api, options } = machinery;
  const reply = (value: Reply): Decision => ({ kind: 'reply', reply: value });
  const { match } = arrival;
  if (match.kind === 'not_found') return reply(api.errors.not_found);
  if (match.kind === 'method_not_allowed') {
    return reply({ ...api.errors.method_not_allowed, headers: { allow: match.allow.join(', ') } });
  }
  if (tooLarge) return reply(api.errors.too_large);
  if (arrival.principal === undefined) return reply(api.errors.unauthorized);
  switch (arrival.fault) {
    case 'reset':
      return { kind: 'destroy' };
    case '429':
      return reply(tooManyRequests(machinery, options.retryAfterSeconds));
    case '500':
      return reply(api.errors.internal);
    case '503':
      return reply(api.errors.unavailable);
  }
  if (arrival.throttled) return reply(tooManyRequests(machinery, options.retryAfterSeconds));
  if (arrival.rate && !arrival.rate.allowed) {
    return reply(tooManyRequests(machinery, Math.max(1, Math.ceil(arrival.rate.retryAfterMs / 1000))));
  }
  if (!json.ok) return reply(api.errors.invalid_json);
  const answer = runHandler(machinery, match.route, {
    body: json.value,
    query: splitTarget(request.url).query,
    params: match.params,
    headers: request.headers,
    idempotencyKey: arrival.idempotencyKey,
  });
  // commit-reset: the handler has committed; the client never learns it did.
  return arrival.fault === 'commit-reset' ? { kind: 'destroy' } : reply(answer);
}

function runHandler(machinery: Machinery, route: Route, context: RequestContext): Reply {
  try {
    return route.handle(context);
  } catch {
    // A handler bug must look like what it is to the client: a 500, not a hang.
    return machinery.api.errors.internal;
  }
}

function tooManyRequests(machinery: Machinery, retryAfterSeconds: number): Reply {
  const { rate_limited } = machinery.api.errors;
  if (!machinery.api.sendsRetryAfter) return rate_limited;
  return { ...rate_limited, headers: { ...rate_limited.headers, 'retry-after': String(retryAfterSeconds) } };
}

/** FlowMyna's announced X-RateLimit-* headers, on every answer while a limit is configured. */
function withRateHeaders(machinery: Machinery, rate: RateDecision | undefined, reply: Reply): Reply {
  if (!rate || !machinery.api.sendsRateLimitHeaders) return reply;
  const headers = {
    'x-ratelimit-limit': String(rate.limit),
    'x-ratelimit-remaining': String(rate.remaining),
    'x-ratelimit-reset': String(Math.ceil(rate.resetAt / 1000)), // Unix time, seconds
  };
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

function depart(machinery: Machinery, request: IncomingMessage, arrival: Arrival, outcome: Outcome): void {
  const { stats } = machinery;
  stats.inFlight -= 1;
  if (arrival.ingest) machinery.ingestInFlight -= 1;
  if (outcome.status === 0 && outcome.fault === undefined) countStatus(stats, 'aborted');
  machinery.options.onRequest?.({
    method: request.method ?? 'GET',
    path: arrival.path,
    status: outcome.status,
    ...(outcome.fault ? { fault: outcome.fault } : {}),
    events: outcome.events,
    ...(outcome.idempotencyKey ? { idempotencyKey: outcome.idempotencyKey } : {}),
    ms: Date.now() - arrival.startedAt,
  });
}
