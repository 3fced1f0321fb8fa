// init's guessing, from sampled records to a mapping: XES conventions, ids as objects, the first
// object always present, conversions, target-specific additions, and the notes it gives.
import { describe, expect, it } from 'vitest';
import { guessMapping, type Guess, type GuessInput } from '../../src/init/guess.js';
import { formatJson } from '../../src/init/format.js';
import { parseMapping } from '../../src/mapping/load.js';

/** CSV-like input: a header and rows of cells, where '' is an empty cell. */
function csv(header: string[], rows: string[][], extra: Partial<GuessInput> = {}): GuessInput {
  const records = rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])));
  return { file: 'log.csv', header, records, ...extra };
}

function mappingOf(guess: Guess) {
  if (guess.kind !== 'mapping') throw new Error(`expected a mapping, got ${guess.kind}`);
  parseMapping(guess.mapping, 'guessed'); // whatever init writes, validate accepts
  return guess.mapping;
}

const checks = (guess: Guess) => guess.notes.filter((note) => note.kind === 'check').map((note) => note.text);
const guesses = (guess: Guess) => guess.notes.filter((note) => note.kind === 'guess').map((note) => note.text);

const XES_HEADER = ['', 'case:concept:name', 'case:channel', 'concept:name', 'org:resource', 'time:timestamp', 'Costs', 'paid', 'lifecycle:transition'];
const XES_ROWS = [
  ['0', 'case-1', 'Internet', 'register request', 'Pete', '2010-12-30 14:32:00+01:00', '50', 'true', 'complete'],
  ['1', 'case-1', 'Internet', 'check ticket', '', '2010-12-30 15:06:00+01:00', '12.5', 'false', 'complete'],
  ['2', 'case-2', 'Post', 'decide', 'Sara', '2011-01-06 09:18:00+01:00', '', 'true', 'complete'],
];
// The CSV reader names pandas' empty index header cell `column_1`.
const xes = (extra: Partial<GuessInput> = {}) => csv(['column_1', ...XES_HEADER.slice(1)], XES_ROWS, extra);

describe('process-mining (pm4py / XES) columns', () => {
  it('maps case, activity, timestamp and resource by their XES names', () => {
    const mapping = mappingOf(guessMapping(xes()));
    expect(mapping.event).toBe('concept:name');
    expect(mapping.timestamp).toEqual({ column: 'time:timestamp' });
    expect(mapping.objects).toEqual([
      { type: { const: 'Case' }, id: 'case:concept:name', qualifier: { const: 'case' }, properties: { channel: 'case:channel' } },
      { type: { const: 'User' }, id: 'org:resource', qualifier: { const: 'performer' } },
    ]);
  });

  it('converts numeric and true/false columns, and keeps the rest as text properties', () => {
    expect(mappingOf(guessMapping(xes())).properties).toEqual({
      Costs: { column: 'Costs', as: 'number' },
      paid: { column: 'paid', as: 'boolean' },
      'lifecycle:transition': 'lifecycle:transition',
    });
  });

  it('leaves out the pandas index column, saying so', () => {
    const guess = guessMapping(xes());
    expect(JSON.stringify(mappingOf(guess))).not.toContain('column_1');
    expect(guesses(guess)).toContain('left out: "column_1" (a row number, as pandas writes for its index)');
  });

  it('says why it chose each column', () => {
    const notes = guesses(guessMapping(xes()));
    expect(notes).toContain('timestamp: "time:timestamp" (the XES timestamp): ISO 8601 with a zone, sent as written');
    expect(notes).toContain('event: "concept:name" (the XES activity name)');
    expect(notes).toContain('object: "User" with id from "org:resource" (the XES resource, qualifier "performer"); empty in 1 of 3 sampled rows, where it is left out');
  });

  it('leaves out a column that repeats the activity or resource (pm4py running example), as something to check', () => {
    const guess = guessMapping(csv(['concept:name', 'Activity', 'org:resource', 'Resource', 'time:timestamp', 'case:concept:name'], [
      ['register request', 'register request', 'Pete', 'Pete', '2010-12-30 14:32:00+01:00', '3'],
      ['check ticket', 'check ticket', 'Mike', 'Mike', '2010-12-30 15:06:00+01:00', '3'],
    ]));
    const mapping = mappingOf(guess);
    expect(mapping.objects).toHaveLength(2);
    expect(mapping.properties).toBeUndefined();
    expect(checks(guess)).toContain('left out: "Activity", which repeats "concept:name" in every sampled row; map it as a property if it can differ');
  });

  it('keeps two id columns of different things even when their sampled values agree (bupaR patients)', () => {
    const mapping = mappingOf(guessMapping(csv(['handling', 'patient', 'employee', 'handling_id', 'registration_type', 'time'], [
      ['Registration', '1', 'r1', '1', 'start', '2017-01-02T11:41:53Z'],
      ['Registration', '2', 'r1', '2', 'start', '2017-01-02T11:41:53Z'],
    ])));
    expect(mapping.objects).toEqual([
      { type: { const: 'Patient' }, id: 'patient' },
      { type: { const: 'Handling' }, id: 'handling_id' },
      { type: { const: 'User' }, id: 'employee', qualifier: { const: 'performer' } },
    ]);
  });
});

