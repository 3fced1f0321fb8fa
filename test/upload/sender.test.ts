// One request under the retry policy, against a scripted stand-in for the HTTP client: what is
// retried, for how long, and what the caller finally gets.
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import type { HttpClient, HttpResponse } from '../../src/upload/http.js';
import { RateLimiter } from '../../src/upload/rate-limiter.js';
import { Sender, type RetryNotice, type RetryPolicy } from '../../src/upload/sender.js';

type Step = { status: number; headers?: Record<string, string> } | { error: string };

/** An HttpClient that answers from a script and remembers what it was asked. */
function scripted(steps: Step[]) {
  const calls: Array<{ path: string; body: string | undefined; headers: Record<string, string>; at: number; deadlineMs: number }> = [];
  const client = {
    urlFor: (path: string) => `https://api.example.com${path}`,
    async request(_method: string, path: string, body: string | undefined, headers: Record<string, string>, deadlineMs = Infinity): Promise<HttpResponse> {
      calls.push({ path, body, headers, at: Date.now(), deadlineMs });
      const step = steps[Math.min(calls.length - 1, steps.length - 1)]!;
      if ('error' in step) throw Object.assign(new Error(`simulated ${step.error}`), { code: step.error });
      return { status: step.status, headers: step.headers ?? {}, body: {}, text: '{}' };
    },
  };
  return { client: client as unknown as HttpClient, calls };
}

const FAST: RetryPolicy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, deadlineMs: 60_000 };

function sender(steps: Step[], policy: RetryPolicy = FAST) {
  const { client, calls } = scripted(steps);
  const notices: RetryNotice[] = [];
  const instance = new Sender(client, new RateLimiter(undefined), policy, (notice) => notices.push(notice), () => 0.5);
  const send = () => instance.send('POST', '/events', '{"a":1}', async () => ({ 'idempotency-key': 'k1' }));
  return { send, calls, notices, instance };
}

