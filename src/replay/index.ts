// `eventload replay`, the core: pacing, reordering, shifting, windowing and looping of pipeline
// items against an injected clock. replayStage puts it between validation and upload in src/core.
export { FakeClock, realClock, type Clock } from './clock.js';
export { DEFAULT_REORDER_WINDOW, LOOP_BUFFER_LIMIT, MAX_REORDER_WINDOW, parseDuration, parseReplayOptions, replayOptionsSchema, type ReplayOptions } from './options.js';
export { ReorderWindow, type Timed } from './reorder.js';
export {
  LOOP_PAUSE_MS,
  createReplayStats,
  previewSchedule,
  recordLag,
  replayItems,
  scheduledAt,
  type ReplayControl,
  type ReplayStats,
  type SchedulePreview,
} from './schedule.js';
export { replayStage, type ReplayStage } from './stage.js';
