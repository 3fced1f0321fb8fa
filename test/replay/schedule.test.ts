// The scheduler on a fake clock: every event must come out at an exact virtual time, and the
// scheduler must never sleep for an event that is already due.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { FakeClock, type Clock } from '../../src/replay/clock.js';
import { parseReplayOptions } from '../../src/replay/options.js';
import { replayKey } from '../../src/events/keys.js';
import { createReplayStats, recordLag, replayItems, scheduledAt } from '../../src/replay/schedule.js';
import { BASE, START, eventAt, events, eventsAt, iso, names, replay, source, times } from './helpers.js';

describe('pacing', () => {
  const offsets = [0, 1000, 3000, 6000];

  it('sends each event when its offset from the first has elapsed at speed 1', async () => {
    const { emitted, stats, clock } = await replay(eventsAt(offsets), { speed: '1' });
    expect(times(emitted)).toEqual([0, 1000, 3000, 6000]);
    expect(names(emitted)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect((clock as FakeClock).sleeps).toEqual([1000, 2000, 3000]);
    expect(stats).toMatchObject({ scheduled: 4, late: 0, filtered: 0, loops: 1 });
  });

  it('divides every gap by the speed: 10 and 10x', async () => {
    expect(times((await replay(eventsAt(offsets), { speed: '10' })).emitted)).toEqual([0, 100, 300, 600]);
    expect(times((await replay(eventsAt(offsets), { speed: '10x' })).emitted)).toEqual([0, 100, 300, 600]);
  });

  it('stretches every gap at speed 0.5', async () => {
    expect(times((await replay(eventsAt(offsets), { speed: '0.5' })).emitted)).toEqual([0, 2000, 6000, 12000]);
  });

  it('never waits at speed max, and keeps the order', async () => {
    const { emitted, clock } = await replay(eventsAt([0, 3000, 1000, 86_400_000]), { speed: 'max' });
    expect(times(emitted)).toEqual([0, 0, 0, 0]);
    expect(names(emitted)).toEqual(['e0', 'e2', 'e1', 'e3']);
    expect((clock as FakeClock).sleeps).toEqual([]);
    expect(emitted.map(({ item }) => scheduledAt(item))).toEqual([START, START, START, START]);
  });

  it('assigns each event the time it was due, for the lag measurement', async () => {
    const { emitted } = await replay(eventsAt(offsets), { speed: '2' });
    expect(emitted.map(({ item }) => scheduledAt(item))).toEqual([START, START + 500, START + 1500, START + 3000]);
  });

  it('counts time from the first event, not from an absolute epoch', async () => {
    const { emitted } = await replay(eventsAt([3_600_000, 3_601_000]), { speed: '1' });
    expect(times(emitted)).toEqual([0, 1000]);
  });
});

describe('max gap', () => {
  const offsets = [0, 1000, 3_600_000, 3_602_000]; // an hour of nothing between e1 and e2

  it('waits out every idle gap in full without --max-gap', async () => {
    expect(times((await replay(eventsAt(offsets), { speed: '1' })).emitted)).toEqual([0, 1000, 3_600_000, 3_602_000]);
  });

  it('caps each idle gap and keeps the shorter ones', async () => {
    expect(times((await replay(eventsAt(offsets), { speed: '1', maxGap: '5s' })).emitted)).toEqual([0, 1000, 6000, 8000]);
  });

  it('caps in event time, before dividing by the speed', async () => {
    expect(times((await replay(eventsAt(offsets), { speed: '10', maxGap: '5s' })).emitted)).toEqual([0, 100, 600, 800]);
  });

  it('changes when events are sent, not their timestamps', async () => {
    const { emitted } = await replay(eventsAt(offsets), { speed: '1', maxGap: '5s', shiftTo: '2025-01-01T00:00:00Z' });
    expect(events(emitted).map((event) => event.timestamp)).toEqual(['2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', '2025-01-01T01:00:00Z', '2025-01-01T01:00:02Z']);
  });
});

describe('shift', () => {
  const history = () => [
    eventAt('2024-03-12T08:30:00+01:00', 'created', { properties: { amount: 5 } }),
    eventAt('2024-03-12T09:45:30.250+01:00', 'shipped'),
    eventAt('2024-03-13T10:00:00+01:00', 'paid'),
  ];

  it('moves the first event to a fixed instant, keeping gaps, offset and precision', async () => {
    const { emitted } = await replay(history(), { speed: 'max', shiftTo: '2025-01-01T00:00:00Z' });
    expect(events(emitted).map((event) => event.timestamp)).toEqual(['2025-01-01T01:00:00+01:00', '2025-01-01T02:15:30.250+01:00', '2025-01-02T02:30:00+01:00']);
  });

  it('keeps the original timestamp in properties.original_timestamp, beside the other properties', async () => {
    const { emitted } = await replay(history(), { speed: 'max', shiftTo: '2025-01-01T00:00:00Z' });
    const [created, shipped] = events(emitted);
    expect(created!.properties).toEqual({ amount: 5, original_timestamp: '2024-03-12T08:30:00+01:00' });
    expect(shipped!.properties).toEqual({ original_timestamp: '2024-03-12T09:45:30.250+01:00' });
  });

  it('leaves original_timestamp out with --no-keep-original', async () => {
    const { emitted } = await replay(history(), { speed: 'max', shiftTo: '2025-01-01T00:00:00Z', keepOriginal: false });
    const [created, shipped] = events(emitted);
    expect(created!.properties).toEqual({ amount: 5 });
    expect(shipped!.properties).toBeUndefined();
  });

  it('keeps an original_timestamp already there (a replay of a replay)', async () => {
    const item = eventAt('2025-01-01T00:00:00Z', 'again', { properties: { original_timestamp: '2020-05-05T05:05:05Z' } });
    const { emitted } = await replay([item], { speed: 'max', shiftTo: '2026-01-01T00:00:00Z' });
    expect(events(emitted)[0]!.properties).toEqual({ original_timestamp: '2020-05-05T05:05:05Z' });
  });

  it('shifts to now: the first event lands at the moment it is sent (fake clock)', async () => {
    const now = Date.parse('2025-06-01T12:00:00.000Z');
    const { emitted } = await replay(history(), { speed: '1000', shiftTo: 'now' }, { clock: new FakeClock(now) });
    expect(events(emitted).map((event) => event.timestamp)).toEqual(['2025-06-01T13:00:00+01:00', '2025-06-01T14:15:30.250+01:00', '2025-06-02T14:30:00+01:00']);
    expect(times(emitted)).toEqual([0, 4530.25, 91_800]); // 1 h 15 min 30.25 s and 25.5 h of event time at 1000x
  });

  it('does not touch events when nothing is shifted', async () => {
    const items = history();
    const { emitted } = await replay(items, { speed: 'max' });
    expect(emitted.map(({ item }) => item)).toEqual(items);
    expect(events(emitted)[0]).toBe(items[0]!.event);
  });

  it('does not change the input events it shifts', async () => {
    const items = history();
    await replay(items, { speed: 'max', shiftTo: 'now' });
    expect(items[0]!.event).toMatchObject({ timestamp: '2024-03-12T08:30:00+01:00', idempotency_key: items[0]!.event.idempotency_key, properties: { amount: 5 } });
  });
});

describe('idempotency keys', () => {
  it('derives new keys from the original key, the first instant and the loop', async () => {
    const items = eventsAt([0, 1000]);
    const originals = items.map((item) => item.event.idempotency_key!);
    const { emitted } = await replay(items, { speed: 'max', shiftTo: '2025-01-01T00:00:00+01:00' });
    expect(events(emitted).map((event) => event.idempotency_key)).toEqual(originals.map((key) => replayKey(key, '2024-12-31T23:00:00.000Z', 1)));
    expect(events(emitted)[0]!.idempotency_key).toMatch(/^elr_[0-9a-f]{32}$/);
  });

  it('gives a second replay shifted to now different keys, so it is not deduplicated away', async () => {
    const items = eventsAt([0, 1000]);
    const first = await replay(items, { speed: 'max', shiftTo: 'now' }, { clock: new FakeClock(Date.parse('2025-01-01T00:00:00Z')) });
    const second = await replay(items, { speed: 'max', shiftTo: 'now' }, { clock: new FakeClock(Date.parse('2025-01-02T00:00:00Z')) });
    const keys = (run: typeof first) => events(run.emitted).map((event) => event.idempotency_key);
    expect(new Set([...keys(first), ...keys(second)]).size).toBe(4);
  });

  it('gives a rerun to the same fixed instant the same keys (a retried replay is deduplicated)', async () => {
    const items = eventsAt([0, 1000]);
    const keys = async () => events((await replay(items, { speed: 'max', shiftTo: '2025-01-01T00:00:00Z' })).emitted).map((event) => event.idempotency_key);
    expect(await keys()).toEqual(await keys());
  });

  it('sends the original keys with --keep-keys', async () => {
    const items = eventsAt([0, 1000]);
    const { emitted } = await replay(items, { speed: 'max', shiftTo: 'now', keepKeys: true });
    expect(events(emitted).map((event) => event.idempotency_key)).toEqual(items.map((item) => item.event.idempotency_key));
  });
});

describe('--from / --until', () => {
  it('passes events outside the window on as skipped, counted as filtered, at once', async () => {
    const items = eventsAt([0, 60_000, 120_000, 180_000, 240_000]);
    const { emitted, stats } = await replay(items, { speed: '1', from: iso(60_000), until: iso(180_000) });
    expect(names(emitted)).toEqual(['skipped', 'skipped', 'skipped', 'e1', 'e2']);
    expect(times(emitted)).toEqual([0, 0, 0, 0, 60_000]);
    expect(emitted[0]!.item).toEqual({ kind: 'skipped', position: items[0]!.position, reason: 'outside --from/--until' });
    expect(stats).toMatchObject({ filtered: 3, scheduled: 2 });
  });

  it('takes a date alone as midnight UTC, so a date-only --until is exclusive as the README says', async () => {
    const items = [eventAt('2024-03-11T23:59:59Z', 'before'), eventAt('2024-03-12T00:00:00Z', 'first'), eventAt('2024-03-12T23:59:59.999Z', 'last'), eventAt('2024-03-13T00:00:00Z', 'after')];
    const { emitted } = await replay(items, { speed: 'max', from: '2024-03-12', until: '2024-03-13' });
    expect(names(emitted)).toEqual(['skipped', 'skipped', 'first', 'last']);
  });
});

describe('items that are not events', () => {
  it('passes rejected and skipped items on at once, ahead of events still waiting', async () => {
    const [early, late] = eventsAt([0, 10_000]);
    const rejected = { kind: 'rejected' as const, position: { file: 'history.ndjson', line: 99 }, stage: 'map' as const, issues: [{ path: 'event', message: 'is required', code: 'EL_FIELD_REQUIRED' as const }] };
    const skipped = { kind: 'skipped' as const, position: { file: 'history.ndjson', line: 100 }, reason: 'phase' };
    const { emitted } = await replay([early!, rejected, skipped, late!], { speed: '1', reorderWindow: '0' });
    expect(names(emitted)).toEqual(['e0', 'rejected', 'skipped', 'e1']);
    expect(times(emitted)).toEqual([0, 0, 0, 10_000]);
    expect(emitted[1]!.item).toBe(rejected);
  });

  it('rejects an event whose timestamp cannot be read as an instant, instead of dropping it', async () => {
    const { emitted } = await replay([eventAt('2016-12-31T23:59:60Z', 'leap second')], { speed: 'max' });
    expect(emitted[0]!.item).toMatchObject({ kind: 'rejected', stage: 'validate', issues: [{ path: 'timestamp' }] });
  });
});

describe('reorder window', () => {
  it('sends out-of-order input in timestamp order within the window', async () => {
    const { emitted, stats } = await replay(eventsAt([0, 3000, 1000, 2000]), { speed: '1', reorderWindow: '10' });
    expect(names(emitted)).toEqual(['e0', 'e2', 'e3', 'e1']);
    expect(times(emitted)).toEqual([0, 1000, 2000, 3000]);
    expect(stats.late).toBe(0);
  });

  it('sends an event older than the window output at once, counted late, never dropped', async () => {
    // Window of 1: e0 goes out when e1 comes, e1 when e2 comes; e3 (1 s) is older than e1 (5 s).
    const { emitted, stats, clock } = await replay(eventsAt([0, 5000, 6000, 1000]), { speed: '1', reorderWindow: '1' });
    expect(names(emitted)).toEqual(['e0', 'e1', 'e3', 'e2']);
    expect(times(emitted)).toEqual([0, 5000, 5000, 6000]);
    expect((clock as FakeClock).sleeps).toEqual([5000, 1000]); // nothing waited for the late one
    expect(scheduledAt(emitted[2]!.item)).toBe(START + 5000); // due with the latest, so no false lag
    expect(stats).toMatchObject({ late: 1, scheduled: 4 });
  });

  it('does not let a late event open a gap for the ones after it (max-gap still measured from the latest)', async () => {
    const { emitted } = await replay(eventsAt([0, 60_000, 1000, 62_000]), { speed: '1', reorderWindow: '0', maxGap: '10s' });
    expect(times(emitted)).toEqual([0, 10_000, 10_000, 12_000]);
  });
});

describe('--loop', () => {
  it('repeats the window, each repetition shifted by its span plus 1 s', async () => {
    const { emitted, stats } = await replay(eventsAt([0, 2000, 5000]), { speed: '1', loop: '3' });
    expect(times(emitted)).toEqual([0, 2000, 5000, 6000, 8000, 11_000, 12_000, 14_000, 17_000]);
    expect(events(emitted).map((event) => event.timestamp)).toEqual([
      iso(0), iso(2000), iso(5000),
      iso(6000), iso(8000), iso(11_000),
      iso(12_000), iso(14_000), iso(17_000),
    ]);
    expect(stats).toMatchObject({ scheduled: 9, loops: 3 });
  });

  it('keeps the first repetition as it came and gives later ones new keys and original_timestamp', async () => {
    const items = eventsAt([0, 2000, 5000]);
    const { emitted } = await replay(items, { speed: 'max', loop: '3' });
    const sent = events(emitted);
    expect(sent.slice(0, 3)).toEqual(items.map((item) => item.event));
    expect(sent[3]).toMatchObject({ idempotency_key: replayKey(items[0]!.event.idempotency_key!, iso(0).replace('Z', '.000Z'), 2), properties: { original_timestamp: iso(0) } });
    expect(new Set(sent.map((event) => event.idempotency_key)).size).toBe(9);
  });

  it('appends #<loop> to kept keys after the first repetition', async () => {
    const items = eventsAt([0, 1000]);
    const { emitted } = await replay(items, { speed: 'max', loop: '3', keepKeys: true, shiftTo: 'now' });
    const [a, b] = items.map((item) => item.event.idempotency_key);
    expect(events(emitted).map((event) => event.idempotency_key)).toEqual([a, b, `${a}#2`, `${b}#2`, `${a}#3`, `${b}#3`]);
  });

  it('combines with shift: the first repetition lands at the instant, the others follow', async () => {
    const { emitted } = await replay(eventsAt([0, 2000]), { speed: 'max', loop: '2', shiftTo: '2025-01-01T00:00:00Z' });
    expect(events(emitted).map((event) => event.timestamp)).toEqual(['2025-01-01T00:00:00Z', '2025-01-01T00:00:02Z', '2025-01-01T00:00:03Z', '2025-01-01T00:00:05Z']);
  });

  it('passes rejected and filtered items on once, not per repetition', async () => {
    const items = eventsAt([0, 1000, 99_000]);
    const { emitted, stats } = await replay(items, { speed: 'max', loop: '2', until: iso(50_000) });
    expect(names(emitted)).toEqual(['skipped', 'e0', 'e1', 'e0', 'e1']);
    expect(stats.filtered).toBe(1);
  });

  it('refuses a window too large to hold, before any event is sent', async () => {
    const clock = new FakeClock(START);
    const stats = createReplayStats();
    const options = { ...parseReplayOptions({ loop: '2' }), loopBufferLimit: 2 };
    const sent: unknown[] = [];
    const run = async () => {
      for await (const item of replayItems(source(eventsAt([0, 1000, 2000])), options, clock, stats)) sent.push(item);
    };
    await expect(run()).rejects.toThrow(ConfigError);
    await expect(run()).rejects.toThrow(/--loop 2: the selected window has more than 2 events.*--from\/--until/);
    expect(sent).toEqual([]);
  });
});

describe('a consumer that falls behind', () => {
  it('gets overdue events at once, and its lag shows in max and p95', async () => {
    const clock = new FakeClock(START);
    const { emitted, stats } = await replay(eventsAt([0, 100, 200, 300, 400]), { speed: '1' }, {
      clock,
      afterEach: async ({ item }, stats) => {
        recordLag(stats, clock.now() - scheduledAt(item)!); // dispatched as soon as it arrives
        await clock.sleep(300); // then the target takes 300 ms
      },
    });
    expect(times(emitted)).toEqual([0, 300, 600, 900, 1200]);
    expect(clock.sleeps).toEqual([300, 300, 300, 300, 300]); // the scheduler itself never slept
    expect(stats).toMatchObject({ lagMaxMs: 800, lagP95Ms: 800 });
  });

  it('catches up after a slow stretch: events due later are waited for again', async () => {
    let pulls = 0;
    const clock = new FakeClock(START);
    const { emitted } = await replay(eventsAt([0, 100, 200, 5000]), { speed: '1' }, {
      clock,
      afterEach: () => {
        if (pulls++ === 0) clock.advance(1000); // one slow request
      },
    });
    expect(times(emitted)).toEqual([0, 1000, 1000, 5000]);
    expect(clock.sleeps).toEqual([4000]);
  });
});

describe('stopping', () => {
  it('ends during a wait when the signal is aborted, and yields nothing more', async () => {
    const controller = new AbortController();
    let slept = 0;
    // A clock whose sleeps only end when aborted: a replay waiting hours for its next event.
    const clock: Clock = {
      now: () => START,
      sleep: (_ms, signal) =>
        new Promise((resolve) => {
          slept++;
          signal?.addEventListener('abort', () => resolve(), { once: true });
          setTimeout(() => controller.abort(), 5);
        }),
    };
    const { emitted } = await replay(eventsAt([0, 3_600_000, 7_200_000]), { speed: '1' }, { clock, control: { signal: controller.signal } });
    expect(names(emitted)).toEqual(['e0']);
    expect(slept).toBe(1);
  });
});

describe('BASE', () => {
  it('is what the helpers count from', () => {
    expect(iso(0)).toBe('2024-03-12T08:00:00Z');
    expect(Date.parse(iso(1500))).toBe(BASE + 1500);
  });
});
