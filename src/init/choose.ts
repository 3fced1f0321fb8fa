// Which column is the timestamp and which the event name, for `eventload init`: by name first
// (XES conventions, then usual names), then by what the sampled values look like.
import { eventNameRank, isCaseAttribute, isIdName, isLifecycle, isUserName, timestampNameRank, XES, type ColumnProfile } from './columns.js';
import { missing, quote, type Note } from './notes.js';
import { detectMostlyTimestampFormat, detectTimestampFormat, PLACEHOLDER_ZONE, type TimestampGuess } from './timestamps.js';

export interface TimestampChoice {
  profile: ColumnProfile;
  spec: { column: string; format?: string; timezone?: string };
}

export interface EventChoice {
  profile: ColumnProfile;
  /** False when only the values suggested it: the user should look. */
  byName: boolean;
  why: string;
}

export function chooseTimestamp(profiles: ColumnProfile[], notes: Note[]): TimestampChoice | undefined {
  // Named candidates first (time:timestamp, then names like created_at, then start or deadline
  // times); within a rank, a column with a value in every row; then any column that reads as times.
  const named = profiles
    .filter((profile) => timestampNameRank(profile) !== undefined && profile.filled > 0)
    .sort((a, b) => timestampNameRank(a)! - timestampNameRank(b)! || Number(a.filled < a.total) - Number(b.filled < b.total));
  const unnamed = profiles.filter((profile) => timestampNameRank(profile) === undefined && profile.kind === 'text');
  const chosen = firstReadable(named, unnamed) ?? firstMostlyReadable(named);
  if (!chosen) {
    for (const profile of named) notes.push({ kind: 'guess', text: `not the timestamp: ${quote(profile.name)} (values such as ${JSON.stringify(profile.values[0])} match no known date-time format)` });
    return undefined;
  }
  const { profile, found, unreadable } = chosen;
  const byName = named.includes(profile);
  const spec = { column: profile.name, ...(found.format !== undefined && { format: found.format }), ...(found.timezone !== undefined && { timezone: found.timezone }) };
  const why = profile.name === XES.timestamp ? 'the XES timestamp' : byName ? 'its name' : 'its values';
  notes.push({ kind: 'guess', text: `timestamp: ${quote(profile.name)} (${why}): ${found.description}` });
  if (found.timezone) {
    notes.push({
      kind: 'check',
      text: `TIME ZONE: ${quote(profile.name)} values carry no zone, so the mapping says "timezone": "${PLACEHOLDER_ZONE}" as a placeholder. Set the zone they were recorded in (an IANA name such as "Europe/Amsterdam"), or pass --timezone; otherwise every event is off by that zone's offset`,
    });
  }
  if (found.alternative) notes.push({ kind: 'check', text: `timestamp: the sampled values read as "${found.format}" and as "${found.alternative}" (day and month swapped); "${found.format}" was chosen: make sure that is the order` });
  if (profile.filled < profile.total) notes.push({ kind: 'check', text: `timestamp: ${quote(profile.name)} is empty in ${missing(profile)} sampled rows; those rows will be rejected` });
  if (unreadable.length > 0) {
    notes.push({ kind: 'check', text: `timestamp: ${unreadable.length} of ${profile.filled} sampled values of ${quote(profile.name)} do not read that way (such as ${JSON.stringify(unreadable[0])}); those rows will be rejected` });
  }
  return { profile, spec };
}

type Readable = { profile: ColumnProfile; found: TimestampGuess; unreadable: unknown[] };

function firstReadable(named: ColumnProfile[], unnamed: ColumnProfile[]): Readable | undefined {
  for (const profile of [...named, ...unnamed]) {
    const found = detectTimestampFormat(profile.values, named.includes(profile));
    if (found) return { profile, found, unreadable: [] };
  }
  return undefined;
}

/** Only for columns named as times: a few odd values should not hide the obvious timestamp. */
function firstMostlyReadable(named: ColumnProfile[]): Readable | undefined {
  for (const profile of named) {
    const mostly = detectMostlyTimestampFormat(profile.values, true);
    if (mostly) return { profile, found: mostly.guess, unreadable: mostly.unreadable };
  }
  return undefined;
}

export function chooseEvent(profiles: ColumnProfile[]): EventChoice | undefined {
  const candidates = profiles.filter((profile) => (profile.kind === 'text' || profile.kind === 'number') && !isIdName(profile) && !isUserName(profile) && !isCaseAttribute(profile.name));
  const gaps = (profile: ColumnProfile) => Number(profile.filled < profile.total);
  const named = candidates.filter((profile) => eventNameRank(profile) !== undefined).sort((a, b) => eventNameRank(a)! - eventNameRank(b)! || gaps(a) - gaps(b));
  if (named[0]) return { profile: named[0], byName: true, why: named[0].name === XES.activity ? 'the XES activity name' : 'its name' };
  // A text column with few distinct values names what happened; start/complete columns only say when in its life.
  const fallback = candidates
    .filter((profile) => profile.kind === 'text' && !isLifecycle(profile) && fewDistinct(profile) && averageLength(profile) <= 80)
    .sort((a, b) => gaps(a) - gaps(b));
  const found = fallback[0];
  return found && { profile: found, byName: false, why: `text with ${found.distinct} distinct value${found.distinct === 1 ? '' : 's'} in ${found.filled} sampled rows` };
}

function fewDistinct(profile: ColumnProfile): boolean {
  return profile.filled < 10 || (profile.distinct <= 50 && profile.distinct <= profile.filled / 2);
}

function averageLength(profile: ColumnProfile): number {
  return profile.values.reduce<number>((sum, value) => sum + String(value).length, 0) / Math.max(1, profile.values.length);
}
