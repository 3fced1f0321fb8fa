// `eventload init`'s guessing: sampled records in, a starting mapping file and the reasons for it
// out, with what the user must check. Pure: the command does the reading and writing.
import type { z } from 'zod';
import type { mappingSchema, Reference } from '../mapping/schema.js';
import type { RawRecord } from '../readers/types.js';
import {
  columnNames, eventNameRank, isCaseAttribute, isCodeName, isIdName, isIndexColumn, isUserName,
  profileColumn, timestampNameRank, typeFromName, XES, type ColumnProfile,
} from './columns.js';
import { chooseEvent, chooseTimestamp } from './choose.js';
import { missing, quote, type Note } from './notes.js';
import { detectTimestampFormat } from './timestamps.js';

/** The mapping file as written (before defaults): plain JSON that `validate` accepts. */
export type MappingFile = z.input<typeof mappingSchema>;
type ObjectSpec = NonNullable<MappingFile['objects']>[number];

export type { Note } from './notes.js';

export interface GuessInput {
  /** The input's name, for the description and the fallback object. */
  file: string;
  /** The CSV header, when the reader gave one; JSON records are read for their keys instead. */
  header?: readonly string[];
  records: readonly RawRecord[];
  target?: string;
}

export type Guess =
  | { kind: 'mapping'; mapping: MappingFile; notes: Note[] }
  /** The records already are canonical events: no mapping is needed. */
  | { kind: 'canonical'; notes: Note[] }
  | { kind: 'unusable'; reason: string; notes: Note[] };

