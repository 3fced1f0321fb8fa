// `node bench/keys-cost.mjs`: where a derived key's time goes (issue 18, case 1), on 20,000 events
// of the shape case 1's mapping makes. Compares the stable JSON (contentOf) with a serializer
// written for that one shape (the most a serializer compiled per mapping could gain; checked to
// give the same bytes), and one-shot crypto.hash with createHash. Interleaved repetitions; medians.
// Run `npm run build` first: it reads dist/.
import { createHash, hash } from 'node:crypto';
import { contentOf, KeyDeriver, stableStringify } from '../dist/events/keys.js';

const EVENTS = 20_000;
const REPS = 9;
const STATUSES = ['placed', 'approved', 'packed', 'shipped', 'delivered', 'invoiced', 'paid', 'returned'];

/** What case 1's mapping makes of row i of bench/run.mjs's data (same fields, same kinds of values). */
function event(i) {
  const order = Math.floor(i / 4);
  const customer = (order * 7) % 80_000;
  const rep = `u-${String(order % 250).padStart(3, '0')}`;
  return {
    event: `Order ${STATUSES[(i % 4) + (order % 3 === 0 ? 4 : 0)]}`,
    timestamp: `${new Date(Date.UTC(2021, 0, 1) + order * 31_000 + (i % 4) * 5_400_000).toISOString().slice(0, 19)}+01:00`,
    objects: [
      { type: 'Order', id: `SO-${String(order).padStart(8, '0')}`, qualifier: 'target', properties: { amount: ((order * 7_919) % 500_000) / 100, currency: 'EUR' } },
      { type: 'Customer', id: `C-${String(customer).padStart(6, '0')}`, qualifier: 'customer', properties: { name: customer % 10 === 0 ? `Kunde ${customer}, GmbH` : `Customer ${customer}` } },
      { type: 'User', id: rep, qualifier: 'performer' },
    ],
    properties: { status: STATUSES[i % 4], item_count: 1 + (order % 9) },
    actor: { id: rep, type: 'user' },
  };
}

const q = (value) => stableStringify(value);
/** The stable JSON of exactly this shape, keys in sorted order written out: no Object.keys, no shape lookup. */
function forThisShape(e) {
  let out = `{"actor":{"id":${q(e.actor.id)},"type":${q(e.actor.type)}},"event":${q(e.event)},"objects":[`;
  e.objects.forEach((o, i) => {
    out += `${i ? ',' : ''}{"id":${q(o.id)}`;
    if (o.properties) out += i === 0 ? `,"properties":{"amount":${q(o.properties.amount)},"currency":${q(o.properties.currency)}}` : `,"properties":{"name":${q(o.properties.name)}}`;
    out += `,"qualifier":${q(o.qualifier)},"type":${q(o.type)}}`;
  });
  return `${out}],"properties":{"item_count":${q(e.properties.item_count)},"status":${q(e.properties.status)}},"timestamp":${q(e.timestamp)}}`;
}

const events = Array.from({ length: EVENTS }, (_, i) => event(i));
const contents = events.map(contentOf);
for (const e of events) if (forThisShape(e) !== contentOf(e)) throw new Error(`the shape serializer differs from contentOf: ${forThisShape(e)}`);

const steps = {
  'contentOf (stable JSON, generic)': () => events.forEach((e) => contentOf(e)),
  'serializer for this shape': () => events.forEach((e) => forThisShape(e)),
  'crypto.hash sha256 (one shot)': () => contents.forEach((c) => hash('sha256', c, 'hex')),
  'createHash sha256': () => contents.forEach((c) => createHash('sha256').update(c).digest('hex')),
  'KeyDeriver.keyFor (all of a key)': () => {
    const keys = new KeyDeriver();
    events.forEach((e) => keys.keyFor(e));
  },
};
const times = Object.fromEntries(Object.keys(steps).map((name) => [name, []]));
for (let rep = 0; rep < REPS; rep++) {
  for (const [name, step] of Object.entries(steps)) {
    const started = performance.now();
    step();
    times[name].push(((performance.now() - started) * 1000) / EVENTS);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [name, values] of Object.entries(times)) console.log(`${name.padEnd(34)} ${median(values).toFixed(2)} µs/event (min ${Math.min(...values).toFixed(2)})`);
