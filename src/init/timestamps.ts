// Timestamp format detection for `eventload init`: finds a format under which every sampled value
// is accepted, by asking the same normalizeTimestamp that `validate` and `import` use.
import { endsWithZone, isEpochText, normalizeTimestamp, startsWithIsoDate } from '../events/timestamp.js';

export interface TimestampGuess {
  /** undefined = `auto` (ISO 8601 or epoch), else `epoch_s`, `epoch_ms` or a luxon pattern. */
  format: string | undefined;
  /** Set when some values carry no zone: they need one, and UTC is only a placeholder. */
  timezone: 'UTC' | undefined;
  /** How the values look, for the notes: "ISO 8601 with offset". */
  description: string;
  /** Another pattern that reads the samples too, with day and month swapped. */
  alternative?: string;
}

/** The zone written for zone-less values; the user must confirm it (init says so loudly). */
export const PLACEHOLDER_ZONE = 'UTC';

/**
 * The format that reads every value, or undefined. Numbers are read as epoch times only when
 * `numbersMayBeTimes` (the column's name says it is a time): otherwise any id column would match.
 */
export function detectTimestampFormat(values: readonly unknown[], numbersMayBeTimes: boolean): TimestampGuess | undefined {
  if (values.length === 0) return undefined;
  const texts = values.map((value) => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined));
  if (texts.some((text) => text === undefined)) return undefined;
  const strings = texts as string[];
  if (strings.every(isEpochText)) return numbersMayBeTimes ? detectNumeric(values, strings) : undefined;
  if (strings.every(startsWithIsoDate)) return detectIso(values, strings);
  return detectPattern(values);
}

/**
 * For a messy column (a few values in another shape, as in hand-edited exports): the format that
 * reads the larger share, when that is at least `share` of them, and the values it cannot read.
 */
export function detectMostlyTimestampFormat(values: readonly unknown[], numbersMayBeTimes: boolean, share = 0.8): { guess: TimestampGuess; unreadable: unknown[] } | undefined {
  const iso = values.filter((value) => typeof value === 'string' && startsWithIsoDate(value.trim()));
  const other = values.filter((value) => !iso.includes(value));
  let best: { guess: TimestampGuess; unreadable: unknown[] } | undefined;
  for (const group of [iso, other]) {
    if (group.length < share * values.length) continue;
    const guess = detectTimestampFormat(group, numbersMayBeTimes);
    if (!guess) continue;
    const unreadable = values.filter((value) => !normalizeTimestamp(value, guess.format ?? 'auto', guess.timezone).ok);
    if (!best || unreadable.length < best.unreadable.length) best = { guess, unreadable };
  }
  return best;
}

function detectIso(values: readonly unknown[], strings: string[]): TimestampGuess | undefined {
  if (acceptsAll(values, 'auto', undefined)) return { format: undefined, timezone: undefined, description: 'ISO 8601 with a zone, sent as written' };
  if (!acceptsAll(values, 'auto', PLACEHOLDER_ZONE)) return undefined;
  const zoned = strings.filter(endsWithZone).length;
  const description = zoned === 0 ? 'ISO 8601 without a zone' : `ISO 8601, ${strings.length - zoned} of ${strings.length} sampled values without a zone`;
  return { format: undefined, timezone: PLACEHOLDER_ZONE, description };
}

function detectNumeric(values: readonly unknown[], strings: string[]): TimestampGuess | undefined {
  // A JSON number is never read through a pattern (normalizeTimestamp takes numbers as epoch times).
  const allText = values.every((value) => typeof value === 'string');
  if (allText && strings.every((text) => /^\d{8}$/.test(text) && Number(text.slice(0, 4)) >= 1900 && Number(text.slice(0, 4)) <= 2100) && acceptsAll(values, 'yyyyMMdd', PLACEHOLDER_ZONE)) {
    return { format: 'yyyyMMdd', timezone: PLACEHOLDER_ZONE, description: 'dates written as digits (yyyyMMdd)' };
  }
  const numbers = strings.map(Number);
  const smallest = Math.min(...numbers.map(Math.abs));
  const largest = Math.max(...numbers.map(Math.abs));
  // Ten digits of seconds (2001 on) or thirteen of milliseconds; anything shorter is more likely a count or an id.
  if (smallest >= 1e11 && largest < 1e14 && acceptsAll(values, 'epoch_ms', undefined)) return { format: 'epoch_ms', timezone: undefined, description: 'epoch milliseconds, sent as UTC' };
  if (smallest >= 1e8 && largest < 1e11 && acceptsAll(values, 'epoch_s', undefined)) return { format: 'epoch_s', timezone: undefined, description: 'epoch seconds, sent as UTC' };
  return undefined;
}

// Day-first before month-first: when every sampled day is 12 or less both read, and init says so.
const DATES = [
  'yyyy/MM/dd', 'yyyy.MM.dd', 'yyyy/M/d',
  'dd/MM/yyyy', 'MM/dd/yyyy', 'd/M/yyyy', 'M/d/yyyy',
  'dd.MM.yyyy', 'd.M.yyyy',
  'dd-MM-yyyy', 'MM-dd-yyyy', 'd-M-yyyy', 'M-d-yyyy',
  'dd/MM/yy', 'MM/dd/yy', 'd/M/yy', 'M/d/yy', 'dd.MM.yy', 'd.M.yy',
];
const TIMES = ['', ' HH:mm', ' HH:mm:ss', ' HH:mm:ss.SSS', ' HH:mm:ss.u', ' H:mm', ' H:mm:ss', ' H:mm:ss.u', ' h:mm a', ' h:mm:ss a'];
const PATTERNS = DATES.flatMap((date) => TIMES.map((time) => `${date}${time}`));

function detectPattern(values: readonly unknown[]): TimestampGuess | undefined {
  // Most patterns fail on the first value; only the survivors are tried on all of them.
  const passing = PATTERNS.filter((pattern) => acceptsAll(values.slice(0, 1), pattern, PLACEHOLDER_ZONE)).filter((pattern) => acceptsAll(values, pattern, PLACEHOLDER_ZONE));
  const chosen = passing[0];
  if (chosen === undefined) return undefined;
  const alternative = passing.find((pattern) => dayMonthOrder(pattern) !== dayMonthOrder(chosen) && dayMonthOrder(pattern) !== 'year-first');
  const guess: TimestampGuess = { format: chosen, timezone: PLACEHOLDER_ZONE, description: `local date-times (${chosen})` };
  if (alternative && dayMonthOrder(chosen) !== 'year-first') guess.alternative = alternative;
  return guess;
}

function dayMonthOrder(pattern: string): 'day-first' | 'month-first' | 'year-first' {
  if (pattern.startsWith('y')) return 'year-first';
  return pattern.startsWith('d') ? 'day-first' : 'month-first';
}

function acceptsAll(values: readonly unknown[], format: string, zone: string | undefined): boolean {
  return values.every((value) => normalizeTimestamp(value, format, zone).ok);
}