export function guessMapping(input: GuessInput): Guess {
  const notes: Note[] = [];
  const guess = (text: string) => notes.push({ kind: 'guess', text });
  const check = (text: string) => notes.push({ kind: 'check', text });
  const { records } = input;
  if (input.header === undefined && records.length > 0 && records.every(isCanonicalShaped)) {
    guess('every sampled record already is a canonical event (event, timestamp, objects): no mapping file is needed');
    return { kind: 'canonical', notes };
  }

  const profiles = columnNames(records, input.header).map((name) => profileColumn(name, records));
  for (const index of profiles.filter(isIndexColumn)) guess(`left out: ${quote(index.name)} (a row number, as pandas writes for its index)`);
  let rest = profiles.filter((profile) => !isIndexColumn(profile));
  const take = (profile: ColumnProfile) => (rest = rest.filter((other) => other !== profile));

  const timestamp = chooseTimestamp(rest, notes);
  if (!timestamp) return { kind: 'unusable', reason: 'no column whose sampled values are all dates and times was found; write the mapping by hand (see docs/mapping.md)', notes };
  take(timestamp.profile);

  const event = chooseEvent(rest);
  if (!event) return { kind: 'unusable', reason: 'no column looks like the event name (an activity, event, action or status column, or text with few distinct values); write the mapping by hand', notes };
  take(event.profile);
  guess(`event: ${quote(event.profile.name)} (${event.why})`);
  if (event.profile.filled < event.profile.total) check(`event: ${quote(event.profile.name)} is empty in ${missing(event.profile)} sampled rows; those rows will be rejected`);
  if (!event.byName) check(`event: ${quote(event.profile.name)} was chosen by its values alone: make sure it names what happened`);

  // pm4py exports often carry a column twice (`Activity` beside `concept:name`): one of the two is enough.
  const chosen: ColumnProfile[] = [timestamp.profile, event.profile];
  const dropRepeats = () => {
    for (const profile of rest) {
      const original = chosen.find((other) => profile.filled > 0 && sameRole(other, profile, event.profile, timestamp.profile) && sameCells(other, profile));
      if (!original) continue;
      check(`left out: ${quote(profile.name)}, which repeats ${quote(original.name)} in every sampled row; map it as a property if it can differ`);
      take(profile);
    }
  };
  dropRepeats();

  // Flattened OCEL (pm4py): a column whose sampled values are all list literals (`['i4', 'i1']`)
  // holds the ids of the objects of one type: one object per element ("as": "list").
  const listObjects: ObjectSpec[] = [];
  for (const profile of rest.filter(isListColumn)) {
    take(profile);
    const type = profile.name.replace(/^ocel:type:/, '') || profile.name;
    listObjects.push({ type: { const: type }, id: { column: profile.name, as: 'list' } });
    guess(`objects: one "${type}" per element of the list column ${quote(profile.name)} (flattened OCEL)`);
  }

  // Objects: the case first, then other ids, then people. The first must have an id in every row.
  const hasCase = rest.some((profile) => profile.name === XES.case);
  const candidates = rest.filter((profile) => (profile.kind === 'text' || profile.kind === 'number') && !(hasCase && isCaseAttribute(profile.name)) && (isIdName(profile) || isUserName(profile)));
  const names = new Map(candidates.map((profile) => [profile, nameColumnOf(profile, rest)] as const));
  const objectColumns = candidates.filter((profile) => ![...names.values()].includes(profile));
  const rank = (profile: ColumnProfile) => (isUserName(profile) ? 2 : typeFromName(profile) === 'Case' ? 0 : 1);
  objectColumns.sort((a, b) => rank(a) - rank(b));
  const users: ColumnProfile[] = [];
  const objects: Array<{ profile?: ColumnProfile; spec: ObjectSpec }> = [];
  for (const profile of objectColumns) {
    if (!rest.includes(profile)) continue;
    take(profile);
    chosen.push(profile);
    dropRepeats();
    const type = typeFromName(profile);
    const spec: ObjectSpec = { type: { const: type }, id: profile.name };
    if (type === 'Case') spec.qualifier = { const: 'case' };
    if (isUserName(profile)) {
      spec.qualifier = { const: 'performer' };
      users.push(profile);
    }
    const name = names.get(profile);
    if (name && rest.includes(name)) {
      spec.properties = { name: name.name };
      take(name);
    }
    objects.push({ profile, spec });
  }

  const actor = input.target === 'immutable' ? users[0] : undefined;
  if (actor && objects.length > 1) objects.splice(objects.findIndex((object) => object.profile === actor), 1);
  const primary = objects.findIndex(({ profile }) => profile !== undefined && profile.filled === profile.total);
  if (primary > 0) objects.unshift(...objects.splice(primary, 1));
  for (const { profile, spec } of objects) {
    if (!profile) continue;
    const why = profile.name === XES.case ? 'the XES case id' : profile.name === XES.resource ? 'the XES resource' : isUserName(profile) ? 'who did it' : 'an id';
    const qualifier = spec.qualifier ? `, qualifier ${JSON.stringify((spec.qualifier as { const: string }).const)}` : '';
    const named = spec.properties?.name ? `, name from ${quote(spec.properties.name as string)}` : '';
    if (typeFromName(profile) === 'Record') check(`object: ${quote(profile.name)} got the type "Record": name what it identifies`);
    guess(`object: ${JSON.stringify((spec.type as { const: string }).const)} with id from ${quote(profile.name)} (${why}${qualifier}${named})${profile.filled < profile.total ? `; empty in ${missing(profile)} sampled rows, where it is left out` : ''}`);
  }
  if (primary < 0 && listObjects.length > 0) {
    check(`objects: a row whose lists are all empty links no object and is rejected (EL_OBJECTS_EMPTY); validate counts them`);
  } else if (primary < 0) {
    const stem = input.file.replace(/^.*[\\/]/, '').replace(/\.gz$/i, '').replace(/\.[^.]+$/, '') || 'input';
    objects.unshift({ spec: { type: { const: 'Log' }, id: { const: stem } } });
    check(`objects: no id column has a value in every sampled row, so every event is linked to one object "Log" "${stem}"; map the object your events are about instead`);
  }

  // The case's own attributes (case:channel, case:deadline) describe the case object, not the event.
  const caseObject = objects.find((object) => object.profile?.name === XES.case);
  const caseAttributes = caseObject ? rest.filter((profile) => isCaseAttribute(profile.name)) : [];
  if (caseObject && caseAttributes.length > 0) {
    caseObject.spec.properties = Object.fromEntries(caseAttributes.map((profile) => [profile.name.slice('case:'.length), valueReference(profile)]));
    guess(`case properties: ${caseAttributes.map((profile) => describeProperty(profile)).join(', ')}`);
    for (const profile of caseAttributes) take(profile);
  }
  const properties = Object.fromEntries(rest.map((profile) => [profile.name, valueReference(profile)]));
  if (rest.length > 0) guess(`properties: ${rest.map((profile) => describeProperty(profile)).join(', ')}`);
  const otherTimes = [...caseAttributes, ...rest].filter((profile) => profile.kind === 'text' && detectTimestampFormat(profile.values, false));
  if (otherTimes.length > 0) guess(`also dates and times, kept as text: ${otherTimes.map((profile) => quote(profile.name)).join(', ')}`);
  const empty = [...caseAttributes, ...rest].filter((profile) => profile.kind === 'empty');
  if (empty.length > 0) check(`empty in every sampled row, so mapped as text: ${empty.map((profile) => quote(profile.name)).join(', ')}; add "as" if they hold numbers`);

  const mapping: MappingFile = {
    description: `Generated by eventload init from ${input.file}; check it before importing.`,
    event: event.profile.name,
    timestamp: timestamp.spec,
    objects: [...objects.map((object) => object.spec), ...listObjects],
  };
  if (rest.length > 0) mapping.properties = properties;
  targetNotes(input.target, actor, actor && names.get(actor), rest.length, mapping, notes);
  return { kind: 'mapping', mapping, notes };
}