describe('the event name', () => {
  it('prefers an activity-named column over a status column', () => {
    const mapping = mappingOf(guessMapping(csv(['status', 'Activity', 'CaseID', 'Timestamp'], [
      ['open', 'register', '1', '2024-01-01T10:00:00Z'],
      ['open', 'check', '1', '2024-01-01T11:00:00Z'],
    ])));
    expect(mapping.event).toBe('Activity');
    expect(mapping.objects).toEqual([{ type: { const: 'Case' }, id: 'CaseID', qualifier: { const: 'case' } }]);
  });

  it('falls back to a text column with few values, never a start/complete column, and asks to check it', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [i % 2 ? 'start' : 'complete', ['Registration', 'Triage', 'X-Ray'][i % 3]!, `${i}`, `2017-01-02T11:41:${String(i).padStart(2, '0')}Z`]);
    const guess = guessMapping(csv(['registration_type', 'handling', 'patient', 'time'], rows));
    expect(mappingOf(guess).event).toBe('handling');
    expect(checks(guess)).toContain('event: "handling" was chosen by its values alone: make sure it names what happened');
  });

  it('gives up, with a reason, when no column can be the event name', () => {
    const guess = guessMapping(csv(['order_id', 'created_at'], [['1', '2024-01-01T10:00:00Z']]));
    expect(guess).toMatchObject({ kind: 'unusable', reason: expect.stringContaining('no column looks like the event name') });
  });
});

describe('timestamps', () => {
  it('writes a luxon pattern and the placeholder zone for slashed local times, with a loud note', () => {
    const guess = guessMapping(csv(['Case ID', 'Activity', 'Complete Timestamp'], [['A', 'ER Registration', '2014/10/22 11:15:41.000']]));
    expect(mappingOf(guess).timestamp).toEqual({ column: 'Complete Timestamp', format: 'yyyy/MM/dd HH:mm:ss.SSS', timezone: 'UTC' });
    expect(checks(guess)[0]).toMatch(/^TIME ZONE: "Complete Timestamp" values carry no zone, so the mapping says "timezone": "UTC" as a placeholder/);
  });

  it('prefers time:timestamp over other time columns, and names the others', () => {
    const guess = guessMapping(csv(['start_timestamp', 'case:concept:name', 'concept:name', 'time:timestamp'], [['2015-01-05 09:00:07+00:00', 'C1', 'place order', '2015-01-05 09:02:50+00:00']]));
    expect(mappingOf(guess).timestamp).toEqual({ column: 'time:timestamp' });
    expect(mappingOf(guess).properties).toEqual({ start_timestamp: 'start_timestamp' });
    expect(guesses(guess)).toContain('also dates and times, kept as text: "start_timestamp"');
  });

  it('finds a timestamp column by its values when no name says so', () => {
    expect(mappingOf(guessMapping(csv(['event', 'order_id', 'logged'], [['paid', 'SO-1', '2024-01-01 10:00:00+01:00']]))).timestamp).toEqual({ column: 'logged' });
  });

  it('still takes a time-named column where a few values are in another shape, and says which rows will be rejected', () => {
    const rows = ['2024-04-01 09:00:00', '2024-04-01 10:00:00', '02/04/2024 10:00', '2024-04-03 11:00:00', '2024-04-04 12:00:00'].map((at, i) => ['paid', `SO-${i}`, at]);
    const guess = guessMapping(csv(['event', 'order_id', 'created_at'], rows));
    expect(mappingOf(guess).timestamp).toEqual({ column: 'created_at', timezone: 'UTC' });
    expect(checks(guess)).toContain('timestamp: 1 of 5 sampled values of "created_at" do not read that way (such as "02/04/2024 10:00"); those rows will be rejected');
  });

  it('does not take an id column of ten-digit numbers for epoch times', () => {
    expect(guessMapping(csv(['event', 'order_id'], [['paid', '1714636800']]))).toMatchObject({ kind: 'unusable', reason: expect.stringContaining('no column whose sampled values are all dates and times') });
  });
});

