// Immutable sandbox: 202 answers, deduplication by idempotency key, batches, read-back pages.
import { describe, expect, it } from 'vitest';
import { get, post, useSandboxes, VALID } from '../../sandbox/helpers.js';

const start = useSandboxes();
const EVENT = VALID.immutable.body;
const PATH = VALID.immutable.path;

describe('immutable sandbox', () => {
  it('accepts a valid event and stores it', async () => {
    const sandbox = await start({ target: 'immutable' });
    const response = await post(sandbox, PATH, { ...EVENT, idempotency_key: 'k-1' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
    expect(sandbox.stats.stored).toHaveLength(1);
    expect(sandbox.stats.stored[0]).toMatchObject({ id: response.body.id, key: 'k-1' });
  });

  it('answers 422 validation_failed naming each bad field', async () => {
    const sandbox = await start({ target: 'immutable' });
    const missing = await post(sandbox, PATH, { action: 'invoice.paid' });
    expect(missing).toMatchObject({ status: 422, body: { error: 'validation_failed', message: 'actor_id: required' } });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, index]));
    const bad = await post(sandbox, PATH, { ...EVENT, metadata: many, targets: [{ id: 'x' }], version: 1.5 });
    expect(bad.body.message).toBe('metadata: must have at most 50 keys; targets.0.type: required; version: must be an integer');
    const huge = await post(sandbox, PATH, { ...EVENT, metadata: { blob: 'x'.repeat(70 * 1024) } });
    expect(huge.body.message).toBe('metadata: must be at most 64 KB');
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('answers duplicate with the original id for a key seen before, storing nothing', async () => {
    const sandbox = await start({ target: 'immutable' });
    const first = await post(sandbox, PATH, { ...EVENT, idempotency_key: 'k-1' });
    const again = await post(sandbox, PATH, { ...EVENT, idempotency_key: 'k-1' });
    expect(again).toMatchObject({ status: 202, body: { id: first.body.id, status: 'duplicate' } });
    expect(sandbox.stats.stored).toHaveLength(1);
    expect(sandbox.stats.keyCounts.get('k-1')).toBe(1);
  });

  it('uses the Idempotency-Key header when the body has no key', async () => {
    const sandbox = await start({ target: 'immutable' });
    const headers = { 'idempotency-key': 'h-1' };
    const first = await post(sandbox, PATH, EVENT, { headers });
    const again = await post(sandbox, PATH, EVENT, { headers });
    expect(again.body).toEqual({ id: first.body.id, status: 'duplicate' });
    expect(sandbox.stats.keyCounts.get('h-1')).toBe(1);
  });

  it('processes a batch item by item: invalid and duplicate items do not stop the others', async () => {
    const sandbox = await start({ target: 'immutable' });
    const events = [
      { ...EVENT, idempotency_key: 'a' },
      { ...EVENT, actor_id: '' },
      { ...EVENT, idempotency_key: 'a' },
      { ...EVENT, idempotency_key: 'b' },
    ];
    const response = await post(sandbox, `${PATH}/batch`, { events });
    expect(response.status).toBe(202);
    const [first, failed, duplicate, last] = response.body.events;
    expect(first).toEqual({ id: expect.any(String), status: 'queued' });
    expect(failed).toEqual({ status: 'failed', error: 'validation_failed', message: 'actor_id: must not be empty' });
    expect(duplicate).toEqual({ id: first.id, status: 'duplicate' });
    expect(last.status).toBe('queued');
    expect(sandbox.stats.stored.map((event) => event.key)).toEqual(['a', 'b']);
  });

  it('refuses a batch of more than 100 events as a whole', async () => {
    const sandbox = await start({ target: 'immutable' });
    const response = await post(sandbox, `${PATH}/batch`, { events: Array(101).fill(EVENT) });
    expect(response).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('answers 401 unauthenticated on a wrong key', async () => {
    const sandbox = await start({ target: 'immutable' });
    const response = await post(sandbox, PATH, EVENT, { token: 'imk_wrong' });
    expect(response).toMatchObject({ status: 401, body: { error: 'unauthenticated', message: 'Invalid API key' } });
  });

  it('lists stored events with their keys, page by page', async () => {
    const sandbox = await start({ target: 'immutable' });
    for (let index = 0; index < 5; index += 1) {
      await post(sandbox, PATH, { ...EVENT, actor_id: index === 4 ? 'other' : 'user_1', idempotency_key: `k${index}` });
    }
    const page1 = await get(sandbox, `${PATH}?actor_id=user_1&limit=3`);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((event: { idempotency_key: string }) => event.idempotency_key)).toEqual(['k0', 'k1', 'k2']);
    expect(page1.body.pagination).toMatchObject({ has_more: true, total: 4 });
    const page2 = await get(sandbox, `${PATH}?actor_id=user_1&limit=3&cursor=${page1.body.pagination.next_cursor}`);
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.pagination).toEqual({ has_more: false, next_cursor: null, total: 4 });
    const badLimit = await get(sandbox, `${PATH}?limit=0`);
    expect(badLimit.status).toBe(422);
  });
});
