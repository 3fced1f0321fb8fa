// The Immutable sandbox's list endpoint pages with a cursor that stands for a position in its log:
// a page costs its own records (verify reads a million events in 10,000 pages), filters and the
// time window still apply, `total` counts what matches, and events stored while a client pages are
// neither skipped nor served twice.
import { describe, expect, it } from 'vitest';
import { get, post, useSandboxes, VALID } from './helpers.js';

const start = useSandboxes();

async function readAll(sandbox: Awaited<ReturnType<typeof start>>, query: string, between?: (page: number) => Promise<void>) {
  const keys: string[] = [];
  const totals: number[] = [];
  let cursor = '';
  for (let page = 0; ; page++) {
    const answer = await get(sandbox, `/api/v1/events?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(answer.status).toBe(200);
    keys.push(...answer.body.data.map((record: { idempotency_key: string }) => record.idempotency_key));
    totals.push(answer.body.pagination.total);
    if (!answer.body.pagination.has_more) return { keys, totals, pages: page + 1 };
    cursor = answer.body.pagination.next_cursor;
    await between?.(page);
  }
}

describe('the Immutable sandbox pages by log position', () => {
  it('filters by actor and window, counts the total, and ends exactly at the last match', async () => {
    const sandbox = await start({ target: 'immutable' });
    for (let i = 0; i < 60; i++) {
      const occurred = new Date(Date.UTC(2024, 2, 1) + i * 3_600_000).toISOString();
      await post(sandbox, VALID.immutable.path, { ...VALID.immutable.body, actor_id: `user_${i % 3}`, occurred_at: occurred, idempotency_key: `k-${i}` });
    }
    const user1 = await readAll(sandbox, 'limit=7&actor_id=user_1');
    expect(user1.keys).toEqual(Array.from({ length: 20 }, (_, i) => `k-${i * 3 + 1}`));
    expect(user1.pages).toBe(3);
    expect(new Set(user1.totals)).toEqual(new Set([20]));
    const window = await readAll(sandbox, 'limit=10&from=2024-03-01T10:00:00Z&to=2024-03-01T19:00:00Z');
    expect(window.keys).toEqual(Array.from({ length: 10 }, (_, i) => `k-${i + 10}`));
    expect(window.pages).toBe(1); // ten matches, a page of ten: no empty page after it
    expect((await get(sandbox, '/api/v1/events?cursor=bm90IGpzb24')).status).toBe(422);
  });

  it('serves events stored while a client pages once each, none skipped', async () => {
    const sandbox = await start({ target: 'immutable' });
    for (let i = 0; i < 25; i++) await post(sandbox, VALID.immutable.path, { ...VALID.immutable.body, idempotency_key: `k-${i}` });
    let next = 25;
    const read = await readAll(sandbox, 'limit=10', async () => {
      for (let i = 0; i < 3; i++) await post(sandbox, VALID.immutable.path, { ...VALID.immutable.body, idempotency_key: `k-${next++}` });
    });
    expect(read.keys).toEqual(Array.from({ length: next }, (_, i) => `k-${i}`));
    expect(read.totals.at(-1)).toBe(next);
  });
});
