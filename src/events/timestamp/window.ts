// Instants given on the command line (replay's --from, --until, --shift-to) and the window they
// select. A date alone is midnight UTC whatever the bound, and --until is exclusive (docs/replay.md), so
// `--until 2024-03-08` stops before 8 March begins.
import { DateTime } from 'luxon';
import { endsWithZone, isDateOnly } from './grammar.js';

export type InstantResult = { ok: true; value: number } | { ok: false; message: string };

/** An ISO 8601 date-time with a zone, or a date alone (midnight UTC), as ms since the epoch. */
export function parseInstant(value: unknown): InstantResult {
  const expected = 'expected an ISO 8601 date-time with a zone (2024-03-01T09:00:00+01:00) or a date (2024-03-01)';
  if (typeof value !== 'string') return { ok: false, message: expected };
  const text = value.trim();
  if (isDateOnly(text)) {
    const day = DateTime.fromISO(text, { zone: 'utc' });
    if (!day.isValid) return { ok: false, message: 'is not a valid date' };
    return { ok: true, value: day.toMillis() };
  }
  const isoText = text.replace(' ', 'T');
  const parsed = DateTime.fromISO(isoText, { setZone: true });
  if (!parsed.isValid) return { ok: false, message: expected };
  if (!endsWithZone(isoText)) return { ok: false, message: 'has no time zone: add Z or an offset such as +01:00 (a date alone is read as UTC)' };
  return { ok: true, value: parsed.toMillis() };
}

/** A selection by instant: from ≤ t < until; an absent bound selects everything on its side. */
export interface TimeWindow {
  from: number | undefined;
  until: number | undefined;
}

export function inWindow(time: number, window: TimeWindow): boolean {
  return (window.from === undefined || time >= window.from) && (window.until === undefined || time < window.until);
}
