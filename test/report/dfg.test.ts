// The directly-follows graph per object type, and the cap on the objects it remembers: past the
// cap it forgets the least recently seen object and says how many it forgot.
import { describe, expect, it } from 'vitest';
import { DfgBuilder } from '../../src/report/dfg.js';
import type { CanonicalEvent } from '../../src/events/canonical.js';

const event = (name: string, ...objects: Array<[string, string]>): CanonicalEvent => ({ event: name, timestamp: '2024-01-01T00:00:00Z', objects: objects.map(([type, id]) => ({ type, id })) });

describe('directly-follows graph', () => {
  it('links the events of the same object id, per object type, with counts, starts and ends', () => {
    const dfg = new DfgBuilder();
    for (const order of ['O1', 'O2']) {
      dfg.add(event('place', ['Order', order], ['Item', `${order}-a`], ['Item', `${order}-b`]));
      dfg.add(event('pick', ['Item', `${order}-a`]));
      dfg.add(event('pick', ['Item', `${order}-b`]));
      dfg.add(event('ship', ['Order', order], ['Item', `${order}-a`], ['Item', `${order}-b`]));
    }
    const data = dfg.data();
    expect(data.forgotten).toBe(0);
    const order = data.types.find((t) => t.type === 'Order')!;
    expect(order.objects).toBe(2);
    expect(order.edges).toEqual([{ from: 'place', to: 'ship', count: 2 }]);
    expect(order.starts).toEqual([{ event: 'place', count: 2 }]);
    expect(order.ends).toEqual([{ event: 'ship', count: 2 }]);
    const item = data.types.find((t) => t.type === 'Item')!;
    expect(item.objects).toBe(4);
    expect(item.nodes).toEqual([{ event: 'place', count: 4 }, { event: 'pick', count: 4 }, { event: 'ship', count: 4 }]);
    expect(item.edges).toEqual([{ from: 'place', to: 'pick', count: 4 }, { from: 'pick', to: 'ship', count: 4 }]);
  });

  it('forgets the objects first seen earliest past its cap, and counts what it forgot', () => {
    const dfg = new DfgBuilder(2);
    dfg.add(event('a', ['T', '1']));
    dfg.add(event('a', ['T', '2']));
    dfg.add(event('b', ['T', '2']));
    dfg.add(event('a', ['T', '3'])); // past the cap: 1 goes
    dfg.add(event('b', ['T', '1'])); // a new path for 1, which pushes 2 out
    dfg.add(event('b', ['T', '3']));
    const data = dfg.data();
    expect(data.objectCap).toBe(2);
    expect(data.forgotten).toBe(2);
    expect(data.types[0]!.edges).toEqual([{ from: 'a', to: 'b', count: 2 }]);
    expect(data.types[0]!.starts).toEqual([{ event: 'a', count: 3 }, { event: 'b', count: 1 }]);
  });
});
