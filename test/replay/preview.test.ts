// previewSchedule (what --dry-run prints) against what the scheduler then actually does.
import { describe, expect, it } from 'vitest';
import { parseReplayOptions } from '../../src/replay/options.js';
import { previewSchedule } from '../../src/replay/schedule.js';
import { eventAt, eventsAt, iso, replay, source, times } from './helpers.js';

describe('previewSchedule', () => {
  it('counts events and measures the span and the duration at the chosen speed', async () => {
    const preview = await previewSchedule(source(eventsAt([0, 1000, 3000, 6000])), parseReplayOptions({ speed: '2' }));
    expect(preview).toEqual({ events: 4, eventsPerLoop: 4, firstEvent: iso(0), lastEvent: iso(6000), spanMs: 6000, expectedDurationMs: 3000, filtered: 0, late: 0 });
  });

  it('applies max-gap, loops and the pause between them, as the scheduler does', async () => {
    const offsets = [0, 1000, 3_600_000, 3_602_000];
    const raw = { speed: '2', maxGap: '5s', loop: '3' };
    const preview = await previewSchedule(source(eventsAt(offsets)), parseReplayOptions(raw));
    // Per loop 8 s after max-gap; two pauses of 1 s; at 2x: (3 × 8 + 2 × 1) / 2 = 13 s.
    expect(preview).toMatchObject({ events: 12, eventsPerLoop: 4, spanMs: 3_602_000, expectedDurationMs: 13_000 });
    const { emitted } = await replay(eventsAt(offsets), raw);
    expect(times(emitted).at(-1)).toBe(preview.expectedDurationMs);
  });

  it('matches the scheduler with out-of-order input and a late event', async () => {
    const offsets = [2000, 0, 9000, 500, 12_000];
    const raw = { speed: '1', reorderWindow: '1', maxGap: '2s', loop: '2' };
    const preview = await previewSchedule(source(eventsAt(offsets)), parseReplayOptions(raw));
    const { emitted, stats } = await replay(eventsAt(offsets), raw);
    expect(Math.max(...times(emitted))).toBe(preview.expectedDurationMs);
    expect(preview).toMatchObject({ late: 1, firstEvent: iso(0), lastEvent: iso(12_000), spanMs: 12_000 });
    expect(stats.late).toBe(2); // once per repetition
  });

  it('leaves out events outside --from/--until, counting them', async () => {
    const preview = await previewSchedule(source(eventsAt([0, 60_000, 120_000, 180_000])), parseReplayOptions({ from: iso(60_000), until: iso(180_000) }));
    expect(preview).toMatchObject({ events: 2, filtered: 2, firstEvent: iso(60_000), lastEvent: iso(120_000), spanMs: 60_000, expectedDurationMs: 60_000 });
  });

  it('expects no waiting at speed max', async () => {
    expect((await previewSchedule(source(eventsAt([0, 86_400_000])), parseReplayOptions({ speed: 'max', loop: '2' }))).expectedDurationMs).toBe(0);
  });

  it('reports nothing to send when there are no events', async () => {
    const rejected = { kind: 'rejected' as const, position: { file: 'f', line: 1 }, stage: 'map' as const, issues: [] };
    expect(await previewSchedule(source([rejected]), parseReplayOptions({}))).toEqual({ events: 0, eventsPerLoop: 0, firstEvent: '', lastEvent: '', spanMs: 0, expectedDurationMs: 0, filtered: 0, late: 0 });
  });

  it('gives the original timestamps as written', async () => {
    const preview = await previewSchedule(source([eventAt('2024-03-12T08:30:00+01:00'), eventAt('2024-03-12T09:00:00.250+01:00')]), parseReplayOptions({ shiftTo: 'now' }));
    expect(preview).toMatchObject({ firstEvent: '2024-03-12T08:30:00+01:00', lastEvent: '2024-03-12T09:00:00.250+01:00', spanMs: 1_800_250 });
  });
});
