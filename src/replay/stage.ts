// Replay as a stage of the delivery pipeline: items in at the reader's pace, out at their
// original pace (or faster, shifted, windowed, looped); the lag of each send is measured as it leaves.
import type { DeliveryStage } from '../core/options.js';
import type { Clock } from './clock.js';
import type { ReplayOptions } from './options.js';
import { createReplayStats, recordLag, replayItems, scheduledAt, type ReplayStats } from './schedule.js';

export interface ReplayStage extends DeliveryStage {
  /** Live: read by the progress line, copied into the summary (`replay`). */
  readonly stats: ReplayStats;
}

export function replayStage(options: ReplayOptions, clock: Clock): ReplayStage {
  const stats = createReplayStats();
  return {
    stats,
    transform(items, context) {
      context.onSent((batch) => {
        const now = clock.now();
        for (const item of batch) {
          const due = scheduledAt({ kind: 'event', ...item });
          if (due !== undefined) recordLag(stats, Math.max(0, now - due));
        }
      });
      return replayItems(items, options, clock, stats, { signal: context.signal });
    },
    summary: () => ({ replay: { speed: options.speed, ...stats } }),
  };
}