describe('Sender', () => {
  it('retries 503 and a reset, then returns the success with the attempts it took', async () => {
    const { send, calls, notices } = sender([{ status: 503 }, { error: 'ECONNRESET' }, { status: 202 }]);
    const result = await send();
    expect(result.response.status).toBe(202);
    expect(result.attempts).toBe(3);
    expect(calls).toHaveLength(3);
    expect(notices.map((notice) => notice.reason)).toEqual(['HTTP 503', 'ECONNRESET']);
  });

  it('sends the same body and Idempotency-Key on every attempt', async () => {
    const { send, calls } = sender([{ status: 500 }, { status: 429 }, { status: 200 }]);
    await send();
    expect(new Set(calls.map((call) => call.body))).toEqual(new Set(['{"a":1}']));
    expect(new Set(calls.map((call) => call.headers['idempotency-key']))).toEqual(new Set(['k1']));
  });

  it('does not retry a permanent 4xx', async () => {
    const { send, calls } = sender([{ status: 422 }, { status: 202 }]);
    const result = await send();
    expect(result.response.status).toBe(422);
    expect(calls).toHaveLength(1);
  });

  it('does not retry 401, so the caller can stop the run', async () => {
    const { send, calls } = sender([{ status: 401 }, { status: 202 }]);
    expect((await send()).response.status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('returns the last answer when retries run out on 5xx', async () => {
    const { send, calls } = sender([{ status: 503 }]);
    const result = await send();
    expect(result.response.status).toBe(503);
    expect(result.attempts).toBe(FAST.maxRetries + 1);
    expect(calls).toHaveLength(FAST.maxRetries + 1);
  });

  it('aborts as unreachable when retries run out on network errors', async () => {
    const { send, calls } = sender([{ error: 'ECONNREFUSED' }]);
    const error = await send().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).code).toBe('EL_UNREACHABLE');
    expect((error as AbortError).message).toContain('ECONNREFUSED');
    expect(calls).toHaveLength(FAST.maxRetries + 1);
  });

  it('hands each attempt only what is left of the deadline, so one still running at the deadline is cut off', async () => {
    const { send, calls } = sender([{ error: 'EL_REQUEST_TIMEOUT' }, { error: 'EL_REQUEST_TIMEOUT' }, { status: 202 }], { ...FAST, baseDelayMs: 40, maxDelayMs: 40, deadlineMs: 5000 });
    await send();
    expect(calls[0]!.deadlineMs).toBeLessThanOrEqual(5000);
    expect(calls[2]!.deadlineMs).toBeLessThan(calls[0]!.deadlineMs);
    expect(calls[2]!.deadlineMs).toBeGreaterThan(0);
  });

  it('retries an attempt cut off by a bound of its own, and names the bound when retries run out', async () => {
    const { send, calls } = sender([{ error: 'EL_ANSWER_TOO_LARGE' }]);
    const error = (await send().catch((caught: unknown) => caught)) as AbortError;
    expect(calls).toHaveLength(FAST.maxRetries + 1);
    expect(error.code).toBe('EL_ANSWER_TOO_LARGE');
    expect(error.message).toMatch(/^no usable answer from \/events after 4 attempts/);
  });

  it('stops at a redirect without following or retrying it, naming where it points', async () => {
    const { send, calls } = sender([{ status: 307, headers: { location: 'https://eu.example.com/events' } }, { status: 202 }]);
    const error = (await send().catch((caught: unknown) => caught)) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.code).toBe('EL_REDIRECT');
    expect(error.message).toBe('the endpoint answered 307 → https://eu.example.com/events; redirects are not followed (they would carry the token); pass the final URL with --endpoint https://eu.example.com');
    expect(calls).toHaveLength(1);
  });

  it('aborts at once on a network error that a retry cannot fix', async () => {
    const { send, calls } = sender([{ error: 'ERR_TLS_CERT_ALTNAME_INVALID' }]);
    await expect(send()).rejects.toBeInstanceOf(AbortError);
    expect(calls).toHaveLength(1);
  });

  it('waits what Retry-After says, even beyond its own backoff cap', async () => {
    const { send, calls, notices } = sender([{ status: 429, headers: { 'retry-after': '0.3' } }, { status: 202 }], { ...FAST, maxDelayMs: 100 });
    await send();
    expect(notices[0]).toMatchObject({ waitMs: 300, throttled: true });
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(280);
  });

  it('uses exponential backoff with the injected jitter when there is no Retry-After', async () => {
    const { send, notices } = sender([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200 }], { maxRetries: 5, baseDelayMs: 8, maxDelayMs: 1000, deadlineMs: 60_000 });
    await send();
    // random() = 0.5: half of 8, 16, 32 ms
    expect(notices.map((notice) => notice.waitMs)).toEqual([4, 8, 16]);
  });

  it('keeps retrying 429s past --max-retries (the server is busy, the event is fine) until the deadline', async () => {
    const busy = Array.from({ length: 8 }, () => ({ status: 429, headers: { 'retry-after': '0.01' } }));
    const { send, calls } = sender([...busy, { status: 202 }]);
    const result = await send();
    expect(result.response.status).toBe(202);
    expect(calls).toHaveLength(9); // FAST allows 3 retries for failures
    const { send: sendAgain, calls: again } = sender([{ status: 429, headers: { 'retry-after': '0.4' } }], { ...FAST, maxDelayMs: 1000, deadlineMs: 1000 });
    expect((await sendAgain()).response.status).toBe(429);
    expect(again).toHaveLength(3); // 0, 0.4 s, 0.8 s; the next wait would pass the deadline
  });

  it('gives up when the next wait would pass the deadline', async () => {
    const { send, calls } = sender([{ status: 503, headers: { 'retry-after': '5' } }], { maxRetries: 10, baseDelayMs: 1, maxDelayMs: 10_000, deadlineMs: 1000 });
    const started = Date.now();
    const result = await send();
    expect(result.response.status).toBe(503);
    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('holds every later request while the server says the quota is used up', async () => {
    const { send, calls } = sender([{ status: 202, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' } }, { status: 202 }], { ...FAST, maxDelayMs: 1000 });
    await send();
    await send();
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
  });
});