function targetNotes(target: string | undefined, actor: ColumnProfile | undefined, actorName: ColumnProfile | undefined, propertyCount: number, mapping: MappingFile, notes: Note[]): void {
  if (target === 'immutable') {
    if (actor) {
      mapping.actor = { id: actor.name, ...(actorName && { name: actorName.name }), type: { const: 'user' } };
      notes.push({ kind: 'guess', text: `actor: ${quote(actor.name)}${actorName ? ` with name from ${quote(actorName.name)}` : ''} (who did it; Immutable needs an actor)` });
      if (actor.filled < actor.total) notes.push({ kind: 'check', text: `actor: ${quote(actor.name)} is empty in ${missing(actor)} sampled rows; Immutable rejects events without an actor` });
    } else {
      notes.push({ kind: 'check', text: 'actor: no user or resource column was found, and Immutable needs an actor for every event: add "actor": {"id": "COLUMN"} by hand' });
    }
    if (propertyCount > 50) notes.push({ kind: 'check', text: `properties: ${propertyCount} of them, but Immutable takes at most 50 metadata keys: remove some` });
  }
  if (target === 'flaring') {
    notes.push({ kind: 'check', text: 'flaring: event names are looked up as event types, and property names must match that event type\'s fields (GET /event-types/{id}/fields): rename or remove properties to match, or set targets.flaring.event_type_id' });
  }
}

/** A column as a value reference, converted when every sampled value is a number or a boolean. */
function valueReference(profile: ColumnProfile): Reference {
  if (profile.native) return profile.name;
  if (profile.kind === 'number' && !isCodeName(profile) && !isIdName(profile)) return profile.decimalComma ? { column: profile.name, as: 'number', decimal: ',' } : { column: profile.name, as: 'number' };
  if (profile.kind === 'boolean') return { column: profile.name, as: 'boolean' };
  return profile.name;
}

function describeProperty(profile: ColumnProfile): string {
  const reference = valueReference(profile);
  return typeof reference === 'object' && 'as' in reference ? `${profile.name} (${reference.as})` : profile.name;
}

/** `customer_name` beside `customer_id`, `user.name` beside `user.id`: that object's name. */
function nameColumnOf(id: ColumnProfile, profiles: readonly ColumnProfile[]): ColumnProfile | undefined {
  const words = id.words;
  if (words.length < 2 || words.at(-1) !== 'id') return undefined;
  const prefix = words.slice(0, -1).join(' ');
  return profiles.find((other) => other !== id && other.kind === 'text' && other.words.at(-1) === 'name' && other.words.slice(0, -1).join(' ') === prefix);
}

/** Two columns with the same values are one thing twice only when they name the same kind of thing. */
function sameRole(original: ColumnProfile, other: ColumnProfile, event: ColumnProfile, timestamp: ColumnProfile): boolean {
  if (original === event) return eventNameRank(other) !== undefined;
  if (original === timestamp) return timestampNameRank(other) !== undefined;
  return (isIdName(other) || isUserName(other)) && typeFromName(other) === typeFromName(original);
}

function sameCells(a: ColumnProfile, b: ColumnProfile): boolean {
  return a.cells.length === b.cells.length && a.cells.every((cell, index) => String(cell) === String(b.cells[index]));
}

function isListColumn(profile: ColumnProfile): boolean {
  return profile.filled > 0 && profile.values.every((value) => typeof value === 'string' && /^\[[\s\S]*\]$/.test(value.trim()));
}

function isCanonicalShaped(record: RawRecord): boolean {
  return 'event' in record && 'timestamp' in record && Array.isArray(record.objects);
}
