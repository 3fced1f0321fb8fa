// The options of `eventload replay`, checked once up front into a typed object. Each field's
// `.describe()` text is what --help shows. A bad value is a ConfigError naming the flag, e.g.
// `--speed "fast": expected a number, "10x" or "max"`.
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseInstant } from '../events/timestamp.js';

export interface ReplayOptions {
  /** How many times faster than event time (0.5 = half speed); `max`: no waiting at all. */
  speed: number | 'max';
  /** How many events are held to put slightly out-of-order input right (0 = none). */
  reorderWindow: number;
  /** Longest idle gap between consecutive events, in event time (ms); undefined = no cap. */
  maxGapMs: number | undefined;
  /** Where the first event lands: `now` (when it is sent) or an instant (ms since the epoch); undefined = no shift. */
  shiftTo: 'now' | number | undefined;
  /** Keep the original timestamp of a shifted event in `properties.original_timestamp`. */
  keepOriginal: boolean;
  /** Send the original idempotency keys even when timestamps are shifted. */
  keepKeys: boolean;
  /** Only events at or after this instant (ms since the epoch, by original timestamp). */
  from: number | undefined;
  /** Only events before this instant (ms since the epoch, exclusive). */
  until: number | undefined;
  /** How many times the window is sent, each repetition shifted after the one before. */
  loop: number;
  /** Most events held to repeat with loop > 1 (not a flag; tests lower it). Default LOOP_BUFFER_LIMIT. */
  loopBufferLimit?: number;
}

export const DEFAULT_REORDER_WINDOW = 1000; // events
/** A reorder window holds its events in memory. */
export const MAX_REORDER_WINDOW = 1_000_000; // events
/** With --loop > 1 the whole window is held in memory to be repeated; this is as many events as it may hold. */
export const LOOP_BUFFER_LIMIT = 1_000_000; // events

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

/** A flag's value through a parse function whose message becomes the zod issue. */
function flag<T>(description: string, parse: (value: unknown) => Parsed<T>) {
  // optional() first: an absent flag reaches the parse function as undefined and gets its default.
  return z
    .unknown()
    .optional()
    .transform((value, context): T => {
      const parsed = parse(value);
      if (parsed.ok) return parsed.value;
      context.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    })
    .describe(description);
}

const SPEED = /^(\d+(?:\.\d*)?|\.\d+)x?$/;

export function parseSpeed(value: unknown): Parsed<number | 'max'> {
  if (value === undefined) return ok(1);
  const expected = 'expected a number, "10x" or "max"';
  let speed: number;
  if (typeof value === 'number') speed = value;
  else if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'max') return ok('max');
    if (!SPEED.test(text)) return fail(expected);
    speed = Number.parseFloat(text);
  } else return fail(expected);
  if (!Number.isFinite(speed) || speed <= 0) return fail('must be greater than 0 (or "max")');
  return ok(speed);
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `5s`, `2m`, `1h`, also combined (`1h30m`); a number (not a string) is milliseconds. */
export function parseDuration(value: unknown): Parsed<number> {
  const expected = 'expected a duration such as 500ms, 5s, 2m or 1h';
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? ok(value) : fail(expected);
  if (typeof value !== 'string') return fail(expected);
  const text = value.trim().toLowerCase();
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let match = DURATION_PART.exec(text); match; match = DURATION_PART.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    end = DURATION_PART.lastIndex;
  }
  if (end === 0 || end !== text.length) return fail(expected);
  return ok(total);
}

function parseShiftTo(value: unknown): Parsed<'now' | number> {
  if (typeof value === 'string' && value.trim().toLowerCase() === 'now') return ok('now');
  return parseInstant(value);
}

function parseWholeNumber(value: unknown, min: number, max: number, fallback: number): Parsed<number> {
  if (value === undefined) return ok(fallback);
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) return fail(`expected a whole number from ${min} up`);
  if (number < min || number > max) return fail(`must be from ${min} to ${max.toLocaleString('en-US')}`);
  return ok(number);
}

function parseBoolean(value: unknown, fallback: boolean): Parsed<boolean> {
  if (value === undefined) return ok(fallback);
  return typeof value === 'boolean' ? ok(value) : fail('expected true or false');
}

const optional = <T>(parse: (value: unknown) => Parsed<T>) => (value: unknown): Parsed<T | undefined> => (value === undefined ? ok(undefined) : parse(value));

/** Fields as commander names them; unknown fields (the command's other flags) are ignored. */
export const replayOptionsSchema = z.object({
  speed: flag('how much faster than the original pace: 1, 10, 0.5, 10x, or max (no waiting)', parseSpeed),
  reorderWindow: flag(`events held to send slightly out-of-order input in timestamp order (default ${DEFAULT_REORDER_WINDOW}; 0 = as read)`, (value) =>
    parseWholeNumber(value, 0, MAX_REORDER_WINDOW, DEFAULT_REORDER_WINDOW)),
  maxGap: flag('cap every idle gap between consecutive events at this much event time, e.g. 5s, 2m, 1h', optional(parseDuration)),
  shiftTo: flag('move every timestamp so the first event lands at this instant: now, or an ISO date-time with zone', optional(parseShiftTo)),
  keepOriginal: flag('keep the original timestamp of a shifted event in properties.original_timestamp (default true)', (value) => parseBoolean(value, true)),
  keepKeys: flag('send the original idempotency keys even when timestamps are shifted (a second replay may then be deduplicated away)', (value) =>
    parseBoolean(value, false)),
  from: flag('only events at or after this ISO date-time (with zone) or date (UTC)', optional(parseInstant)),
  until: flag('only events before this ISO date-time (with zone) or date (midnight UTC, exclusive)', optional(parseInstant)),
  loop: flag('send the selected window this many times, each repetition shifted after the one before (default 1)', (value) =>
    parseWholeNumber(value, 1, Number.MAX_SAFE_INTEGER, 1)),
});

const FLAG_NAMES: Record<string, string> = {
  speed: '--speed',
  reorderWindow: '--reorder-window',
  maxGap: '--max-gap',
  shiftTo: '--shift-to',
  keepOriginal: '--keep-original',
  keepKeys: '--keep-keys',
  from: '--from',
  until: '--until',
  loop: '--loop',
};

/** Checks the replay flags; throws a ConfigError naming each bad flag and its value. */
export function parseReplayOptions(raw: Record<string, unknown>): ReplayOptions {
  const parsed = replayOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const value = raw[key];
      const shown = typeof value === 'string' || typeof value === 'number' ? ` "${String(value)}"` : '';
      return `${FLAG_NAMES[key] ?? key}${shown}: ${issue.message}`;
    });
    throw new ConfigError(problems.join('; '), 'EL_REPLAY_OPTION');
  }
  const { maxGap, ...options } = parsed.data;
  if (options.from !== undefined && options.until !== undefined && options.until <= options.from) {
    throw new ConfigError(`--until "${String(raw.until)}" must be later than --from "${String(raw.from)}"`, 'EL_REPLAY_OPTION');
  }
  return { ...options, maxGapMs: maxGap };
}
