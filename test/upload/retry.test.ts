// The retry policy as pure functions: what is retried, how long to wait, what the server asks for.
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyStatus, isRetryableNetworkError, networkErrorCode, parseRetryAfter, rateLimitPause } from '../../src/upload/retry.js';

describe('classifyStatus', () => {
  it('treats every 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204]) expect(classifyStatus(status)).toBe('ok');
  });

  it('retries 408, 425, 429 and 5xx', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599]) expect(classifyStatus(status)).toBe('retry');
  });

  it('never retries 501, which no retry changes, nor calls it a refusal of the events', () => {
    for (const status of [501]) expect(classifyStatus(status)).toBe('stop');
  });

  it('treats other 4xx as a refusal of the events', () => {
    for (const status of [400, 404, 409, 413, 422]) expect(classifyStatus(status)).toBe('refused');
  });

  it('singles out every 3xx: a redirect is never followed (it would carry the token) and never retried', () => {
    for (const status of [300, 301, 302, 303, 304, 307, 308]) expect(classifyStatus(status)).toBe('redirect');
  });

  it('singles out 401 and 403 so the run can stop at once', () => {
    expect(classifyStatus(401)).toBe('auth');
    expect(classifyStatus(403)).toBe('auth');
  });
});

describe('network errors', () => {
  it('finds the code of an error or of its causes', () => {
    expect(networkErrorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    expect(networkErrorCode(wrapped)).toBe('ECONNREFUSED');
    expect(networkErrorCode(new Error('no code'))).toBe('ENETWORK');
  });

  it('retries resets, refusals, timeouts and unknown network failures', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ENETWORK', 'EL_REQUEST_TIMEOUT', 'EL_ANSWER_TOO_LARGE']) {
      expect(isRetryableNetworkError(code), code).toBe(true);
    }
  });

  it('does not retry errors that another attempt cannot fix', () => {
    for (const code of ['ERR_INVALID_ARG_TYPE', 'UND_ERR_INVALID_ARG', 'ERR_TLS_CERT_ALTNAME_INVALID']) expect(isRetryableNetworkError(code), code).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-03-01T12:00:00Z');

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Fri, 01 Mar 2024 12:00:30 GMT', now)).toBe(30_000);
  });

  it('waits not at all for an HTTP-date in the past', () => {
    expect(parseRetryAfter('Fri, 01 Mar 2024 11:59:00 GMT', now)).toBe(0);
  });

  it('ignores a missing, empty or unreadable value', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('rateLimitPause', () => {
  const now = 1_700_000_000_000;

  it('pauses for the reset of the IETF draft RateLimit header when nothing remains', () => {
    expect(rateLimitPause({ ratelimit: 'limit=100, remaining=0, reset=30' }, now)).toBe(30_000);
    expect(rateLimitPause({ ratelimit: '"default";r=0;t=7' }, now)).toBe(7000);
  });

  it('does not pause while the draft header says quota remains', () => {
    expect(rateLimitPause({ ratelimit: 'limit=100, remaining=5, reset=30' }, now)).toBeUndefined();
    expect(rateLimitPause({ ratelimit: '"default";r=12;t=7' }, now)).toBeUndefined();
  });

  it('reads X-RateLimit-Reset as a Unix time when it is one', () => {
    const reset = String(now / 1000 + 42);
    expect(rateLimitPause({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, now)).toBe(42_000);
  });

  it('reads a small X-RateLimit-Reset as seconds from now', () => {
    expect(rateLimitPause({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' }, now)).toBe(3000);
  });

  it('does not pause while X-RateLimit-Remaining is above zero, or without a reset', () => {
    expect(rateLimitPause({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '3' }, now)).toBeUndefined();
    expect(rateLimitPause({ 'x-ratelimit-remaining': '0' }, now)).toBeUndefined();
    expect(rateLimitPause({}, now)).toBeUndefined();
  });

  it('uses the first value of a repeated header', () => {
    expect(rateLimitPause({ 'x-ratelimit-remaining': ['0', '9'], 'x-ratelimit-reset': ['2', '60'] }, now)).toBe(2000);
  });
});

describe('backoffDelay', () => {
  it('is zero when the jitter draws zero', () => {
    expect(backoffDelay(3, 1000, 30_000, () => 0)).toBe(0);
  });

  it('stays below base · 2^attempt (full jitter)', () => {
    const top = () => 0.999_999;
    expect(backoffDelay(0, 1000, 30_000, top)).toBe(999);
    expect(backoffDelay(1, 1000, 30_000, top)).toBe(1999);
    expect(backoffDelay(3, 1000, 30_000, top)).toBe(7999);
  });

  it('never exceeds the cap, however many attempts', () => {
    const top = () => 0.999_999;
    expect(backoffDelay(10, 1000, 30_000, top)).toBe(29_999);
    expect(backoffDelay(60, 1000, 30_000, top)).toBe(29_999);
  });

  it('draws uniformly inside the bound', () => {
    expect(backoffDelay(2, 100, 30_000, () => 0.5)).toBe(200);
  });
});
