// Makes the attributes object of each XES event from its keys and values. The events of a log mostly
// have the same keys in the same order, and adding keys one by one to a new object is slow in V8:
// every key is a megamorphic keyed store, and its string (freshly cut by the parser) a string-table
// lookup. So for each order of keys seen, a function is compiled once that makes the object in one
// literal, `{"concept:name": v[0], "time:timestamp": v[1], ...}`: V8 then copies a ready-made shape.
// That made a 1M-event dry run about 5 % faster (BENCHMARKS.md, bench case 9).
//
// The keys go into the source text as JSON strings, which are valid JavaScript string literals, so
// no key can inject code. Orders that a literal cannot make the same as key-by-key adding (a key
// given twice, whose values addEntry gathers in an array; `__proto__`, which a literal treats as the
// prototype) are made key by key, as is every order past the numbered ones (key-orders.ts), and all of them where
// code cannot be compiled from strings (node --disallow-code-generation-from-strings).
import { addEntry } from './attributes.js';
import { KeyOrders, UNNUMBERED } from './key-orders.js';

type Literal = (values: readonly unknown[]) => Record<string, unknown>;

export class ObjectMaker {
  private readonly orders = new KeyOrders();
  /** Per order's number: its literal, or null when it has none. */
  private readonly literals: Array<Literal | null> = [];

  /** The object of the first `count` keys and values, as addEntry would build it. */
  make(keys: readonly string[], values: readonly unknown[], count: number): Record<string, unknown> {
    const number = this.orders.number(keys, count);
    if (this.orders.fresh) this.literals[number] = compile(this.orders.keys);
    const literal = number === UNNUMBERED ? null : this.literals[number]!;
    if (literal) return literal(values);
    const out: Record<string, unknown> = {};
    for (let at = 0; at < count; at++) addEntry(out, keys[at]!, values[at]);
    return out;
  }
}

function compile(order: readonly string[]): Literal | null {
  if (order.includes('__proto__') || new Set(order).size !== order.length) return null;
  const members = order.map((key, at) => `${JSON.stringify(key)}:v[${at}]`).join(',');
  try {
    return new Function('v', `return {${members}};`) as Literal;
  } catch {
    return null; // code generation from strings is disallowed
  }
}
