// Inputs for the report's tests: process-mining data with several objects per event (an order and
// its items), so the directly-follows graph has more than one object type and shared events.
import type { CanonicalEvent } from '../../src/events/canonical.js';
import type { RunData } from '../../src/report/run-data.js';

/** The run data a report embeds (what it was drawn from). */
export function embedded(html: string): RunData {
  const match = /<script type="application\/json" id="eventload-run-data">(.*?)<\/script>/s.exec(html);
  if (!match) throw new Error('no run data in the report');
  return JSON.parse(match[1]!) as RunData;
}

/**
 * Per order: "Order placed" (the order and its two items), "Item picked" for each item, then
 * "Order shipped" (the order and its items). Orders interleave, as in a real export.
 */
export function orderEvents(orders: number): CanonicalEvent[] {
  const start = Date.parse('2024-03-01T08:00:00Z');
  const events: CanonicalEvent[] = [];
  const at = (i: number) => new Date(start + i * 60_000).toISOString();
  let i = 0;
  for (let o = 0; o < orders; o++) {
    const order = { type: 'Order', id: `O-${o}` };
    const items = [{ type: 'Item', id: `I-${o}-a` }, { type: 'Item', id: `I-${o}-b` }];
    events.push({ event: 'Order placed', timestamp: at(i++), objects: [order, ...items], idempotency_key: `placed-${o}` });
    for (const item of items) events.push({ event: 'Item picked', timestamp: at(i++), objects: [item], idempotency_key: `picked-${item.id}` });
    events.push({ event: 'Order shipped', timestamp: at(i++), objects: [order, ...items], idempotency_key: `shipped-${o}` });
  }
  return events;
}
