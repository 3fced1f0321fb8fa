// The drop fault (`--faults drop=FRACTION`): events answered as stored but kept nowhere, the loss
// `eventload verify` must find. Checked over real HTTP against each emulation's read endpoint.
import { describe, expect, it } from 'vitest';
import { parseFaults } from '../../src/sandbox/index.js';
import { get, post, useSandboxes, VALID } from './helpers.js';

const start = useSandboxes();

async function sendImmutable(sandbox: Awaited<ReturnType<typeof start>>, count: number) {
  const answers = [];
  for (let i = 0; i < count; i++) {
    answers.push(await post(sandbox, VALID.immutable.path, { ...VALID.immutable.body, idempotency_key: `k-${i}` }));
  }
  return answers;
}

describe('the drop fault', () => {
  it('answers every event as stored, keeps the rest, and records what it dropped', async () => {
    const sandbox = await start({ target: 'immutable', dropRate: 0.1, seed: 42 });
    const answers = await sendImmutable(sandbox, 200);
    expect(answers.every((answer) => answer.status === 202 && answer.body.status === 'queued')).toBe(true);
    const dropped = sandbox.stats.dropped.map((event) => event.key);
    expect(dropped.length).toBeGreaterThan(5);
    expect(dropped.length).toBeLessThan(40);
    expect(sandbox.stats.stored.length + dropped.length).toBe(200);
    const listed = await get(sandbox, '/api/v1/events?limit=100');
    expect(listed.body.pagination.total).toBe(200 - dropped.length);
    const keys = new Set<string>();
    let cursor = '';
    for (;;) {
      const page = await get(sandbox, `/api/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      for (const record of page.body.data) keys.add(record.idempotency_key);
      if (!page.body.pagination.has_more) break;
      cursor = page.body.pagination.next_cursor;
    }
    expect(dropped.some((key) => keys.has(key!))).toBe(false);
    // Not kept, so not a duplicate either: a resend is stored (unless dropped again).
    const again = await post(sandbox, VALID.immutable.path, { ...VALID.immutable.body, idempotency_key: dropped[0] });
    expect(again.body.status).toBe('queued');
  });

  it('drops the same events for the same seed, others for another', async () => {
    const droppedWith = async (seed: number) => {
      const sandbox = await start({ target: 'immutable', dropRate: 0.2, seed });
      await sendImmutable(sandbox, 60);
      return sandbox.stats.dropped.map((event) => event.key);
    };
    expect(await droppedWith(3)).toEqual(await droppedWith(3));
    expect(await droppedWith(3)).not.toEqual(await droppedWith(4));
  });

  it('keeps flaring ids unique and leaves dropped events out of GET /events', async () => {
    const sandbox = await start({ target: 'flaring', dropRate: 0.3, seed: 5, rateLimit: null });
    const ids = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const answer = await post(sandbox, VALID.flaring.path, { ...VALID.flaring.body, entity_id: `stack-${i}` });
      expect(answer.status).toBe(201);
      ids.add(answer.body.id);
    }
    expect(ids.size).toBe(40);
    const listed = await get(sandbox, '/events?limit=1000');
    expect(listed.body.length).toBe(40 - sandbox.stats.dropped.length);
    const droppedEntities = new Set(sandbox.stats.dropped.map((event) => event.body['entity_id']));
    expect(listed.body.some((event: { entity_id: string }) => droppedEntities.has(event.entity_id))).toBe(false);
    const kept = listed.body[0];
    expect((await get(sandbox, `/events/${kept.id}`)).body).toEqual(kept);
  });

  it('reads drop=FRACTION among the request faults of --faults', () => {
    expect(parseFaults('drop=0.01')).toEqual({ dropRate: 0.01 });
    expect(parseFaults('429, reset,drop=0.5')).toEqual({ faultKinds: ['429', 'reset'], dropRate: 0.5 });
    expect(() => parseFaults('drop=2')).toThrow(/drop fraction/);
    expect(() => parseFaults('lose')).toThrow(/unknown fault "lose"/);
  });
});
