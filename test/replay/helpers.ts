// Builders for replay tests: pipeline items from timestamps, and a run of the scheduler on a
// fake clock that records the virtual time each item came out at.
import type { CanonicalEvent } from '../../src/events/canonical.js';
import type { PipelineItem } from '../../src/pipeline/read-events.js';
import { FakeClock, type Clock } from '../../src/replay/clock.js';
import { parseReplayOptions } from '../../src/replay/options.js';
import { createReplayStats, replayItems, type ReplayControl, type ReplayStats } from '../../src/replay/schedule.js';

/** 2024-03-12T08:00:00Z: event times in tests are given as milliseconds after this. */
export const BASE = Date.parse('2024-03-12T08:00:00Z');
/** Virtual wall time the fake clock starts at. */
export const START = 1_000_000;

/** BASE + ms as ISO 8601 in UTC, without milliseconds when there are none. */
export function iso(ms: number): string {
  return new Date(BASE + ms).toISOString().replace('.000Z', 'Z');
}

let line = 0;

export function eventAt(timestamp: string, name = 'Step', extra: Partial<CanonicalEvent> = {}): Extract<PipelineItem, { kind: 'event' }> {
  line++;
  return {
    kind: 'event',
    event: { event: name, timestamp, objects: [{ type: 'Case', id: `c-${line}` }], idempotency_key: `key-${line}`, ...extra },
    position: { file: 'history.ndjson', line },
    record: {},
  };
}

/** Events at these offsets (ms after BASE), named e0, e1, ... in input order. */
export function eventsAt(offsets: number[]): Extract<PipelineItem, { kind: 'event' }>[] {
  return offsets.map((offset, index) => eventAt(iso(offset), `e${index}`));
}

export async function* source(items: PipelineItem[]): AsyncGenerator<PipelineItem> {
  for (const item of items) yield item;
}

export interface Emitted {
  item: PipelineItem;
  /** Virtual time the item came out, relative to START. */
  at: number;
}

/** Pulls every item, noting the (virtual) time; `afterEach` plays a consumer's work between pulls. */
export async function replay(
  items: PipelineItem[],
  raw: Record<string, unknown> = {},
  { clock = new FakeClock(START), afterEach, control }: { clock?: Clock; afterEach?: (emitted: Emitted, stats: ReplayStats) => Promise<void> | void; control?: ReplayControl } = {},
) {
  const stats = createReplayStats();
  const emitted: Emitted[] = [];
  const origin = clock.now();
  for await (const item of replayItems(source(items), parseReplayOptions(raw), clock, stats, control)) {
    const entry = { item, at: clock.now() - origin };
    emitted.push(entry);
    await afterEach?.(entry, stats);
  }
  return { emitted, stats, clock };
}

export const names = (emitted: Emitted[]) => emitted.map(({ item }) => (item.kind === 'event' ? item.event.event : item.kind));
export const times = (emitted: Emitted[]) => emitted.map(({ at }) => at);
export const events = (emitted: Emitted[]) => emitted.flatMap(({ item }) => (item.kind === 'event' ? [item.event] : []));
