// The immutable target: who is the actor, what is the resource, what the body carries, and how
// single and batch answers become outcomes.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalObject } from '../../../src/events/canonical.js';
import { assignRoles, immutableBody, immutableTarget } from '../../../src/targets/immutable/index.js';
import type { ApiClient, Session } from '../../../src/targets/types.js';

const base: CanonicalEvent = {
  event: 'invoice.paid',
  timestamp: '2024-05-02T08:00:00.123456+02:00',
  objects: [
    { type: 'Customer', id: 'C-17', qualifier: 'customer', properties: { name: 'Acme GmbH' } },
    { type: 'Invoice', id: 'INV-1', qualifier: 'target', properties: { name: 'Invoice 1', total: 10 } },
    { type: 'User', id: 'u-ana', qualifier: 'performer', properties: { name: 'Ana' } },
  ],
  properties: { channel: 'email' },
  idempotency_key: 'inv-1-paid',
};

const offline: ApiClient = {
  get: async () => ({ status: 599, body: undefined }),
  post: async () => ({ status: 599, body: undefined }),
};

async function session(options: Record<string, unknown> = {}): Promise<Session> {
  return immutableTarget.connect(offline, { env: { IMMUTABLE_API_KEY: 'imk_test_key' } }, options);
}

describe('immutable role assignment', () => {
  it('takes the actor from `actor` when the event has one, leaving the objects alone', () => {
    const roles = assignRoles({ ...base, actor: { id: 'u-dora', name: 'Dora', type: 'user' } });
    expect(roles.actor).toEqual({ id: 'u-dora', name: 'Dora', type: 'user' });
    expect(roles.resource?.id).toBe('INV-1');
    expect(roles.others.map((object) => object.id)).toEqual(['C-17', 'u-ana']);
  });

  it('else takes the actor from the object qualified performer, initiator or actor', () => {
    for (const qualifier of ['performer', 'initiator', 'actor']) {
      const objects = base.objects.map((object) => (object.id === 'u-ana' ? { ...object, qualifier } : object));
      const roles = assignRoles({ ...base, objects });
      expect(roles.actor, qualifier).toEqual({ id: 'u-ana', type: 'User', name: 'Ana' });
      expect(roles.others.map((object) => object.id), qualifier).toEqual(['C-17']);
    }
  });

  it('makes the object qualified target the resource, else the first remaining object', () => {
    expect(assignRoles(base).resource?.id).toBe('INV-1');
    const [customer, invoice, user] = base.objects as [CanonicalObject, CanonicalObject, CanonicalObject];
    const { qualifier: _target, ...unqualifiedInvoice } = invoice;
    const roles = assignRoles({ ...base, objects: [customer, unqualifiedInvoice, user] });
    expect(roles.actor?.id).toBe('u-ana');
    expect(roles.resource?.id).toBe('C-17');
    expect(roles.others.map((object) => object.id)).toEqual(['INV-1']);
  });

  it('finds no actor when none is mapped and no object plays the part', () => {
    expect(assignRoles({ ...base, objects: [base.objects[1]!] }).actor).toBeUndefined();
  });
});

describe('immutable request body', () => {
  it('carries action, actor, resource, targets, metadata, time and key', () => {
    const body = immutableBody(base, { tenant_id: 'shop-eu', action_category: 'billing', version: 2 });
    expect(body).toEqual({
      actor_id: 'u-ana',
      action: 'invoice.paid',
      actor_name: 'Ana',
      actor_type: 'User',
      resource: 'Invoice',
      resource_id: 'INV-1',
      resource_name: 'Invoice 1',
      targets: [{ type: 'Customer', id: 'C-17', name: 'Acme GmbH', metadata: { name: 'Acme GmbH' } }],
      metadata: { channel: 'email' },
      occurred_at: '2024-05-02T08:00:00.123456+02:00',
      idempotency_key: 'inv-1-paid',
      tenant_id: 'shop-eu',
      action_category: 'billing',
      version: 2,
    });
  });

  it('is the same whenever it is built from the same event, and leaves the event untouched', () => {
    const event = structuredClone(base);
    const first = JSON.stringify(immutableBody(event, {}));
    expect(JSON.stringify(immutableBody(event, {}))).toBe(first);
    expect(event).toEqual(base);
  });

  it('is rejected locally when there is no actor', () => {
    const issues = immutableTarget.check({ ...base, objects: [base.objects[1]!] });
    expect(issues.map((issue) => issue.path)).toEqual(['actor']);
  });

  it('is rejected locally past 50 metadata keys', () => {
    const properties = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(immutableTarget.check({ ...base, properties })[0]?.message).toMatch(/at most 50 keys/);
  });
});

describe('immutable outcomes', () => {
  it('counts queued as accepted and duplicate as a duplicate, in a single answer', async () => {
    const { single } = await session();
    expect(single.outcome({ status: 202, body: { id: 'a', status: 'queued' } })).toEqual({ kind: 'accepted', id: 'a' });
    expect(single.outcome({ status: 202, body: { id: 'a', status: 'duplicate' } })).toEqual({ kind: 'duplicate', id: 'a' });
  });

  it('reports a 422 with the server message', async () => {
    const { single } = await session();
    expect(single.outcome({ status: 422, body: { error: 'validation_failed', message: 'actor_id: required' } })).toEqual({
      kind: 'rejected',
      status: 422,
      message: 'validation_failed: actor_id: required',
    });
  });

  it('reads one outcome per event from a batch answer, in order', async () => {
    const { batch } = await session();
    const outcomes = batch!.outcomes(
      {
        status: 202,
        body: { events: [{ id: 'a', status: 'queued' }, { status: 'failed', error: 'validation_failed', message: 'actor_id: must be at most 255 characters' }, { id: 'c', status: 'duplicate' }] },
      },
      3,
    );
    expect(outcomes).toEqual([
      { kind: 'accepted', id: 'a' },
      { kind: 'rejected', status: 422, message: 'validation_failed: actor_id: must be at most 255 characters' },
      { kind: 'duplicate', id: 'c' },
    ]);
  });

  it('neither delivers nor rejects a batch whose answer does not account for every event: it confirms nothing', async () => {
    const { batch, single } = await session();
    expect(batch!.outcomes({ status: 202, body: { events: [{ id: 'a', status: 'queued' }] } }, 2)).toEqual({ unconfirmed: 'the batch answer has 1 results for 2 events' });
    expect(batch!.outcomes({ status: 202, body: { events: [{ id: 'a', status: 'queued' }, { status: 'stored?' }] } }, 2)).toMatchObject({ unconfirmed: expect.stringMatching(/^result 1: /) });
    expect(batch!.outcomes({ status: 202, body: { accepted: 2 } }, 2)).toMatchObject({ unconfirmed: expect.stringContaining('events') });
    expect(single.outcome({ status: 202, body: { status: 'queued' } })).toMatchObject({ unconfirmed: expect.stringContaining('id') });
  });

  it('rejects every event of a batch the server refused as a whole', async () => {
    const { batch } = await session();
    const outcomes = batch!.outcomes({ status: 422, body: { error: 'validation_failed', message: 'events: must contain at most 100 events' } }, 2);
    expect(outcomes).toEqual([
      { kind: 'rejected', status: 422, message: 'validation_failed: events: must contain at most 100 events' },
      { kind: 'rejected', status: 422, message: 'validation_failed: events: must contain at most 100 events' },
    ]);
  });
});
