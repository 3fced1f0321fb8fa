// Reading one event's timestamp into what is sent: what is already ISO 8601 with a zone is kept
// byte for byte; everything else is converted, and a zone-less value is only converted when the
// user said which zone it is in. luxon does the zone arithmetic (IANA zones through Intl, DST-correct).
import { DateTime, IANAZone } from 'luxon';
import type { ReasonCode } from '../../codes.js';
import { checkFields, isEpochText, matchIso } from './grammar.js';

export type TimestampResult = { ok: true; value: string } | { ok: false; message: string; code: ReasonCode };

/** `auto` accepts ISO 8601 (with or without zone, `T` or space) and epoch numbers. */
export type TimestampFormat = 'auto' | 'iso' | 'epoch_s' | 'epoch_ms' | (string & {});

// Epoch values above this are milliseconds: 1e11 seconds is the year 5138, 1e11 ms is 1973.
const EPOCH_MS_THRESHOLD = 1e11;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export function normalizeTimestamp(input: unknown, format: TimestampFormat, zone: string | undefined): TimestampResult {
  if (input === undefined || input === null || input === '') return { ok: false, message: 'is required (a historical import never uses "now")', code: 'EL_TIMESTAMP_MISSING' };
  if (typeof input === 'number') {
    if (format === 'auto' && ambiguousEpoch(input)) return { ok: false, message: ambiguousMessage(String(input)), code: 'EL_TIMESTAMP_AMBIGUOUS_EPOCH' };
    return fromEpoch(input, format === 'epoch_ms' || (format !== 'epoch_s' && Math.abs(input) >= EPOCH_MS_THRESHOLD));
  }
  if (typeof input !== 'string') return { ok: false, message: `must be a string or number, got ${typeof input}`, code: 'EL_TIMESTAMP_INVALID' };
  const value = input.trim();
  if (format === 'epoch_s' || format === 'epoch_ms') {
    if (!isEpochText(value)) return { ok: false, message: `"${clip(value)}" is not an epoch number (format ${format})`, code: 'EL_TIMESTAMP_INVALID' };
    return fromEpoch(Number(value), format === 'epoch_ms');
  }
  if (format === 'auto' || format === 'iso') {
    const iso = matchIso(value);
    if (iso) return fromIso(value, iso, zone);
    if (format === 'auto' && isEpochText(value)) {
      if (ambiguousEpoch(Number(value))) return { ok: false, message: ambiguousMessage(value), code: 'EL_TIMESTAMP_AMBIGUOUS_EPOCH' };
      return fromEpoch(Number(value), Math.abs(Number(value)) >= EPOCH_MS_THRESHOLD);
    }
    return { ok: false, message: `"${clip(value)}" is not an ISO 8601 date-time`, code: 'EL_TIMESTAMP_INVALID' };
  }
  return fromPattern(value, format, zone);
}

// Epoch seconds since 2001-09-09 have ten digits. A shorter number is more likely a date written
// as digits (20240101) than a time in the 1970s, so `auto` refuses to guess.
const SHORTEST_AUTO_EPOCH = 1e9;

function ambiguousEpoch(value: number): boolean {
  return Math.abs(value) < SHORTEST_AUTO_EPOCH;
}

function ambiguousMessage(value: string): string {
  return `"${clip(value)}" is too short to be read as an epoch time; say "format": "epoch_s" or give a pattern such as "yyyyMMdd"`;
}

function fromEpoch(value: number, milliseconds: boolean): TimestampResult {
  const ms = milliseconds ? value : value * 1000;
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) return { ok: false, message: `${value} is not a valid epoch time`, code: 'EL_TIMESTAMP_INVALID' };
  return { ok: true, value: date.toISOString() };
}

function fromIso(value: string, match: RegExpExecArray, zone: string | undefined): TimestampResult {
  const [, date, time, offset] = match as unknown as [string, string, string | undefined, string | undefined];
  const check = checkFields(date, time);
  if (check) return { ok: false, message: `"${clip(value)}" ${check}`, code: 'EL_TIMESTAMP_INVALID' };
  if (offset) {
    // Already carries its zone: keep the digits byte for byte; a space separator becomes `T`, a space
    // before the zone goes, and a date alone gets midnight, so what is sent is always an ISO date-time.
    // Most values are in that form already: keep the string itself rather than build an equal one.
    if (time !== undefined && value.length === date.length + 1 + time.length + offset.length && value.charCodeAt(10) === 0x54) return { ok: true, value };
    return { ok: true, value: `${date}T${time ?? '00:00:00'}${offset}` };
  }
  if (!zone) return { ok: false, message: `"${clip(value)}" has no time zone; set "timezone" in the mapping or pass --timezone`, code: 'EL_TIMESTAMP_NO_ZONE' };
  const local = time ? `${date}T${time.replace(',', '.')}` : `${date}T00:00`;
  const hourOffset = regularHourOffset(zone, local);
  if (hourOffset !== undefined) return { ok: true, value: `${local.length > 16 ? local : `${local}:00`}${hourOffset}` };
  return withOffset(value, DateTime.fromISO(local, { zone }), local, zone);
}

