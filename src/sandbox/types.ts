// Types of the sandboxes: the public ones the CLI and tests use, and the small contract between
// the shared HTTP machinery (server.ts) and each target's emulated API (src/targets/<name>/sandbox.ts).
import type { IncomingHttpHeaders } from 'node:http';

/** What an ingest request is made to suffer. 'commit-reset' stores the events, then drops the socket. */
export type FaultKind = 'ok' | '429' | '500' | '503' | 'reset' | 'commit-reset';

export interface SandboxOptions {
  /** The registered target whose emulator to run (src/targets/index.ts), e.g. "flowmyna". */
  target: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1 so a sandbox is never reachable from outside. */
  host?: string;
  /** The one accepted bearer token; default the target's `sandbox.defaultToken` (sandboxToken(target)). */
  token?: string;
  /** Delay added before answering each request, in ms (default 0). */
  latencyMs?: number;
  /** Fraction 0..1 of ingest requests that get a random fault from faultKinds (default 0). */
  failRate?: number;
  /** Faults failRate draws from (default ['429', '503', 'reset']). */
  faultKinds?: FaultKind[];
  /** The Nth authenticated ingest request gets faultSequence[N], then 'ok'; overrides failRate. */
  faultSequence?: FaultKind[];
  /**
   * Fraction 0..1 of events the API accepts with its normal success answer and silently does not
   * store (the `drop` fault), drawn per event from `seed`: what `eventload verify` exists to find.
   */
  dropRate?: number;
  /** PRNG seed for failRate and dropRate draws (default 1), so runs are reproducible. */
  seed?: number;
  /** Retry-After on injected 429s, in seconds (default 1); flaring never sends it (documented). */
  retryAfterSeconds?: number;
  /** An ingest request arriving while more than this many ingest requests are in flight gets 429. */
  maxConcurrent?: number;
  /** Token bucket per caller; default the target's `sandbox.defaultRateLimit` (flaring: 100/min, burst 10). */
  rateLimit?: { perMinute: number; burst: number } | null;
  /** Flaring only: lifetime of tokens issued by /api/v1/auth/token, in seconds (default 86400). */
  tokenTtlSeconds?: number;
  /** Called after each request is answered (or its socket destroyed). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** HTTP status sent; 0 when the socket was destroyed without an answer. */
  status: number;
  fault?: FaultKind;
  /** Events carried by the request body (batch length, 1 for a single event, 0 otherwise). */
  events: number;
  idempotencyKey?: string;
  ms: number;
}

export interface StoredEvent {
  id: string;
  key?: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface SandboxStats {
  requests: number;
  ingestRequests: number;
  inFlight: number;
  maxInFlight: number;
  /** By status code ("202") or, for destroyed sockets, by fault ("reset", "commit-reset"). */
  statusCounts: Record<string, number>;
  /** Every event the server committed, in commit order. */
  stored: StoredEvent[];
  /** Every event the `drop` fault answered as stored but threw away, in arrival order. */
  dropped: StoredEvent[];
  /** Idempotency key -> times committed (a duplicate-suppressed event is not counted again). */
  keyCounts: Map<string, number>;
  /** Date.now() of each ingest request's arrival. */
  requestTimes: number[];
}

export interface Sandbox {
  /** Base URL a client passes as --endpoint, e.g. http://127.0.0.1:43123 */
  url: string;
  target: string;
  token: string;
  stats: SandboxStats;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

// ---- the contract between server.ts and each target's emulation ----

/** An answer the machinery turns into an HTTP response. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What a route handler sees of a request that passed routing, auth and fault injection. */
export interface RequestContext {
  body: unknown;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The Idempotency-Key header, if sent. */
  idempotencyKey?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path with `:name` segments, e.g. /event-types/:id/fields */
  path: string;
  /** Event ingestion: subject to fault injection and maxConcurrent. */
  ingest?: boolean;
  /** Reachable without a token (the flaring login). */
  public?: boolean;
  handle(context: RequestContext): Reply;
}

/** Canned answers each API gives in its own error style. */
export type ErrorKind =
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large'
  | 'invalid_json'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

export interface TargetApi {
  routes: Route[];
  /** Who the request's credentials belong to (rate-limit bucket), or undefined when rejected. */
  authenticate(headers: IncomingHttpHeaders): string | undefined;
  errors: Record<ErrorKind, Reply>;
  /** Whether 429s carry Retry-After (flaring's documented gateway does not). */
  sendsRetryAfter: boolean;
  /** Whether responses carry the X-RateLimit-* headers FlowMyna announced. */
  sendsRateLimitHeaders: boolean;
}

/** What an emulation gets from the machinery. */
export interface TargetContext {
  token: string;
  tokenTtlSeconds: number;
  /** Records a committed event in the stats (stored + keyCounts). */
  commit(event: { id: string; key?: string; body: Record<string, unknown> }): void;
  /**
   * The `drop` fault: true when this valid event is to be answered as stored but not kept (it is
   * then recorded in stats.dropped). Asked once per event, just before the emulation would store it.
   */
  drops(event: { id: string; key?: string; body: Record<string, unknown> }): boolean;
}

export type TargetFactory = (context: TargetContext) => TargetApi;
