// The flowmyna target: the key check before anything is sent, the body, and how a batch answer
// with partial failures becomes one outcome per event.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import type { CanonicalEvent } from '../../../src/events/canonical.js';
import { flowmynaTarget } from '../../../src/targets/flowmyna/index.js';
import type { ApiClient, Outcome, Session } from '../../../src/targets/types.js';

const KEY = `fm_live_${'a'.repeat(32)}`;
const offline: ApiClient = {
  get: async () => ({ status: 599, body: undefined }),
  post: async () => ({ status: 599, body: undefined }),
};
const session = (): Promise<Session> => flowmynaTarget.connect(offline, { env: { FLOWMYNA_API_KEY: KEY } });

const event: CanonicalEvent = {
  event: 'Order placed',
  timestamp: '2024-03-01T09:15:00+01:00',
  objects: [{ type: 'Order', id: 'SO-1', qualifier: 'target' }],
  properties: { amount: 12.5 },
  actor: { id: 'u-ana' },
  idempotency_key: 'el1_abc',
};

describe('flowmyna credentials', () => {
  it('refuses a key that is not fm_live_ and 32 characters, without repeating it', async () => {
    const secret = 'fm_live_tooshort_SECRET';
    const error = await flowmynaTarget.connect(offline, { env: { FLOWMYNA_API_KEY: secret } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toContain('SECRET');
  });

  it('refuses a missing key', async () => {
    await expect(flowmynaTarget.connect(offline, { env: {} })).rejects.toBeInstanceOf(ConfigError);
  });

  it('sends the key as a bearer token', async () => {
    expect(await (await session()).authHeaders()).toEqual({ authorization: `Bearer ${KEY}` });
  });
});

describe('flowmyna request body', () => {
  it('carries event, timestamp, objects and properties, as read', async () => {
    const { single, batch } = await session();
    expect(single.body(event)).toEqual({ event: 'Order placed', timestamp: '2024-03-01T09:15:00+01:00', objects: event.objects, properties: { amount: 12.5 } });
    expect(batch!.body([event, event])).toEqual({ events: [single.body(event), single.body(event)] });
  });
});

describe('flowmyna outcomes', () => {
  it('places each batch error on its event and the ids on the others, in order', async () => {
    const { batch } = await session();
    const answer = {
      status: 200,
      body: {
        success: false,
        processed: 2,
        failed: 1,
        event_ids: ['evt_a', 'evt_c'],
        errors: [{ index: 1, detail: [{ loc: ['body', 'events', 1, 'timestamp'], msg: 'Input should be a valid datetime', type: 'datetime_parsing' }] }],
      },
    };
    expect(batch!.outcomes(answer, 3)).toEqual([
      { kind: 'accepted', id: 'evt_a' },
      { kind: 'rejected', status: 422, message: 'events.1.timestamp: Input should be a valid datetime' },
      { kind: 'accepted', id: 'evt_c' },
    ]);
  });

  it('never counts an event as accepted when an error cannot be placed, and says it may be stored', async () => {
    const { batch } = await session();
    const outcomes = batch!.outcomes({ status: 200, body: { processed: 1, event_ids: ['evt_x'], errors: [{ detail: 'something failed' }] } }, 2) as Outcome[];
    expect(outcomes.every((outcome) => outcome.kind === 'rejected')).toBe(true);
    expect(outcomes[0]).toMatchObject({ message: expect.stringMatching(/stored 1 of its 2 events .*may or may not be stored/) });
  });

  it('places an error item that has no index by the position in its FastAPI loc', async () => {
    const { batch } = await session();
    const errors = [{ loc: ['body', 'events', 0, 'event'], msg: 'Field required' }, { detail: [{ loc: ['body', 'events', 2, 'timestamp'], msg: 'bad' }] }];
    const outcomes = batch!.outcomes({ status: 200, body: { processed: 1, event_ids: ['evt_b'], errors } }, 3) as Outcome[];
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['rejected', 'accepted', 'rejected']);
    expect(outcomes[1]).toEqual({ kind: 'accepted', id: 'evt_b' });
  });

  it('rejects a whole batch the server refused, with its message', async () => {
    const { batch } = await session();
    const outcomes = batch!.outcomes({ status: 422, body: { detail: [{ loc: ['body', 'events'], msg: 'List should have at most 100 items', type: 'too_long' }] } }, 2);
    expect(outcomes).toEqual([
      { kind: 'rejected', status: 422, message: 'events: List should have at most 100 items' },
      { kind: 'rejected', status: 422, message: 'events: List should have at most 100 items' },
    ]);
  });

  it('reads a single answer', async () => {
    const { single } = await session();
    expect(single.outcome({ status: 200, body: { success: true, event_id: 'evt_1' } })).toEqual({ kind: 'accepted', id: 'evt_1' });
    expect(single.outcome({ status: 422, body: { detail: [{ loc: ['body', 'event'], msg: 'Field required' }] } })).toEqual({ kind: 'rejected', status: 422, message: 'event: Field required' });
  });

  it('confirms nothing with a 200 that is not the documented answer', async () => {
    const { single, batch } = await session();
    expect(single.outcome({ status: 200, body: { success: false, detail: 'queue full' } })).toEqual({ unconfirmed: 'not FlowMyna\'s event answer ("success": false: queue full)' });
    expect(single.outcome({ status: 200, body: { success: true } })).toMatchObject({ unconfirmed: expect.stringContaining('event_id') });
    // The answer: nothing processed, nothing said about any event.
    expect(batch!.outcomes({ status: 200, body: { success: false, processed: 0, failed: 2, event_ids: [], errors: [] } }, 2)).toMatchObject({ unconfirmed: expect.stringMatching(/0 processed and 2 failed \(0 errors listed\) of the 2/) });
    expect(batch!.outcomes({ status: 200, body: { success: true, processed: 2, event_ids: ['evt_a'] } }, 2)).toMatchObject({ unconfirmed: expect.stringMatching(/"processed" is 2 but 1 event ids/) });
    expect(batch!.outcomes({ status: 200, body: { success: true, processed: 1, event_ids: ['evt_a'], errors: [] } }, 2)).toMatchObject({ unconfirmed: expect.any(String) });
    expect(batch!.outcomes({ status: 200, body: { ok: true } }, 2)).toMatchObject({ unconfirmed: expect.stringContaining('processed') });
  });
});
