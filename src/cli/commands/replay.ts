// `eventload replay`: an import whose events leave at their original pace (or faster, or
// shifted in time), through the same readers, mapping, validation, targets, journal and rejects.
// Also how a rejects file, corrected by hand, is sent again.
import { readEvents } from '../../pipeline/read-events.js';
import { parseReplayOptions, previewSchedule, realClock, replayStage } from '../../replay/index.js';
import { runDelivery } from '../delivery.js';
import { loadInputSettings } from '../input-settings.js';
import { planImport, type ImportFlags } from './import.js';
import type { CommandFlags } from '../../options/index.js';

/** The flags of replay, typed by the option table (src/options). */
export type ReplayFlags = CommandFlags<'replay'> & ImportFlags;

export async function runReplay(files: string[], flags: ReplayFlags): Promise<number> {
  const options = parseReplayOptions({
    speed: flags.speed ?? 'max',
    reorderWindow: flags.reorderWindow,
    maxGap: flags.maxGap,
    shiftTo: flags.shiftTo,
    keepOriginal: flags.keepOriginal,
    keepKeys: flags.keepKeys,
    from: flags.from,
    until: flags.until,
    loop: flags.loop,
  });
  if (flags.dryRun && !flags.out) return printSchedule(files, flags, options);
  // Paced events must leave one by one: a half-full batch would hold them past their time.
  const batchSize = flags.batchSize ?? (options.speed === 'max' ? undefined : 1);
  const stage = replayStage(options, realClock);
  const plan = await planImport(files, { ...flags, batchSize }, { command: 'replay', stages: [stage] });
  const stats = stage.stats;
  return runDelivery(plan, {
    // Falling behind is shown as it happens, not only in the summary.
    detail: () => (stats.lagMaxMs >= 50 || stats.late > 0 ? `lag max ${Math.round(stats.lagMaxMs)} ms, p95 ${Math.round(stats.lagP95Ms)} ms${stats.late > 0 ? `, ${stats.late} late` : ''}` : undefined),
  });
}

async function printSchedule(files: string[], flags: ReplayFlags, options: ReturnType<typeof parseReplayOptions>): Promise<number> {
  const settings = await loadInputSettings(files, flags);
  const preview = await previewSchedule(readEvents(settings), options);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ command: 'replay', dryRun: true, speed: options.speed, ...preview }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `replay schedule (dry run, nothing sent) at speed ${options.speed === 'max' ? 'max' : `${options.speed}x`}:`,
    `  events             ${preview.events}${options.loop > 1 ? ` (${options.loop} loops of ${preview.eventsPerLoop})` : ''}`,
    `  first event        ${preview.firstEvent || '-'}`,
    `  last event         ${preview.lastEvent || '-'}`,
    `  span               ${duration(preview.spanMs)}`,
    `  expected duration  ${options.speed === 'max' ? 'as fast as the target allows' : duration(preview.expectedDurationMs)}`,
  ];
  if (preview.filtered > 0) lines.push(`  outside --from/--until  ${preview.filtered}`);
  if (preview.late > 0) lines.push(`  late (older than the reorder window)  ${preview.late}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const days = Math.floor(hours / 24);
  return days > 0 ? `${days} d ${hours % 24} h ${minutes} min` : `${hours} h ${minutes} min ${Math.round(seconds % 60)} s`;
}
