// One request, retried by the policy in retry.ts, paced by the shared rate limiter.
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError, EventloadError } from '../errors.js';
import type { ApiClient, Response } from '../targets/types.js';
import { HttpFailure } from './http-failure.js';
import type { HttpClient, HttpResponse } from './http.js';
import type { RateLimiter } from './rate-limiter.js';
import { backoffDelay, classifyStatus, isRetryableNetworkError, networkErrorCode, parseRetryAfter, rateLimitPause } from './retry.js';

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff step; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up on one request after this long in all, retries and the time inside attempts included (0: no limit but each attempt's). */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1000, // FlowMyna advises 1 s, 2 s, 4 s, 8 s with jitter
  maxDelayMs: 30_000, // 30 s
  deadlineMs: 5 * 60_000, // 5 min
};

export interface RetryNotice {
  reason: string; // "HTTP 429", "ECONNRESET"
  waitMs: number;
  throttled: boolean;
  attempt: number;
}

export interface SendResult {
  response: HttpResponse;
  attempts: number;
  /** How long the attempt that got this answer took (the report's latency), in ms. */
  latencyMs: number;
}

/**
 * The run was stopped (Ctrl-C, or another request aborted it) before this request was sent (again).
 * Not an AbortError: the uploader expects it while stopping and does not count it as a failure.
 */
export class StoppedError extends EventloadError {
  constructor(message: string) {
    super('EL_STOPPED', message);
    this.name = 'StoppedError';
  }
}

export class Sender {
  /** Told about every attempt that got an answer (adaptive concurrency listens here). */
  onAnswer?: (status: number, ms: number, inFlight: number) => void;
  /** Requests on the wire now (this sender's), as the server sees them. */
  private onTheWire = 0;
  /**
   * Every request that left, set-up calls included, counted as it leaves: a run that aborts or
   * stops still reports what the server received. The uploader points this at its own counts.
   */
  count: { requests: number; retries: number } = { requests: 0, retries: 0 };

  constructor(
    private readonly http: HttpClient,
    private readonly limiter: RateLimiter,
    private readonly policy: RetryPolicy,
    private readonly onRetry: (notice: RetryNotice) => void = () => undefined,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Sends until a response that is not worth retrying, or until retries run out (then the last
   * response is returned). Throws AbortError when the endpoint could not be reached at all, and
   * StoppedError when `signal` is aborted while waiting to send (a request on the wire finishes).
   * `retryReason` says whether an answer is worth another try (by default its status; the
   * uploader also retries a 2xx whose body confirms nothing, see targets/answer.ts).
   */
  async send(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    headers: () => Promise<Record<string, string>>,
    signal?: AbortSignal,
    retryReason: (response: HttpResponse) => string | undefined = statusRetryReason,
  ): Promise<SendResult> {
    // The deadline runs from the first attempt (time queued behind the rate limit before it is not
    // this request's), and an attempt still under way when it passes is cut off.
    let started: number | undefined;
    // A 429 says the server is busy, not that anything failed: it is retried until the deadline
    // and does not use up --max-retries (which would reject good events under a long throttle).
    let failures = 0;
    let previous: { response?: HttpResponse; failure?: Failure; latencyMs?: number } = {};
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take(signal);
      if (signal?.aborted) throw new StoppedError(`stopped before sending ${path}`);
      // The wait for the rate limiter (paused by a 429) may have used up the deadline: an attempt
      // with no time left would only be cut off, so the previous outcome stands.
      if (started !== undefined && this.policy.deadlineMs > 0 && Date.now() - started >= this.policy.deadlineMs) {
        if (previous.response) return { response: previous.response, attempts: attempt, latencyMs: previous.latencyMs ?? 0 };
        throw giveUp(path, attempt, previous.failure!);
      }
      started ??= Date.now();
      let response: HttpResponse | undefined;
      let failure: Failure | undefined;
      let reason: string | undefined;
      let latencyMs = 0;
      const sentAt = Date.now();
      let inFlight = 0;
      try {
        const requestHeaders = await headers();
        // Counted with this request: a server that refuses above N in flight refused at N + 1.
        inFlight = ++this.onTheWire;
        this.count.requests++;
        if (attempt > 0) this.count.retries++;
        response = await this.http.request(method, path, body, requestHeaders, this.timeLeft(started));
        latencyMs = Date.now() - sentAt;
        this.onAnswer?.(response.status, latencyMs, inFlight);
      } catch (error) {
        if (error instanceof AbortError) throw error;
        // Cut off by a stop (--drain-timeout ran out): not a network fault, not worth a retry.
        if (signal?.aborted) throw new StoppedError(`stopped while sending ${path}`);
        failure = describeFailure(error);
        if (!isRetryableNetworkError(failure.code)) throw new AbortError(`request to ${path} failed: ${failure.code} ${(error as Error).message}`, 'EL_NETWORK');
      } finally {
        if (inFlight > 0) this.onTheWire--;
      }
      if (response) {
        const pause = rateLimitPause(response.headers);
        if (pause !== undefined && pause > 0) this.limiter.pauseUntil(Date.now() + Math.min(pause, this.policy.maxDelayMs * 4));
        if (classifyStatus(response.status) === 'redirect') throw redirectError(response, this.http.urlFor(path), path);
        reason = retryReason(response);
        if (reason === undefined) return { response, attempts: attempt + 1, latencyMs };
      }
      previous = { response, failure, latencyMs };
      const wait = this.delay(attempt, response);
      const outOfTime = Date.now() - started + wait >= this.policy.deadlineMs;
      if (response?.status !== 429) failures++;
      if (failures > this.policy.maxRetries || outOfTime) {
        if (response) return { response, attempts: attempt + 1, latencyMs };
        throw giveUp(path, attempt + 1, failure!);
      }
      const throttled = response?.status === 429 || response?.status === 503;
      // A server that says "slow down" is obeyed by every worker, not just this one.
      if (throttled) this.limiter.pauseUntil(Date.now() + wait);
      this.onRetry({ reason: reason ?? failure!.reason, waitMs: wait, throttled, attempt: attempt + 1 });
      // Ctrl-C must not wait out a backoff of minutes: the request is given up, and counted unsent.
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }

  /** What is left of --retry-deadline for the next attempt; 0 (no deadline) leaves --request-timeout alone. */
  private timeLeft(started: number): number {
    if (this.policy.deadlineMs <= 0) return Infinity;
    return Math.max(1, this.policy.deadlineMs - (Date.now() - started));
  }

  private delay(attempt: number, response: HttpResponse | undefined): number {
    const header = response?.headers['retry-after'];
    const retryAfter = parseRetryAfter(Array.isArray(header) ? header[0] : header);
    // `Retry-After: 0` gives no pause to honour; retrying at once would only hammer, so back off.
    if (retryAfter !== undefined && retryAfter > 0) return Math.min(retryAfter, this.policy.maxDelayMs * 4);
    return backoffDelay(attempt, this.policy.baseDelayMs, this.policy.maxDelayMs, this.random);
  }

  /** The same machinery as an ApiClient, for a target's set-up calls (login, event types). */
  apiClient(): ApiClient {
    const call = async (method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> => {
      const { response } = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), async () => headers);
      return { status: response.status, body: response.body };
    };
    return { get: (path, headers) => call('GET', path, undefined, headers), post: (path, body, headers) => call('POST', path, body, headers) };
  }
}

