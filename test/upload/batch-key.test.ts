// A batch's Idempotency-Key: derived from its events' keys, so a resent batch carries the same key
// and a different batch never does.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/events/canonical.js';
import { batchKey } from '../../src/upload/uploader.js';

const event = (key: string): CanonicalEvent => ({ event: 'e', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 't', id: key }], idempotency_key: key });

describe('batchKey', () => {
  it('is the same for the same events, every time', () => {
    expect(batchKey([event('a'), event('b')])).toBe(batchKey([event('a'), event('b')]));
    expect(batchKey([event('a'), event('b')])).toMatch(/^elb_[0-9a-f]{32}$/);
  });

  it('differs when an event, the order or the length differs', () => {
    const keys = new Set([
      batchKey([event('a'), event('b')]),
      batchKey([event('b'), event('a')]),
      batchKey([event('a'), event('c')]),
      batchKey([event('a')]),
      batchKey([event('a'), event('b'), event('c')]),
    ]);
    expect(keys.size).toBe(5);
  });

  it('cannot be confused by keys that run together', () => {
    expect(batchKey([event('ab'), event('c')])).not.toBe(batchKey([event('a'), event('bc')]));
  });

  it('depends on the keys only, not on other content', () => {
    expect(batchKey([{ ...event('a'), event: 'other' }])).toBe(batchKey([event('a')]));
  });
});
