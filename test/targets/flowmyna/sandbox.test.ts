// FlowMyna sandbox: documented shapes, FastAPI-style 422s, batches, auth, and no deduplication.
import { describe, expect, it } from 'vitest';
import { sandboxToken } from '../../../src/sandbox/index.js';
import { get, post, useSandboxes, VALID } from '../../sandbox/helpers.js';

const start = useSandboxes();
const EVENT = VALID.flowmyna.body;

describe('flowmyna sandbox', () => {
  it('uses a default key shaped like a real one', () => {
    expect(sandboxToken('flowmyna')).toMatch(/^fm_live_[A-Za-z0-9_-]{32}$/);
  });

  it('accepts a valid event and stores it', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const response = await post(sandbox, VALID.flowmyna.path, EVENT, { headers: { 'idempotency-key': 'k-1' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      event_type: 'Order Placed',
      timestamp: '2024-03-01T12:00:00Z',
      objects_count: 2,
      message: 'Event recorded',
    });
    expect(response.body.event_id).toMatch(/^evt_/);
    expect(sandbox.stats.stored).toHaveLength(1);
    expect(sandbox.stats.stored[0]).toMatchObject({ id: response.body.event_id, key: 'k-1', body: EVENT });
    expect(sandbox.stats.keyCounts.get('k-1')).toBe(1);
  });

  it('accepts the key in X-FlowMyna-Api-Key too', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const response = await get(sandbox, '/api/public/v1/health', { token: null, headers: { 'x-flowmyna-api-key': sandbox.token } });
    expect(response).toMatchObject({ status: 200, body: { status: 'ok', workspace: 'Sandbox workspace', dataset: 'Sandbox dataset' } });
  });

  it('answers 401 on a wrong or missing key', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    for (const token of ['fm_live_wrongwrongwrongwrongwrongwrong12', null]) {
      const response = await post(sandbox, VALID.flowmyna.path, EVENT, { token });
      expect(response).toMatchObject({ status: 401, body: { detail: 'Invalid API key' } });
    }
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('answers 422 in FastAPI shape for invalid events', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const response = await post(sandbox, VALID.flowmyna.path, {
      event: '',
      objects: [],
      timestamp: 'yesterday',
    });
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual([
      { loc: ['body', 'event'], msg: 'String should have at least 1 character', type: 'string_too_short' },
      { loc: ['body', 'objects'], msg: 'List should have at least 1 item after validation, not 0', type: 'too_short' },
      { loc: ['body', 'timestamp'], msg: 'Input should be a valid datetime', type: 'datetime_parsing' },
    ]);
    const missing = await post(sandbox, VALID.flowmyna.path, { objects: [{ type: 'Order' }] });
    expect(missing.body.detail).toEqual([
      { loc: ['body', 'event'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'objects', 0, 'id'], msg: 'Field required', type: 'missing' },
    ]);
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('ignores an unknown idempotency_key field and records it as the key', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const response = await post(sandbox, VALID.flowmyna.path, { ...EVENT, idempotency_key: 'row-1' });
    expect(response.status).toBe(200);
    expect(sandbox.stats.stored[0]?.key).toBe('row-1');
  });

  it('stores a resent event twice: there is no deduplication', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const headers = { 'idempotency-key': 'same' };
    await post(sandbox, VALID.flowmyna.path, EVENT, { headers });
    await post(sandbox, VALID.flowmyna.path, EVENT, { headers });
    expect(sandbox.stats.stored).toHaveLength(2);
    expect(sandbox.stats.keyCounts.get('same')).toBe(2);
  });

  it('processes a batch item by item and reports partial failure', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const events = [EVENT, { ...EVENT, event: 'x'.repeat(201) }, { ...EVENT, idempotency_key: 'own' }];
    const response = await post(sandbox, '/api/public/v1/event/batch', { events }, { headers: { 'idempotency-key': 'b1' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: false, processed: 2, failed: 1 });
    expect(response.body.event_ids).toHaveLength(2);
    expect(response.body.errors).toEqual([
      {
        index: 1,
        detail: [{ loc: ['body', 'events', 1, 'event'], msg: 'String should have at most 200 characters', type: 'string_too_long' }],
      },
    ]);
    expect(sandbox.stats.stored.map((event) => event.key)).toEqual(['b1#0', 'own']);
    expect(sandbox.stats.stored.map((event) => event.id)).toEqual(response.body.event_ids);
  });

  it('refuses a batch of more than 100 events as a whole', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const response = await post(sandbox, '/api/public/v1/event/batch', { events: Array(101).fill(EVENT) });
    expect(response.status).toBe(422);
    expect(response.body.detail[0]).toMatchObject({ loc: ['body', 'events'], type: 'too_long' });
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('upserts objects idempotently, merging properties', async () => {
    const sandbox = await start({ target: 'flowmyna' });
    const first = await post(sandbox, '/api/public/v1/object/upsert', { type: 'Order', id: 'o-1', properties: { a: 1 } });
    const second = await post(sandbox, '/api/public/v1/object/upsert', { type: 'Order', id: 'o-1', properties: { b: 2 } });
    expect(first.body).toMatchObject({ success: true, created: true });
    expect(second.body).toMatchObject({ success: true, created: false, object_id: first.body.object_id });
  });
});
