// Repeat numbers of derived keys are exact within a window of W events and forget beyond it: the
// keys stay those el1_ always gave (recorded from the code before the window), a repeat within W
// counts 1, 2, ..., one further than W is the same event, and memory stops growing at W.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/events/canonical.js';
import { contentHash, contentOf, KeyDeriver, keyFor, RepeatWindow } from '../../src/events/keys.js';
import { loadMapping } from '../../src/mapping/load.js';
import { readEvents, type ReadOptions } from '../../src/pipeline/read-events.js';
import { fixture } from '../helpers.js';

const event = (id: string): CanonicalEvent => ({ event: 'Order placed', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'Order', id }] });
const repeatKey = (id: string, n: number) => keyFor(contentOf(event(id)), n);

async function fixtureKeys(options: Partial<ReadOptions> = {}): Promise<string[]> {
  const keys: string[] = [];
  const mapping = await loadMapping(fixture('orders.mapping.json'));
  for await (const item of readEvents({ files: [fixture('repeats.csv')], mapping, ...options })) keys.push(item.kind === 'event' ? item.event.idempotency_key! : item.kind);
  return keys;
}

describe('derived keys with a repeat window', () => {
  it('are the keys el1_ gave before the window, for a file with many repeats', async () => {
    // 400 rows of 59 contents, repeated up to 37 times, at distances from 1 to 321 rows.
    const recorded = JSON.parse(await readFile(fixture('repeats.keys.json'), 'utf8')) as { keys: string[] };
    expect(recorded.keys).toHaveLength(400);
    expect(await fixtureKeys()).toEqual(recorded.keys);
    // Every repeat is within 321 rows of the previous identical one: a window that small keeps them all.
    expect(await fixtureKeys({ repeatWindow: 321 })).toEqual(recorded.keys);
    // A smaller one does not, and says so by changing keys (so the two checks above can fail).
    expect(await fixtureKeys({ repeatWindow: 50 })).not.toEqual(recorded.keys);
  });

  it('counts a repeat at distance W or less, and treats one further away as the same event', () => {
    const deriver = new KeyDeriver(100);
    let filler = 0;
    const fill = (count: number) => {
      for (let i = 0; i < count; i++) deriver.keyFor(event(`filler-${filler++}`));
    };
    expect(deriver.keyFor(event('A'))).toBe(repeatKey('A', 0));
    fill(99);
    expect(deriver.keyFor(event('A'))).toBe(repeatKey('A', 1)); // distance 100 = W
    fill(50);
    expect(deriver.keyFor(event('A'))).toBe(repeatKey('A', 2)); // chained: each within W of the last
    fill(100);
    expect(deriver.keyFor(event('A'))).toBe(repeatKey('A', 0)); // distance 101 > W: the same event again
    expect(deriver.keyFor(event('A'))).toBe(repeatKey('A', 1));
    expect(repeatKey('A', 0)).toBe(`el1_${createHash('sha256').update(contentOf(event('A'))).digest('hex').slice(0, 32)}`);
  });

  it('gives the numbers of an exact count of the last W events, on random input with heavy repeats', () => {
    // The reference remembers every content: n = the previous identical event's n + 1 when it is
    // at most W back, else 0.
    const window = 5_000;
    const repeats = new RepeatWindow(window);
    const last = new Map<number, { at: number; n: number }>();
    let largest = 0;
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    for (let at = 0; at < 300_000; at++) {
      // Mostly 20,000 contents at random (gaps around W), with runs of one content (n past 255).
      const content = at % 50_000 < 1_000 ? 1 : Math.floor(random() * 20_000);
      const [high, low] = fingerprint(content);
      const before = last.get(content);
      const expected = before && at - before.at <= window ? before.n + 1 : 0;
      last.set(content, { at, n: expected });
      largest = Math.max(largest, expected);
      const n = repeats.next(high, low);
      if (n !== expected) expect({ at, content, n }).toEqual({ at, content, n: expected });
    }
    expect(largest).toBeGreaterThanOrEqual(999); // numbers past a byte's range took the other path
  });

  it('stops growing at the window: the same size after W events and after ten times W', () => {
    const window = 200_000;
    const repeats = new RepeatWindow(window);
    const sizes: number[] = [];
    for (let i = 0; i < 10 * window; i++) {
      repeats.next(...fingerprint(i));
      if (i + 1 === window / 4 || i + 1 === window || i + 1 === 10 * window) sizes.push(repeats.bytes);
    }
    expect(sizes[0]).toBeLessThan(sizes[1]!); // it grows on the way to W...
    expect(sizes[2]).toBe(sizes[1]); // ...and no further
    expect(sizes[1]).toBeLessThanOrEqual(14.4 * window + 64);
  });

  it('gives no repeat number to any of 3 million distinct rows', () => {
    const deriver = new KeyDeriver();
    const row: CanonicalEvent = { event: 'Order placed', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'Order', id: '' }], properties: { amount: 0 } };
    const sample: Array<[string, string]> = [];
    for (let i = 0; i < 3_000_000; i++) {
      row.objects[0]!.id = `SO-${i}`;
      row.properties!.amount = i % 1_000;
      const key = deriver.keyFor(row);
      if (i % 100_000 === 99_999) sample.push([key, `el1_${contentHash(row).slice(0, 32)}`]);
    }
    expect(deriver.repeated).toBe(0);
    // The counter counts: keys without a repeat number are the content hash, and a repeat is counted.
    for (const [key, unsuffixed] of sample) expect(key).toBe(unsuffixed);
    deriver.keyFor(row);
    expect(deriver.repeated).toBe(1);
  }, 600_000);
});

/** Two well-mixed 32-bit words from a number (a stand-in for the two words of an event's SHA-256). */
function fingerprint(value: number): [number, number] {
  return [mix(value ^ 0x9e3779b9), mix(value + 0x7f4a7c15)];
}

/** murmur3's finaliser: every input bit flips each output bit with probability about one half. */
function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
