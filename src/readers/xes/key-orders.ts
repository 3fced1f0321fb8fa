// The orders of attribute keys a log's events come in, numbered as first seen. The events of a log
// mostly share two or three orders, so what depends on the order alone is done once per number:
// ObjectMaker compiles an object literal for it, and the worker's encoder (wire.ts) sends its keys
// once. Past MAX_ORDERS, an order gets no number (UNNUMBERED), so a log whose every event has keys
// of its own does not grow the table with its length.
const MAX_ORDERS = 256;
export const UNNUMBERED = -1;

export class KeyOrders {
  /** Per order, its keys joined by NUL (which no XML name holds): its number. */
  private readonly numbers = new Map<string, number>();
  /** The previous call's order and number: most events have the previous event's keys. */
  private lastKeys: string[] = [];
  private lastNumber = UNNUMBERED;
  /** Whether the last call numbered its order (its first use): the order's keys are then `lastKeys`. */
  fresh = false;

  /** The number of the order of the first `count` keys, or UNNUMBERED. */
  number(keys: readonly string[], count = keys.length): number {
    if (this.lastNumber !== UNNUMBERED && sameKeys(this.lastKeys, keys, count)) {
      this.fresh = false;
      return this.lastNumber;
    }
    const order = keys.slice(0, count);
    const id = order.join('\u0000');
    let number = this.numbers.get(id);
    this.fresh = number === undefined && this.numbers.size < MAX_ORDERS;
    if (this.fresh) this.numbers.set(id, (number = this.numbers.size));
    this.lastKeys = order;
    this.lastNumber = number ?? UNNUMBERED;
    return this.lastNumber;
  }

  /** The keys of the order the last call numbered or found. */
  get keys(): readonly string[] {
    return this.lastKeys;
  }
}

function sameKeys(order: readonly string[], keys: readonly string[], count: number): boolean {
  if (order.length !== count) return false;
  for (let at = 0; at < count; at++) if (order[at] !== keys[at]) return false;
  return true;
}