/** Keeps the local digits exactly as given (no loss of sub-millisecond precision) and adds the zone's offset. */
// Asking Intl for a zone's offset is the slowest step of an import (tens of µs). Outside DST
// changes an offset holds for a whole hour, so it is remembered per zone and hour; an hour with a
// change in it (gap or repeat) is marked and every value in it takes the careful path below.
const hourOffsets = new Map<string, string | null>();
const MAX_CACHED_HOURS = 100_000;

function regularHourOffset(zone: string, local: string): string | undefined {
  const hour = local.slice(0, 13);
  const key = `${zone}|${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const start = DateTime.fromISO(`${hour}:00:00`, { zone });
    const end = DateTime.fromISO(`${hour}:59:59.999`, { zone });
    const regular =
      start.isValid && end.isValid && start.offset === end.offset && start.hour === Number(hour.slice(11, 13)) && earliest(start) === start && earliest(end) === end;
    offset = regular ? start.toFormat('ZZ') : null;
    if (hourOffsets.size >= MAX_CACHED_HOURS) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  return offset ?? undefined;
}

function withOffset(value: string, found: DateTime, local: string, zone: string): TimestampResult {
  if (!found.isValid) return { ok: false, message: `"${clip(value)}" is not a valid date-time (${found.invalidExplanation ?? found.invalidReason})`, code: 'EL_TIMESTAMP_INVALID' };
  const parsed = earliest(found);
  const wall = parsed.toFormat("yyyy-MM-dd'T'HH:mm");
  if (!local.startsWith(wall)) {
    return { ok: false, message: `"${clip(value)}" does not exist in ${zone} (skipped by a daylight-saving change)`, code: 'EL_TIMESTAMP_NONEXISTENT' };
  }
  const seconds = local.length > 16 ? local : `${local}:00`;
  return { ok: true, value: `${seconds}${parsed.toFormat('ZZ')}` };
}

/**
 * A wall time in the hour repeated when clocks go back happens twice; like java.time and
 * PostgreSQL, eventload takes the first (the offset before the change).
 */
function earliest(parsed: DateTime): DateTime {
  const earlier = parsed.minus({ hours: 1 });
  return earlier.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") === parsed.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") ? earlier : parsed;
}

const WALL_CLOCK = "yyyy-MM-dd'T'HH:mm:ss.SSS";

function fromPattern(value: string, pattern: string, zone: string | undefined): TimestampResult {
  const hasZoneToken = /[Zz]/.test(pattern.replace(/'[^']*'/g, ''));
  if (!hasZoneToken && !zone) return { ok: false, message: `"${clip(value)}" has no time zone; set "timezone" in the mapping or pass --timezone`, code: 'EL_TIMESTAMP_NO_ZONE' };
  const found = DateTime.fromFormat(value, pattern, { zone: zone ?? 'UTC', setZone: hasZoneToken });
  const parsed = found.isValid && !hasZoneToken ? earliest(found) : found;
  if (!parsed.isValid) return { ok: false, message: `"${clip(value)}" does not match format "${pattern}"`, code: 'EL_TIMESTAMP_PATTERN_MISMATCH' };
  if (!hasZoneToken && zone) {
    // A local time in a DST gap is moved by luxon; the wall clock read must survive (UTC has no gaps).
    // Compared field by field, not by re-formatting: `d/M` reads `05/03` but writes `5/3`.
    const wall = DateTime.fromFormat(value, pattern, { zone: 'UTC' });
    if (parsed.toFormat(WALL_CLOCK) !== wall.toFormat(WALL_CLOCK)) {
      return { ok: false, message: `"${clip(value)}" does not exist in ${zone} (skipped by a daylight-saving change)`, code: 'EL_TIMESTAMP_NONEXISTENT' };
    }
  }
  return { ok: true, value: parsed.toISO({ suppressMilliseconds: parsed.millisecond === 0 }) ?? value };
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
