// The canonical event schema: what every mapped record must satisfy, and how its problems are named.
import { describe, expect, it } from 'vitest';
import { checkCanonical, formatPath } from '../../src/events/canonical.js';

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
