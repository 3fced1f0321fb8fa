// replayStage: the scheduler as a stage of src/core's pipeline. It paces the items it is given,
// measures each send's lag through the context's send news, and puts the lag in the summary.
import { describe, expect, it } from 'vitest';
import type { EventItem } from '../../src/upload/uploader.js';
import { FakeClock } from '../../src/replay/clock.js';
import { parseReplayOptions } from '../../src/replay/options.js';
import { replayStage } from '../../src/replay/stage.js';
import { eventsAt, source, START } from './helpers.js';

describe('replayStage', () => {
  it('paces items, records the lag of each send it hears of, and reports it in the summary', async () => {
    const clock = new FakeClock(START);
    const stage = replayStage(parseReplayOptions({ speed: '1' }), clock);
    let onSent: ((events: readonly EventItem[]) => void) | undefined;
    const out = stage.transform(source(eventsAt([0, 1000, 2000])), { signal: new AbortController().signal, onSent: (listener) => (onSent = listener) });
    const times: number[] = [];
    for await (const item of out) {
      times.push(clock.now() - START);
      clock.advance(300); // the request leaves 300 ms after its time
      if (item.kind === 'event') onSent!([item]);
    }
    expect(times).toEqual([0, 1000, 2000]);
    expect(stage.stats.lagMaxMs).toBe(300);
    expect(stage.summary?.()).toEqual({ replay: expect.objectContaining({ speed: 1, lagMaxMs: 300, scheduled: 3 }) });
  });
});
