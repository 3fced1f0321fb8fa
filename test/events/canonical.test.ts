// The canonical event schema: what every mapped record must satisfy, and how its problems are named.
import { describe, expect, it } from 'vitest';
import { checkCanonical, formatPath, markNulFree } from '../../src/events/canonical.js';
import { ExactNumber } from '../../src/events/exact-number.js';

const valid = {
  event: 'Order placed',
  timestamp: '2024-03-01T09:15:00+01:00',
  objects: [
    { type: 'Order', id: 'SO-1001', qualifier: 'target', properties: { amount: 1250.5 } },
    { type: 'Customer', id: 'C-17' },
  ],
  properties: { channel: 'web' },
  actor: { id: 'u-ana', name: 'Ana', type: 'user' },
  idempotency_key: 'so-1001-placed',
};

describe('checkCanonical', () => {
  it('accepts a complete event and a minimal one', () => {
    expect(checkCanonical(valid)).toEqual([]);
    expect(checkCanonical({ event: 'a', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'T', id: '1' }] })).toEqual([]);
  });

  it('names a 612-character object id by its path', () => {
    const objects = [valid.objects[0], { type: 'Customer', id: 'X'.repeat(612) }];
    expect(checkCanonical({ ...valid, objects })).toEqual([{ path: 'objects[1].id', message: 'must be 1-500 characters', code: 'EL_FIELD_LENGTH' }]);
  });

  it('accepts an object id of exactly 500 characters', () => {
    expect(checkCanonical({ ...valid, objects: [{ type: 'T', id: 'X'.repeat(500) }] })).toEqual([]);
  });

  it('checks the length limits of event, type, qualifier and key', () => {
    expect(checkCanonical({ ...valid, event: 'E'.repeat(201) })).toEqual([{ path: 'event', message: 'must be 1-200 characters', code: 'EL_FIELD_LENGTH' }]);
    expect(checkCanonical({ ...valid, event: '' })).toEqual([{ path: 'event', message: 'must be 1-200 characters', code: 'EL_FIELD_LENGTH' }]);
    expect(checkCanonical({ ...valid, objects: [{ type: 'T'.repeat(101), id: '1', qualifier: '' }] })).toEqual([
      { path: 'objects[0].type', message: 'must be 1-100 characters', code: 'EL_FIELD_LENGTH' },
      { path: 'objects[0].qualifier', message: 'must be 1-100 characters', code: 'EL_FIELD_LENGTH' },
    ]);
    expect(checkCanonical({ ...valid, idempotency_key: 'k'.repeat(256) })).toEqual([{ path: 'idempotency_key', message: 'must be 1-255 characters', code: 'EL_FIELD_LENGTH' }]);
  });

  it('needs at least one object', () => {
    expect(checkCanonical({ ...valid, objects: [] })).toEqual([{ path: 'objects', message: 'needs at least one object', code: 'EL_FIELD_LENGTH' }]);
  });

  it('says which required fields are missing', () => {
    expect(checkCanonical({ objects: [{ type: 'T' }] })).toEqual([
      { path: 'event', message: 'is required', code: 'EL_FIELD_REQUIRED' },
      { path: 'timestamp', message: 'is required', code: 'EL_FIELD_REQUIRED' },
      { path: 'objects[0].id', message: 'is required', code: 'EL_FIELD_REQUIRED' },
    ]);
    expect(checkCanonical({ ...valid, actor: { name: 'Ana' } })).toEqual([{ path: 'actor.id', message: 'is required', code: 'EL_FIELD_REQUIRED' }]);
  });

  it('rejects wrong types with a message per field', () => {
    expect(checkCanonical({ ...valid, event: 5, properties: [1], objects: [{ type: 'T', id: 7 }] })).toEqual([
      { path: 'event', message: 'must be a string', code: 'EL_FIELD_TYPE' },
      { path: 'objects[0].id', message: 'must be a string', code: 'EL_FIELD_TYPE' },
      { path: 'properties', message: 'must be an object', code: 'EL_FIELD_TYPE' },
    ]);
  });

  it('rejects fields the canonical event does not have', () => {
    expect(checkCanonical({ ...valid, extra: 1 })).toEqual([{ path: 'record', message: 'unknown field "extra"', code: 'EL_FIELD_UNKNOWN' }]);
    expect(checkCanonical({ ...valid, objects: [{ type: 'T', id: '1', name: 'x', kind: 'y' }] })).toEqual([{ path: 'objects[0]', message: 'unknown fields "name", "kind"', code: 'EL_FIELD_UNKNOWN' }]);
  });
});

