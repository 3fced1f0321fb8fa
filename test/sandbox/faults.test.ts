// Fault injection and throttling, as a client under test experiences them over real HTTP.
import { describe, expect, it } from 'vitest';
import { createFaultPlan } from '../../src/sandbox/faults.js';
import type { RequestLogEntry } from '../../src/sandbox/index.js';
import { post, useSandboxes, VALID } from './helpers.js';

const start = useSandboxes();

describe('fault plan', () => {
  it('replays the same faults for the same seed', () => {
    const draw = (seed: number) => {
      const plan = createFaultPlan({ failRate: 0.5, faultKinds: ['429', '503', 'reset'], seed });
      return Array.from({ length: 50 }, () => plan.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const faults = draw(7).filter((kind) => kind !== 'ok').length;
    expect(faults).toBeGreaterThan(10);
    expect(faults).toBeLessThan(40);
  });

  it('follows a script, then answers ok', () => {
    const plan = createFaultPlan({ failRate: 1, faultKinds: ['500'], faultSequence: ['reset', 'ok', '429'], seed: 1 });
    expect(Array.from({ length: 5 }, () => plan.next())).toEqual(['reset', 'ok', '429', 'ok', 'ok']);
  });
});

describe('fault injection over HTTP', () => {
  it('delivers the scripted faults in order', async () => {
    const log: RequestLogEntry[] = [];
    const sandbox = await start({
      target: 'immutable',
      faultSequence: ['429', '500', '503', 'reset', 'ok'],
      onRequest: (entry) => log.push(entry),
    });
    const send = () => post(sandbox, VALID.immutable.path, VALID.immutable.body);
    expect((await send()).status).toBe(429);
    expect(await send()).toMatchObject({ status: 500, body: { error: 'internal_error' } });
    expect((await send()).status).toBe(503);
    await expect(send()).rejects.toThrow(TypeError); // fetch failed: socket destroyed
    expect((await send()).status).toBe(202);
    expect(sandbox.stats.stored).toHaveLength(1);
    expect(sandbox.stats.statusCounts).toEqual({ '429': 1, '500': 1, '503': 1, reset: 1, '202': 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.map((entry) => [entry.status, entry.fault])).toEqual([
      [429, '429'],
      [500, '500'],
      [503, '503'],
      [0, 'reset'],
      [202, undefined],
    ]);
  });

  it('commit-reset stores the event although the client sees the connection fail', async () => {
    const sandbox = await start({ target: 'flowmyna', faultSequence: ['commit-reset'] });
    const headers = { 'idempotency-key': 'k-1' };
    await expect(post(sandbox, VALID.flowmyna.path, VALID.flowmyna.body, { headers })).rejects.toThrow(TypeError);
    expect(sandbox.stats.stored).toHaveLength(1);
    expect(sandbox.stats.keyCounts.get('k-1')).toBe(1);
    // The naive retry doubles the event: FlowMyna does not deduplicate.
    expect((await post(sandbox, VALID.flowmyna.path, VALID.flowmyna.body, { headers })).status).toBe(200);
    expect(sandbox.stats.keyCounts.get('k-1')).toBe(2);
  });

  it('does not inject faults into non-ingest requests', async () => {
    const sandbox = await start({ target: 'flowmyna', faultSequence: ['503'] });
    expect((await post(sandbox, '/api/public/v1/object/upsert', { type: 'Order', id: 'o-1' })).status).toBe(200);
    expect((await post(sandbox, VALID.flowmyna.path, VALID.flowmyna.body)).status).toBe(503);
  });

  it.each<[keyof typeof VALID, string | null]>([
    ['immutable', '7'],
    ['flowmyna', '7'],
    ['flaring', null],
  ])('%s: an injected 429 has Retry-After %s', async (target, retryAfter) => {
    const sandbox = await start({ target, faultSequence: ['429'], retryAfterSeconds: 7 });
    const response = await post(sandbox, VALID[target].path, VALID[target].body);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    if (target === 'flaring') expect(response.body).toEqual({ error: 'rate limit exceeded, try again later' });
  });

  it('draws random faults at failRate, reproducibly', async () => {
    const run = async () => {
      const sandbox = await start({ target: 'immutable', failRate: 0.5, faultKinds: ['500', '503'], seed: 42 });
      const statuses: number[] = [];
      for (let index = 0; index < 20; index += 1) {
        statuses.push((await post(sandbox, VALID.immutable.path, VALID.immutable.body)).status);
      }
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((status) => status !== 202).length).toBeGreaterThan(3);
  });
});

describe('throttling', () => {
  it('maxConcurrent answers 429 to requests beyond the limit in flight', async () => {
    const sandbox = await start({ target: 'immutable', maxConcurrent: 2, latencyMs: 150 });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post(sandbox, VALID.immutable.path, VALID.immutable.body)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429]);
    expect(responses.find((response) => response.status === 429)?.headers.get('retry-after')).toBe('1');
    expect(sandbox.stats.stored).toHaveLength(2);
  });

  it('counts requests in flight and remembers the peak', async () => {
    const sandbox = await start({ target: 'flowmyna', latencyMs: 100 });
    await Promise.all(Array.from({ length: 4 }, () => post(sandbox, VALID.flowmyna.path, VALID.flowmyna.body)));
    expect(sandbox.stats.maxInFlight).toBe(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sandbox.stats.inFlight).toBe(0);
    expect(sandbox.stats.requestTimes).toHaveLength(4);
  });

  it('rateLimit answers 429 beyond the burst, with Retry-After except on flaring', async () => {
    const limited = await start({ target: 'immutable', rateLimit: { perMinute: 6, burst: 3 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 5; index += 1) {
      const response = await post(limited, VALID.immutable.path, VALID.immutable.body);
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(10);
  });

  it('flaring enforces its documented 100/min burst 10 by default, without Retry-After', async () => {
    const sandbox = await start({ target: 'flaring' });
    const responses = [];
    for (let index = 0; index < 11; index += 1) responses.push(await post(sandbox, VALID.flaring.path, VALID.flaring.body));
    expect(responses.slice(0, 10).every((response) => response.status === 201)).toBe(true);
    expect(responses[10]?.status).toBe(429);
    expect(responses[10]?.headers.get('retry-after')).toBeNull();
  });

  it('flowmyna sends X-RateLimit headers when a limit is configured', async () => {
    const sandbox = await start({ target: 'flowmyna', rateLimit: { perMinute: 1000, burst: 50 } });
    const response = await post(sandbox, VALID.flowmyna.path, VALID.flowmyna.body);
    expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('49');
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
  });
});
