// The hand-written fast check in front of zod must never accept what zod refuses.
import { describe, expect, it } from 'vitest';
import { actorSchema, canonicalEventSchema, canonicalObjectSchema, checkCanonical, looksValid } from '../../src/events/canonical.js';

const base = () => ({
  event: 'Order placed',
  timestamp: '2024-03-01T09:15:00+01:00',
  objects: [
    { type: 'Order', id: 'SO-1', qualifier: 'target', properties: { amount: 1 } },
    { type: 'User', id: 'u-1' },
  ],
  properties: { status: 'placed' },
  actor: { id: 'u-1', name: 'Ana', type: 'user' },
  idempotency_key: 'k-1',
});

// Values that sit on and around every boundary of the schema, and of the wrong type.
const candidates: unknown[] = [undefined, null, '', 'x', 'x'.repeat(100), 'x'.repeat(101), 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(500), 'x'.repeat(501), 0, 1, true, [], [1], {}, { a: 1 }, [{}], [{ type: 'T', id: 'I' }], [{ type: 'T', id: 'I', extra: 1 }], { id: 'a' }, { id: 'a', extra: 1 }];
const paths: string[][] = [['event'], ['timestamp'], ['objects'], ['objects', '0'], ['objects', '0', 'type'], ['objects', '0', 'id'], ['objects', '1', 'qualifier'], ['objects', '0', 'properties'], ['properties'], ['actor'], ['actor', 'id'], ['actor', 'name'], ['actor', 'type'], ['idempotency_key'], ['unknown_field'], ['objects', '0', 'unknown'], ['actor', 'unknown']];

function setPath(target: Record<string, any>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) node = node[part];
  if (node === undefined || node === null) return;
  node[path.at(-1)!] = value;
}

describe('looksValid', () => {
  it('accepts nothing zod refuses, across every field and boundary value', () => {
    let accepted = 0;
    let checked = 0;
    for (const path of paths) {
      for (const value of candidates) {
        const event = base();
        setPath(event, path, value);
        checked++;
        const zod = canonicalEventSchema.safeParse(event).success;
        if (looksValid(event)) {
          accepted++;
          expect(zod, `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`).toBe(true);
        }
        // And checkCanonical agrees with zod either way.
        expect(checkCanonical(event).length === 0).toBe(zod);
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(accepted).toBeGreaterThan(20); // the fast path is really taken
  });

  it('knows the same field names as the schema, at every level (its lists are written out)', () => {
    const levels: Array<[string[], Record<string, unknown>]> = [
      [[], canonicalEventSchema.shape],
      [['objects', '0'], canonicalObjectSchema.shape],
      [['actor'], actorSchema.shape],
    ];
    const names = new Set(levels.flatMap(([, shape]) => Object.keys(shape)));
    for (const [path, shape] of levels) {
      // base() has every field of every level: the fast path takes it (below); any other name is refused.
      expect(Object.keys(path.reduce((node: any, part) => node[part], base())).sort()).toEqual(Object.keys(shape).sort());
      for (const name of names) {
        if (name in shape) continue;
        const event = base();
        const node = path.reduce((at: any, part) => at[part], event);
        node[name] = 'x';
        expect(looksValid(event), `${[...path, name].join('.')}`).toBe(false);
      }
    }
  });

  it('takes the fast path for a plain valid event', () => {
    expect(looksValid(base())).toBe(true);
    expect(looksValid({ event: 'e', timestamp: 't', objects: [{ type: 'T', id: 'I' }] })).toBe(true);
  });
});
