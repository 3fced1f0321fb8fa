// Behaviour every sandbox shares: routing errors, body limits, bad JSON, options, latency, close.
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SandboxOptionsError, startSandbox, type RequestLogEntry } from '../../src/sandbox/index.js';
import { call, get, post, useSandboxes, VALID } from './helpers.js';

const start = useSandboxes();

describe('sandbox server', () => {
  it('listens on 127.0.0.1 on a free port', async () => {
    const sandbox = await start({ target: 'immutable' });
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.target).toBe('immutable');
  });

  it('answers 404 JSON for an unknown route and 405 with Allow for a wrong method', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    expect(await get(sandbox, '/nope')).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    const wrongMethod = await get(sandbox, VALID.flowmyna.path);
    expect(wrongMethod).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('answers 413 for a body over 1 MiB and stores nothing', async () => {
    const sandbox = await start({ target: 'immutable' });
    const body = { ...VALID.immutable.body, actor_name: 'x'.repeat(1024 * 1024) };
    const response = await post(sandbox, VALID.immutable.path, body);
    expect(response).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('answers 413 to a streamed body without Content-Length, after draining it', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${sandbox.url}${VALID.flowmyna.path}`, { method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let chunk = 0; chunk < 5; chunk += 1) request.write('x'.repeat(512 * 1024)); // 2.5 MiB, chunked
      request.end();
    });
    expect(status).toBe(413);
  });

  it('answers invalid JSON in each API dialect', async () => {
    const immutable = await start({ target: 'immutable' });
    const flowmyna = await start({ target: 'flowmyna' });
    const bad = { rawBody: '{"actor_id":' };
    expect(await call(immutable, 'POST', VALID.immutable.path, bad)).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    const fastApi = await call(flowmyna, 'POST', VALID.flowmyna.path, bad);
    expect(fastApi).toMatchObject({ status: 422, body: { detail: [{ type: 'json_invalid' }] } });
  });

  it('survives malformed request targets', async () => {
    const sandbox = await start({ target: 'flaring' });
    expect((await get(sandbox, '/event-types/%E0%A4%A')).status).toBe(404);
    expect((await get(sandbox, '//event-types')).status).toBe(404);
    expect((await get(sandbox, '/event-types?limit=%%')).status).toBe(200);
  });

  it('reports each answered request to onRequest', async () => {
    const log: RequestLogEntry[] = [];
    const sandbox = await start({ target: 'immutable', onRequest: (entry) => log.push(entry) });
    await post(sandbox, VALID.immutable.path, { ...VALID.immutable.body, idempotency_key: 'row-3' });
    await post(sandbox, `${VALID.immutable.path}/batch`, { events: [VALID.immutable.body, VALID.immutable.body] });
    await get(sandbox, VALID.immutable.path);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([
      { method: 'POST', path: '/api/v1/events', status: 202, events: 1, idempotencyKey: 'row-3', ms: expect.any(Number) },
      { method: 'POST', path: '/api/v1/events/batch', status: 202, events: 2, ms: expect.any(Number) },
      { method: 'GET', path: '/api/v1/events', status: 200, events: 0, ms: expect.any(Number) },
    ]);
    expect(sandbox.stats).toMatchObject({ requests: 3, ingestRequests: 2 });
  });

  it('accepts a custom token instead of the default one', async () => {
    const sandbox = await start({ target: 'immutable', token: 'imk_custom' });
    expect(sandbox.token).toBe('imk_custom');
    expect((await post(sandbox, VALID.immutable.path, VALID.immutable.body)).status).toBe(202);
  });

  it('delays answers by latencyMs', async () => {
    const sandbox = await start({ target: 'immutable', latencyMs: 120 });
    const startedAt = Date.now();
    await post(sandbox, VALID.immutable.path, VALID.immutable.body);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(110);
  });

  it('rejects bad options with a typed error', async () => {
    const attempt = startSandbox({ target: 'immutable', failRate: 30 });
    await expect(attempt).rejects.toBeInstanceOf(SandboxOptionsError);
    await expect(attempt).rejects.toMatchObject({ code: 'EL_SANDBOX_OPTIONS', exitCode: 2, name: 'SandboxOptionsError' });
  });

  it('close destroys open sockets instead of waiting for them', async () => {
    const sandbox = await startSandbox({ target: 'immutable', latencyMs: 5_000 });
    const pending = post(sandbox, VALID.immutable.path, VALID.immutable.body);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    await sandbox.close();
    await expect(pending).rejects.toThrow(TypeError);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await sandbox.close(); // closing twice is harmless
  });
});