describe('objects', () => {
  it('puts first an object column that has a value in every sampled row', () => {
    const mapping = mappingOf(guessMapping(csv(['event', 'at', 'order_id', 'customer_id'], [
      ['created', '2024-01-01T10:00:00Z', '', 'C-1'],
      ['paid', '2024-01-02T10:00:00Z', 'SO-1', 'C-1'],
    ])));
    expect(mapping.objects!.map((object) => object.id)).toEqual(['customer_id', 'order_id']);
  });

  it('links every event to one "Log" object when no id column is always filled, and asks to check it', () => {
    const guess = guessMapping(csv(['event', 'at', 'order_id'], [['created', '2024-01-01T10:00:00Z', ''], ['paid', '2024-01-02T10:00:00Z', 'SO-1']], { file: 'exports/shop.csv' }));
    expect(mappingOf(guess).objects).toEqual([{ type: { const: 'Log' }, id: { const: 'shop' } }, { type: { const: 'Order' }, id: 'order_id' }]);
    expect(checks(guess).join('\n')).toContain('every event is linked to one object "Log" "shop"');
  });

  it('maps a <thing>_name beside <thing>_id as that object\'s name, and keeps codes and ids as text', () => {
    const mapping = mappingOf(guessMapping(csv(['action', 'ts', 'customer_id', 'customer_name', 'zip_code', 'amount'], [['paid', '2024-01-01T10:00:00Z', '17', 'Ann', '01234', '3']])));
    expect(mapping.objects).toEqual([{ type: { const: 'Customer' }, id: 'customer_id', properties: { name: 'customer_name' } }]);
    expect(mapping.properties).toEqual({ zip_code: 'zip_code', amount: { column: 'amount', as: 'number' } });
  });
});

describe('a plain id column', () => {
  it('gets the type "Record" and a note to name it', () => {
    const guess = guessMapping(csv(['id', 'action', 'at'], [['7', 'paid', '2024-01-01T10:00:00Z']]));
    expect(mappingOf(guess).objects).toEqual([{ type: { const: 'Record' }, id: 'id' }]);
    expect(checks(guess)).toContain('object: "id" got the type "Record": name what it identifies');
  });
});

describe('targets', () => {
  it('immutable: maps the resource as the actor instead of an object', () => {
    const guess = guessMapping(xes({ target: 'immutable' }));
    const mapping = mappingOf(guess);
    expect(mapping.actor).toEqual({ id: 'org:resource', type: { const: 'user' } });
    expect(mapping.objects!.map((object) => object.id)).toEqual(['case:concept:name']);
    expect(checks(guess)).toContain('actor: "org:resource" is empty in 1 of 3 sampled rows; Immutable rejects events without an actor');
  });

  it('immutable: says so when there is no user column to be the actor', () => {
    const guess = guessMapping(csv(['case:concept:name', 'concept:name', 'time:timestamp'], [['1', 'A', '1971-01-01 00:20']], { target: 'immutable' }));
    expect(mappingOf(guess).actor).toBeUndefined();
    expect(checks(guess).join('\n')).toContain('no user or resource column was found, and Immutable needs an actor');
  });

  it('flaring: notes that property names must match the event type\'s fields', () => {
    expect(checks(guessMapping(xes({ target: 'flaring' }))).join('\n')).toContain("property names must match that event type's fields");
  });

  it('flowmyna: nothing special', () => {
    expect(guessMapping(xes({ target: 'flowmyna' }))).toEqual(guessMapping(xes()));
  });
});

describe('NDJSON records', () => {
  const records = [
    { ts: 1714636800123, action: 'login', user: { id: 'u-1', name: 'Ann' }, order_id: 'SO-1', amount: 12.5, ok: true },
    { ts: 1714636900456, action: 'logout', user: { id: 'u-2', name: 'Bo' }, order_id: 'SO-2', amount: '13', ok: false },
  ];

  it('reads top-level keys and one level of nesting as dot paths; converts only values that are not JSON numbers already', () => {
    const mapping = mappingOf(guessMapping({ file: 'audit.ndjson', records }));
    expect(mapping.timestamp).toEqual({ column: 'ts', format: 'epoch_ms' });
    expect(mapping.objects).toEqual([
      { type: { const: 'Order' }, id: 'order_id' },
      { type: { const: 'User' }, id: 'user.id', qualifier: { const: 'performer' }, properties: { name: 'user.name' } },
    ]);
    expect(mapping.properties).toEqual({ amount: { column: 'amount', as: 'number' }, ok: 'ok' });
  });

  it('says no mapping is needed when the records already are canonical events', () => {
    const guess = guessMapping({ file: 'events.ndjson', records: [{ event: 'x', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'A', id: '1' }] }] });
    expect(guess.kind).toBe('canonical');
    expect(guesses(guess)[0]).toContain('no mapping file is needed');
  });
});

describe('formatJson', () => {
  it('writes small objects on one line and reads back to the same value', () => {
    const mapping = mappingOf(guessMapping(xes()));
    const text = formatJson(mapping);
    expect(JSON.parse(text)).toEqual(mapping);
    expect(text).toContain('"timestamp": { "column": "time:timestamp" }');
  });
});
