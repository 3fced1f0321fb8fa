// The one ISO 8601 grammar eventload reads: a date, an optional time after `T` or a space, an
// optional zone. Every narrower shape (a date alone, the BPMN raw event's strict form, a value
// that only starts like a date) is a check on the parts this grammar found, never a second regex,
// so what counts as a date, a time or a zone is written once.

// The pieces, each written once; the only regular expressions for ISO 8601 in src/.
const DATE = String.raw`\d{4}-\d{2}-\d{2}`;
const TIME = String.raw`\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?`;
const ZONE = String.raw`Z|z|[+-]\d{2}(?::?\d{2})?`;

// date, then optional time (T or space), then optional zone. Captures: date, time, zone.
const ISO = new RegExp(`^(${DATE})(?:[T ](${TIME}))?\\s*(${ZONE})?$`);
const DATE_START = new RegExp(`^${DATE}`);
// As `replay --from` and `init` have always read it: a zone at the end, upper or lower case.
const ZONE_END = new RegExp(`(?:${ZONE})$`, 'i');
const EPOCH = /^-?\d+(\.\d+)?$/;

/** What the grammar found in a value: the date, the time of day (`hh:mm[:ss[.f]]`) and the zone, as written. */
export interface IsoParts {
  date: string;
  time: string | undefined;
  zone: string | undefined;
}

/** The grammar's match as a RegExp result (captures: date, time, zone): the per-row fast path reads it in place. */
export function matchIso(value: string): RegExpExecArray | null {
  return ISO.exec(value);
}

/** The parts of an ISO 8601 value, or undefined when it is not one. */
export function isoParts(value: string): IsoParts | undefined {
  const match = ISO.exec(value);
  if (!match) return undefined;
  return { date: match[1]!, time: match[2], zone: match[3] };
}

/** True when the parts are the whole value in the compact form `<date>T<time><zone>` (no space anywhere). */
export function isCompact(value: string, parts: IsoParts): boolean {
  return parts.time !== undefined && value.charCodeAt(10) === 0x54 && value.length === parts.date.length + 1 + parts.time.length + (parts.zone?.length ?? 0);
}

/** `2024-03-01` and nothing else. */
export function isDateOnly(value: string): boolean {
  const parts = isoParts(value);
  return parts !== undefined && parts.time === undefined && parts.zone === undefined && value.length === parts.date.length;
}

/** Whether a value begins with an ISO date (what it goes on with is not looked at). */
export function startsWithIsoDate(value: string): boolean {
  return DATE_START.test(value);
}

/** Whether a value ends in a zone (`Z`, `+01`, `+0100`, `+01:00`), whatever comes before. */
export function endsWithZone(value: string): boolean {
  return ZONE_END.test(value);
}

/** A decimal number, as an epoch time is written (`1709283600`, `-1.5`). */
export function isEpochText(value: string): boolean {
  return EPOCH.test(value);
}

/**
 * The strict profile `yyyy-mm-ddThh:mm:ss[.f{1,9}](Z|±hh:mm)`: seconds, `T`, a `.` fraction of at
 * most nine digits, and a zone that is `Z` or a full `±hh:mm`. The BPMN raw event documents this
 * shape, so its schema accepts nothing looser.
 */
export function isStrictOffsetDateTime(value: string): boolean {
  const parts = isoParts(value);
  if (!parts || !parts.zone || !isCompact(value, parts)) return false;
  const time = parts.time!;
  if (time.length < 8) return false;
  if (time.length > 8 && (time[8] !== '.' || time.length - 9 > 9)) return false;
  return parts.zone === 'Z' || (parts.zone.length === 6 && parts.zone[3] === ':');
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Why a grammatical date and time cannot be on a calendar ('has no such month', ...), or undefined. */
export function checkFields(date: string, time: string | undefined): string | undefined {
  // Digits read in place (the grammar matched, so they are digits): no substrings per row.
  const year = digits(date, 0, 4);
  const month = digits(date, 5, 7);
  const day = digits(date, 8, 10);
  if (month < 1 || month > 12) return 'has no such month';
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day < 1 || day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!)) return 'has no such day';
  if (time) {
    const hour = digits(time, 0, 2);
    const minute = digits(time, 3, 5);
    const second = time.length >= 8 ? digits(time, 6, 8) : 0;
    if (hour > 23 || minute > 59 || second > 60) return 'has no such time of day';
  }
  return undefined;
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

/** A zone as written (`Z`, `+01`, `-0530`, `+05:45`), in minutes east of UTC. */
export function zoneMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}
