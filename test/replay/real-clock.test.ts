// One run on the real clock: 2 s of history at 1000x takes about 2 ms and keeps the order.
import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/replay/clock.js';
import { parseReplayOptions } from '../../src/replay/options.js';
import { createReplayStats, recordLag, replayItems, scheduledAt } from '../../src/replay/schedule.js';
import { eventsAt, names, source, type Emitted } from './helpers.js';

describe('replay on the real clock', () => {
  it('sends 2 s of history at 1000x in order, each event no earlier than scheduled', async () => {
    const offsets = [0, 250, 500, 400, 1000, 1500, 2000]; // one out of order
    const stats = createReplayStats();
    const emitted: Emitted[] = [];
    const started = performance.now();
    for await (const item of replayItems(source(eventsAt(offsets)), parseReplayOptions({ speed: '1000x' }), realClock, stats)) {
      const now = realClock.now();
      expect(now).toBeGreaterThanOrEqual(scheduledAt(item)!);
      recordLag(stats, now - scheduledAt(item)!);
      emitted.push({ item, at: now });
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(names(emitted)).toEqual(['e0', 'e1', 'e3', 'e2', 'e4', 'e5', 'e6']);
    expect(stats).toMatchObject({ scheduled: 7, late: 0 });
  });
});
