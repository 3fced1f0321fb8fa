// ObjectMaker must make exactly what adding the keys one by one (addEntry) makes: the same own
// members, in the same order, the same prototype, repeated keys gathered the same way.
import { describe, expect, it } from 'vitest';
import { addEntry } from '../../../src/readers/xes/attributes.js';
import { ObjectMaker } from '../../../src/readers/xes/object-maker.js';

function keyByKey(keys: string[], values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  keys.forEach((key, at) => addEntry(out, key, values[at]));
  return out;
}

/** Own members in enumeration order, with the prototype: what JSON and every later stage see. */
function described(object: Record<string, unknown>) {
  return { prototype: Object.getPrototypeOf(object), keys: Reflect.ownKeys(object), json: JSON.stringify(object) };
}

describe('ObjectMaker', () => {
  it('makes what key-by-key adding makes, for orders that repeat, change, grow, shrink or cannot be literals', () => {
    const maker = new ObjectMaker();
    const names = ['concept:name', 'time:timestamp', 'org:resource', 'x', 'x', '__proto__', '1', '0', 'toString', 'constructor', 'quote"key', 'line\nkey', '\u2028', 'a\\b'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let previous: string[] = [];
    // The caller's buffers, reused from call to call as the XES walk reuses them.
    const keys: string[] = [];
    const values: unknown[] = [];
    for (let round = 0; round < 3000; round++) {
      const order = random() < 0.6 && previous.length > 0 ? previous : Array.from({ length: Math.floor(random() * 6) }, () => names[Math.floor(random() * names.length)]!);
      order.forEach((key, at) => {
        keys[at] = key;
        values[at] = random() < 0.5 ? `v${round}.${at}` : { nested: [round, at] };
      });
      const made = maker.make(keys, values, order.length);
      expect(described(made)).toEqual(described(keyByKey(order, values.slice(0, order.length))));
      previous = order;
    }
  });

  it('goes on making correct objects once it knows 256 orders', () => {
    const maker = new ObjectMaker();
    for (let round = 0; round < 600; round++) {
      const keys = [`k${round}`, 'concept:name', `k${round % 7}`];
      const values = [round, 'a', round % 7];
      expect(maker.make(keys, values, 3)).toEqual(keyByKey(keys, values));
    }
  });

  it('makes only the first `count` keys', () => {
    const maker = new ObjectMaker();
    expect(maker.make(['a', 'b', 'c'], [1, 2, 3], 3)).toEqual({ a: 1, b: 2, c: 3 });
    expect(maker.make(['a', 'b', 'c'], [4, 5, 6], 2)).toEqual({ a: 4, b: 5 });
    expect(Object.keys(maker.make(['a', 'b', 'c'], [7, 8, 9], 3))).toEqual(['a', 'b', 'c']);
  });
});
