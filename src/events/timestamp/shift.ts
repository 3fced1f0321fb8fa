// Moving a timestamp in time (replay's --shift-to and --loop) without rewriting how it is written:
// its offset stays as written and its precision stays as written, so a shifted event reads like
// the original did. Also the one way to read a sent timestamp as an instant.
import { DateTime } from 'luxon';
import { isCompact, isoParts, zoneMinutes } from './grammar.js';

/** The instant of a timestamp in ms since the epoch, or NaN. Date.parse; luxon for the ISO forms it does not take (a `,` before the fraction, `+01`). */
export function instantOf(timestamp: string): number {
  const time = Date.parse(timestamp);
  if (!Number.isNaN(time)) return time;
  const parsed = DateTime.fromISO(timestamp, { setZone: true });
  return parsed.isValid ? parsed.toMillis() : Number.NaN;
}

/**
 * Moves an ISO 8601 timestamp by a whole number of milliseconds, keeping its offset exactly as
 * written and its precision: digits beyond the millisecond are kept as they were (a whole-ms
 * shift does not change them), and a value written to the second stays so unless the shift
 * brings in milliseconds. `2024-03-12T08:30:00+01:00` + 1 h → `2024-03-12T09:30:00+01:00`.
 */
export function shiftTimestamp(original: string, deltaMs: number): string {
  const instant = instantOf(original) + deltaMs;
  const found = isoParts(original);
  // Rewritten digit by digit only in the compact form with a zone; anything else through luxon.
  const parts = found?.zone !== undefined && isCompact(original, found) ? found : undefined;
  const wall = parts ? new Date(instant + zoneMinutes(parts.zone!) * 60_000) : undefined;
  if (!parts || !wall || wall.getUTCFullYear() < 1 || wall.getUTCFullYear() > 9999) {
    const parsed = DateTime.fromISO(original, { setZone: true });
    return (parsed.isValid ? parsed.plus({ milliseconds: deltaMs }).toISO() : null) ?? new Date(instant).toISOString();
  }
  const time = parts.time!;
  const seconds = time.length >= 8 ? time.slice(6, 8) : undefined;
  const separator = time.length > 8 ? time[8]! : '.';
  const fraction = time.length > 8 ? time.slice(9) : '';
  const two = (value: number) => String(value).padStart(2, '0');
  const date = `${String(wall.getUTCFullYear()).padStart(4, '0')}-${two(wall.getUTCMonth() + 1)}-${two(wall.getUTCDate())}`;
  let text = `${date}T${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}`;
  const milliseconds = String(wall.getUTCMilliseconds()).padStart(3, '0');
  let digits: string;
  if (fraction.length >= 3) digits = milliseconds + fraction.slice(3);
  else digits = /^0*$/.test(milliseconds.slice(fraction.length)) ? milliseconds.slice(0, fraction.length) : milliseconds;
  if (seconds !== undefined || wall.getUTCSeconds() !== 0 || digits !== '') text += `:${two(wall.getUTCSeconds())}`;
  if (digits !== '') text += separator + digits;
  return text + parts.zone!;
}