describe('formatPath', () => {
  it('writes list indexes in brackets and keys with dots', () => {
    expect(formatPath(['objects', 0, 'properties', 'name'])).toBe('objects[0].properties.name');
    expect(formatPath([2, 'id'])).toBe('[2].id');
    expect(formatPath([])).toBe('record');
  });
});

describe('markNulFree (properties shared by many events, scanned once)', () => {
  const withProperties = (properties: Record<string, unknown>) => ({ event: 'a', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'T', id: '1', properties }] });

  it('marks a NUL-free value and freezes it with everything in it, so it cannot gain a NUL later', () => {
    const properties = { status: 'open', total: 3.5, 'ocel:relationships': [{ id: 'c1', type: 'Customer' }], nested: { list: ['x', null, true] } };
    expect(markNulFree(properties)).toBe(true);
    expect(checkCanonical(withProperties(properties))).toEqual([]);
    expect(Object.isFrozen(properties.nested.list) && Object.isFrozen((properties['ocel:relationships'] as object[])[0])).toBe(true);
    expect(() => {
      (properties as Record<string, unknown>).status = 'a\u0000b';
    }).toThrow(TypeError);
    expect(() => (properties.nested.list as unknown[]).push('a\u0000b')).toThrow(TypeError);
    // The mark is not carried by a copy: a copy is checked as any other value.
    expect(checkCanonical(withProperties({ ...properties, note: 'a\u0000b' }))).toMatchObject([{ path: 'objects[0].properties.note', code: 'EL_NUL_CHARACTER' }]);
    expect(JSON.stringify(properties)).toBe('{"status":"open","total":3.5,"ocel:relationships":[{"id":"c1","type":"Customer"}],"nested":{"list":["x",null,true]}}');
  });

  it('leaves unmarked and unfrozen what holds a NUL, in a value or a name, and checkCanonical still finds it', () => {
    const inValue = { a: 'ok', b: ['x', 'y\u0000'] };
    const inName = { 'na\u0000me': 1 };
    expect(markNulFree(inValue)).toBe(false);
    expect(markNulFree(inName)).toBe(false);
    expect(Object.isFrozen(inValue) || Object.isFrozen(inName)).toBe(false);
    expect(checkCanonical(withProperties(inValue))).toMatchObject([{ path: 'objects[0].properties.b[1]', code: 'EL_NUL_CHARACTER' }]);
    expect(checkCanonical(withProperties(inName))).toMatchObject([{ code: 'EL_NUL_CHARACTER' }]);
  });

  it('leaves unmarked what could change under the mark: a getter, a class instance, a value frozen by someone else', () => {
    let note = 'fine';
    const getter = {
      get note() {
        return note;
      },
    };
    const exact = { big: new ExactNumber('123456789012345678901234567890') };
    const frozen = Object.freeze({ a: 'x' });
    expect(markNulFree(getter)).toBe(false);
    expect(markNulFree(exact)).toBe(false);
    expect(markNulFree(frozen)).toBe(false);
    expect(Object.isFrozen(exact.big)).toBe(false);
    note = 'a\u0000b';
    expect(checkCanonical(withProperties(getter))).toMatchObject([{ path: 'objects[0].properties.note', code: 'EL_NUL_CHARACTER' }]);
  });

  it('a value marked once stays accepted for every event that holds it', () => {
    const shared = { status: 'open' };
    markNulFree(shared);
    expect(markNulFree({ outer: shared })).toBe(true);
    for (let i = 0; i < 3; i++) expect(checkCanonical(withProperties(shared))).toEqual([]);
  });
});