function statusRetryReason(response: HttpResponse): string | undefined {
  return classifyStatus(response.status) === 'retry' ? `HTTP ${response.status}` : undefined;
}

/** Why an attempt got no answer: a stable code (for the retry policy) and a few words for people. */
interface Failure {
  code: string;
  reason: string;
}

function describeFailure(error: unknown): Failure {
  if (error instanceof HttpFailure) return { code: error.code, reason: error.reason };
  const code = networkErrorCode(error);
  return { code, reason: code };
}

/** An attempt eventload gave up itself (too slow, too large): its code is the one the run stops with. */
function isOwnBound(code: string): code is HttpFailure['code'] {
  return code === 'EL_REQUEST_TIMEOUT' || code === 'EL_ANSWER_TOO_LARGE';
}

/** Retries ran out without an answer: the endpoint cannot be reached, or never answered in time or in size. */
function giveUp(path: string, attempts: number, failure: Failure): AbortError {
  if (isOwnBound(failure.code)) return new AbortError(`no usable answer from ${path} after ${attempts} attempt${attempts === 1 ? '' : 's'} (last: ${failure.reason})`, failure.code);
  return new AbortError(`endpoint unreachable: ${failure.code} on ${path} after ${attempts} attempts`, 'EL_UNREACHABLE');
}

/**
 * A 3xx is a configuration problem, not an answer: following it would send the token to wherever
 * it points, so eventload stops and names the place, and the --endpoint that would reach it.
 */
function redirectError(response: HttpResponse, requestUrl: string, path: string): AbortError {
  const header = response.headers.location;
  const location = Array.isArray(header) ? header[0] : header;
  if (!location) return new AbortError(`the endpoint answered ${response.status} (a redirect without a Location) to ${path}; redirects are not followed (they would carry the token); check --endpoint`, 'EL_REDIRECT');
  let target = location;
  try {
    target = new URL(location, requestUrl).href;
  } catch {
    // Not a URL: named as it came.
  }
  const endpoint = target.endsWith(path) ? target.slice(0, -path.length) : undefined;
  const advice = endpoint ? `pass the final URL with --endpoint ${endpoint}` : 'pass the final URL with --endpoint';
  return new AbortError(`the endpoint answered ${response.status} → ${target}; redirects are not followed (they would carry the token); ${advice}`, 'EL_REDIRECT');
}
