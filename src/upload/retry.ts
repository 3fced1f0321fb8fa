// The retry policy in one place: what a response or a network error means, and how long to wait.
// Like Vector's `retry_action`: 408, 425, 429 and 5xx except 501 are retried; other 4xx never are.

/**
 * ok: read the body (targets/answer.ts); retry: the server failed, not the events (never a
 * rejection); auth: stop the run; refused: the answer refuses the events' content (a rejection);
 * stop: the endpoint is not the API (a redirect, or 501 "not implemented", which no retry changes)
 * and the events are not sent; redirect: a 3xx, never followed (it would carry the token
 * elsewhere): the endpoint is misconfigured.
 */
export type Verdict = 'ok' | 'retry' | 'auth' | 'refused' | 'stop' | 'redirect';

export function classifyStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 425 || status === 429) return 'retry';
  if (status === 501 || status < 200) return 'stop';
  if (status >= 500) return 'retry';
  return 'refused';
}

/** Network failures worth another try: the request may not have arrived, or its answer was lost. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  // eventload's own bounds on an attempt (src/upload/http.ts): the next attempt may do better.
  'EL_REQUEST_TIMEOUT', 'EL_ANSWER_TOO_LARGE',
]);

export function networkErrorCode(error: unknown): string {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string' && current.code !== 'UND_ERR') return current.code;
    current = current.cause as typeof current;
  }
  return 'ENETWORK';
}

export function isRetryableNetworkError(code: string): boolean {
  return RETRYABLE_CODES.has(code) || code === 'ENETWORK';
}

/** Exponential backoff with full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); milliseconds to wait, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to hold off before the server would say 429, from `RateLimit` (IETF draft: both
 * `limit=100, remaining=0, reset=30` and `"default";r=0;t=30`) or `X-RateLimit-Remaining/-Reset`
 * (Reset as Unix seconds, or as seconds from now when small). Undefined when there is quota left.
 */
export function rateLimitPause(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const draft = header('ratelimit');
  if (draft) {
    const remaining = /(?:remaining=|;r=)(\d+)/.exec(draft)?.[1];
    const reset = /(?:reset=|;t=)(\d+)/.exec(draft)?.[1];
    if (remaining === '0' && reset !== undefined) return Number(reset) * 1000;
  }
  const remaining = header('x-ratelimit-remaining');
  const reset = header('x-ratelimit-reset');
  if (remaining !== undefined && Number(remaining) <= 0 && reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const value = Number(reset);
    // Values this large are Unix times (FlowMyna documents Unix time); small ones are seconds from now.
    return value > 1e9 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  return undefined;
}
