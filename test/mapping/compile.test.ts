// A compiled mapping turns one record into one canonical event, or into issues naming the field.
import { describe, expect, it } from 'vitest';
import { compileMapping, identityMapper, type MappingOptions } from '../../src/mapping/compile.js';
import { toJsonText } from '../../src/events/exact-number.js';
import { parseMapping } from '../../src/mapping/load.js';
import { commaDecimalText } from '../../src/mapping/reference.js';
import type { RawRecord } from '../../src/readers/types.js';

const position = { file: 'test.csv', line: 2 };
const base = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };
const row = { activity: 'register', at: '2024-01-01T10:00:00Z', case: 'C-1' };

function mapper(json: Record<string, unknown>, options?: MappingOptions) {
  const mapping = parseMapping(json, 'm.json');
  return compileMapping({ ...mapping, event: mapping.event!, timestamp: mapping.timestamp!, objects: mapping.objects! }, options);
}

const map = (json: Record<string, unknown>, record: RawRecord, options?: MappingOptions) => mapper(json, options).map(record, position);

describe('value references', () => {
  it('reads a column by name', () => {
    expect(map(base, row)).toEqual({ ok: true, event: { event: 'register', timestamp: '2024-01-01T10:00:00Z', objects: [{ type: 'Case', id: 'C-1' }] } });
  });

  it('uses a constant of any JSON type', () => {
    const result = map({ ...base, properties: { source: { const: 'erp' }, weight: { const: 2.5 }, tags: { const: ['a'] }, meta: { const: { v: 1 } } } }, row);
    expect(result).toMatchObject({ ok: true, event: { properties: { source: 'erp', weight: 2.5, tags: ['a'], meta: { v: 1 } } } });
  });

  it('refuses a property named "__proto__" by name, which a parse would otherwise take as the prototype and drop', () => {
    const proto = (where: 'top' | 'object') =>
      JSON.parse(where === 'top' ? '{"event":"a","timestamp":"t","objects":[{"type":{"const":"C"},"id":"c"}],"properties":{"__proto__":"case"}}' : '{"event":"a","timestamp":"t","objects":[{"type":{"const":"C"},"id":"c","properties":{"other":"c","__proto__":"case"}}]}');
    expect(() => parseMapping(proto('top'), 'm.json')).toThrow('m.json: properties: "__proto__" cannot name a property');
    expect(() => parseMapping(proto('object'), 'm.json')).toThrow('m.json: objects[0].properties: "__proto__" cannot name a property');
  });

  it('fills a template from several columns', () => {
    const result = map({ ...base, event: { template: '{status} order {count}' } }, { ...row, status: 'placed', count: 3 });
    expect(result).toMatchObject({ ok: true, event: { event: 'placed order 3' } });
  });

  it('treats a template with an empty part as absent', () => {
    expect(map({ ...base, event: { template: '{status} order' } }, { ...row, status: '' })).toEqual({
      ok: false,
      issues: [{ path: 'event', message: 'is required but template "{status} order" is empty', code: 'EL_FIELD_REQUIRED' }],
    });
  });

  it('follows a dot path into nested JSON', () => {
    const nested = { ...row, customer: { id: 'C-17', address: { city: 'Köln' } } };
    const result = map({ ...base, objects: [{ type: { const: 'Customer' }, id: 'customer.id', properties: { city: 'customer.address.city' } }] }, nested);
    expect(result).toMatchObject({ ok: true, event: { objects: [{ type: 'Customer', id: 'C-17', properties: { city: 'Köln' } }] } });
  });

  it('prefers a key that itself contains a dot, at any level', () => {
    const record = { ...row, 'customer.id': 'flat', customer: { id: 'nested' }, source: { 'bpm.name': 'Claims' } };
    const result = map({ ...base, properties: { who: 'customer.id', process: 'source.bpm.name' } }, record);
    expect(result).toMatchObject({ ok: true, event: { properties: { who: 'flat', process: 'Claims' } } });
  });

  it('does not read inherited members such as constructor or toString', () => {
    const result = map({ ...base, properties: { a: 'constructor', b: 'toString', c: 'customer.hasOwnProperty' } }, { ...row, customer: {} });
    expect(result).toEqual({ ok: true, event: { event: 'register', timestamp: '2024-01-01T10:00:00Z', objects: [{ type: 'Case', id: 'C-1' }] } });
  });

  it('lists every column a mapping reads, once', () => {
    const columns = mapper({
      ...base,
      event: { template: '{status} {activity}' },
      objects: [{ type: { const: 'Case' }, id: 'case', qualifier: 'role', properties: { x: { column: 'case' } } }],
      actor: { id: 'user.id' },
      idempotency_key: 'key',
    }).columns;
    expect([...columns].sort()).toEqual(['activity', 'at', 'case', 'key', 'role', 'status', 'user.id']);
  });
});

describe('defaults and empty cells', () => {
  it('applies a default to an empty cell and to an absent field, not to a present value', () => {
    const json = { ...base, properties: { channel: { column: 'channel', default: 'web' }, qty: { column: 'qty', as: 'integer', default: 0 } } };
    expect(map(json, { ...row, channel: '', qty: '' })).toMatchObject({ ok: true, event: { properties: { channel: 'web', qty: 0 } } });
    expect(map(json, row)).toMatchObject({ ok: true, event: { properties: { channel: 'web', qty: 0 } } });
    expect(map(json, { ...row, channel: 'phone', qty: '4' })).toMatchObject({ ok: true, event: { properties: { channel: 'phone', qty: 4 } } });
  });

  it('leaves an empty cell out of the properties, and the properties out when all are empty', () => {
    expect(map({ ...base, properties: { note: 'note', status: 'status' } }, { ...row, note: '', status: 'ok' })).toMatchObject({ ok: true, event: { properties: { status: 'ok' } } });
    const result = map({ ...base, properties: { note: 'note' } }, { ...row, note: '' });
    expect(result.ok && 'properties' in result.event).toBe(false);
  });
});

describe('conversions', () => {
  const convert = (as: string, value: unknown) => map({ ...base, properties: { v: { column: 'v', as } } }, { ...row, v: value });
  const converted = (as: string, value: unknown) => {
    const result = convert(as, value);
    return result.ok ? result.event.properties?.v : result.issues;
  };

  it('converts numbers and integers', () => {
    expect(converted('number', '1250.50')).toBe(1250.5);
    expect(converted('number', ' -3 ')).toBe(-3);
    expect(converted('integer', '42')).toBe(42);
    expect(converted('integer', 7)).toBe(7);
  });

  it('rejects text that is not a number, and a fraction as an integer', () => {
    expect(converted('number', 'ten')).toEqual([{ path: 'properties.v', message: 'column "v": "ten" is not a number', code: 'EL_VALUE_NOT_NUMBER' }]);
    expect(converted('integer', '2.5')).toEqual([{ path: 'properties.v', message: 'column "v": "2.5" is not an integer', code: 'EL_VALUE_NOT_INTEGER' }]);
    expect(converted('number', 'Infinity')).toEqual([{ path: 'properties.v', message: 'column "v": "Infinity" is not a number', code: 'EL_VALUE_NOT_NUMBER' }]);
    expect(converted('integer', '9007199254740993')).toMatchObject([{ path: 'properties.v', code: 'EL_INTEGER_OUT_OF_RANGE' }]);
    expect(converted('integer', '1e400')).toMatchObject([{ code: 'EL_INTEGER_OUT_OF_RANGE' }]);
    expect(converted('integer', '9007199254740991')).toBe(9007199254740991);
  });

  it('converts booleans written in the usual ways', () => {
    for (const yes of ['true', 'TRUE', 'yes', 'Y', '1', 't']) expect(converted('boolean', yes)).toBe(true);
    for (const no of ['false', 'No', 'n', '0', 'F']) expect(converted('boolean', no)).toBe(false);
    expect(converted('boolean', false)).toBe(false);
    expect(converted('boolean', 'maybe')).toEqual([{ path: 'properties.v', message: 'column "v": "maybe" is not a boolean (true/false, yes/no, 1/0)', code: 'EL_VALUE_NOT_BOOLEAN' }]);
  });

  it('parses JSON text and passes JSON values through', () => {
    expect(converted('json', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(converted('json', { already: true })).toEqual({ already: true });
    expect(converted('json', '{a')).toEqual([{ path: 'properties.v', message: 'column "v": not valid JSON', code: 'EL_VALUE_NOT_JSON' }]);
  });

  it('turns values into strings', () => {
    expect(converted('string', 5)).toBe('5');
    expect(converted('string', { a: 1 })).toBe('{"a":1}');
  });

  it('names a conversion error inside an object by its path', () => {
    const result = map({ ...base, objects: [{ type: { const: 'Order' }, id: 'case', properties: { amount: { column: 'amount', as: 'number' } } }] }, { ...row, amount: 'ten' });
    expect(result).toEqual({ ok: false, issues: [{ path: 'objects[0].properties.amount', message: 'column "amount": "ten" is not a number', code: 'EL_VALUE_NOT_NUMBER' }] });
  });
});

describe('objects', () => {
  const three = {
    ...base,
    objects: [
      { type: { const: 'Order' }, id: 'order', qualifier: { const: 'target' } },
      { type: { const: 'Customer' }, id: 'customer', qualifier: 'role' },
      { type: { const: 'User' }, id: 'rep' },
    ],
  };

  it('maps several objects with qualifiers', () => {
    expect(map(three, { ...row, order: 'SO-1', customer: 'C-1', role: 'customer', rep: 'u-ana' })).toMatchObject({
      ok: true,
      event: { objects: [{ type: 'Order', id: 'SO-1', qualifier: 'target' }, { type: 'Customer', id: 'C-1', qualifier: 'customer' }, { type: 'User', id: 'u-ana' }] },
    });
  });

  it('leaves out an object whose id is empty in this row, and an empty qualifier', () => {
    expect(map(three, { ...row, order: '', customer: 'C-1', role: '', rep: '' })).toEqual({
      ok: true,
      event: { event: 'register', timestamp: '2024-01-01T10:00:00Z', objects: [{ type: 'Customer', id: 'C-1' }] },
    });
  });

  it('rejects a row in which every object id is empty, also when another field is wrong', () => {
    const message = 'every mapped object id is empty in this record; an event needs at least one object';
    expect(map(three, { ...row, order: '', customer: '', rep: '' })).toEqual({ ok: false, issues: [{ path: 'objects', message, code: 'EL_OBJECTS_EMPTY' }] });
    expect(map(three, { ...row, at: 'soon', order: '', customer: '', rep: '' })).toEqual({
      ok: false,
      issues: [
        { path: 'timestamp', message: 'column "at": "soon" is not an ISO 8601 date-time', code: 'EL_TIMESTAMP_INVALID' },
        { path: 'objects', message, code: 'EL_OBJECTS_EMPTY' },
      ],
    });
  });

  it('needs an object type when the id is there', () => {
    expect(map({ ...base, objects: [{ type: 'kind', id: 'case' }] }, { ...row, kind: '' })).toEqual({
      ok: false,
      issues: [{ path: 'objects[0].type', message: 'is required but column "kind" is empty', code: 'EL_FIELD_REQUIRED' }],
    });
  });

  it('writes a converted id as text', () => {
    expect(map({ ...base, objects: [{ type: { const: 'Case' }, id: { column: 'case', as: 'integer' } }] }, { ...row, case: '007' })).toMatchObject({
      ok: true,
      event: { objects: [{ type: 'Case', id: '7' }] },
    });
  });
});

describe('event, actor and key', () => {
  it('needs an event name', () => {
    expect(map(base, { ...row, activity: '' })).toEqual({ ok: false, issues: [{ path: 'event', message: 'is required but column "activity" is empty', code: 'EL_FIELD_REQUIRED' }] });
  });

  it('maps the actor, leaving out empty parts and the whole actor when its id is empty', () => {
    const json = { ...base, actor: { id: 'user', name: 'user_name', type: { const: 'user' } } };
    expect(map(json, { ...row, user: 'u-ana', user_name: '' })).toMatchObject({ ok: true, event: { actor: { id: 'u-ana', type: 'user' } } });
    expect(map(json, { ...row, user: 'u-ana', user_name: 'Ana' })).toMatchObject({ ok: true, event: { actor: { id: 'u-ana', name: 'Ana', type: 'user' } } });
    const none = map(json, { ...row, user: '', user_name: 'Ana' });
    expect(none.ok && 'actor' in none.event).toBe(false);
  });

  it('takes the idempotency key from its column as text', () => {
    expect(map({ ...base, idempotency_key: 'key' }, { ...row, key: 'evt-1' })).toMatchObject({ ok: true, event: { idempotency_key: 'evt-1' } });
    expect(map({ ...base, idempotency_key: 'key' }, { ...row, key: 12 })).toMatchObject({ ok: true, event: { idempotency_key: '12' } });
    expect(map({ ...base, idempotency_key: 'key' }, { ...row, key: { id: 1 } })).toMatchObject({ ok: true, event: { idempotency_key: '{"id":1}' } });
  });
});

describe('timestamps in a mapping', () => {
  it('rejects a row without a timestamp, naming the column', () => {
    expect(map(base, { ...row, at: '' })).toEqual({
      ok: false,
      issues: [{ path: 'timestamp', message: 'is required, but column "at" is empty (a historical import never uses "now")', code: 'EL_TIMESTAMP_MISSING' }],
    });
  });

  it('rejects a zone-less timestamp without a time zone, with that reason', () => {
    expect(map(base, { ...row, at: '2024-01-01 10:00' })).toEqual({
      ok: false,
      issues: [{ path: 'timestamp', message: 'column "at": "2024-01-01 10:00" has no time zone; set "timezone" in the mapping or pass --timezone', code: 'EL_TIMESTAMP_NO_ZONE' }],
    });
  });

  it("uses the mapping's time zone, and --timezone over it", () => {
    const json = { ...base, timestamp: { column: 'at', timezone: 'Europe/Berlin' } };
    expect(map(json, { ...row, at: '2024-07-01 10:00' })).toMatchObject({ ok: true, event: { timestamp: '2024-07-01T10:00:00+02:00' } });
    expect(map(json, { ...row, at: '2024-07-01 10:00' }, { timezone: 'America/New_York' })).toMatchObject({ ok: true, event: { timestamp: '2024-07-01T10:00:00-04:00' } });
    expect(map(base, { ...row, at: '2024-07-01 10:00' }, { timezone: 'UTC' })).toMatchObject({ ok: true, event: { timestamp: '2024-07-01T10:00:00+00:00' } });
  });

  it('reads epoch and pattern formats', () => {
    expect(map({ ...base, timestamp: { column: 'at', format: 'epoch_ms' } }, { ...row, at: '1714643100000' })).toMatchObject({ ok: true, event: { timestamp: '2024-05-02T09:45:00.000Z' } });
    expect(map({ ...base, timestamp: { column: 'at', format: 'epoch_s' } }, { ...row, at: '1714643100' })).toMatchObject({ ok: true, event: { timestamp: '2024-05-02T09:45:00.000Z' } });
    const pattern = { ...base, timestamp: { column: 'at', format: 'dd/MM/yyyy HH:mm', timezone: 'Europe/Berlin' } };
    expect(map(pattern, { ...row, at: '02/04/2024 10:00' })).toMatchObject({ ok: true, event: { timestamp: '2024-04-02T10:00:00+02:00' } });
    expect(map(pattern, { ...row, at: '2024-04-02 10:00' })).toEqual({
      ok: false,
      issues: [{ path: 'timestamp', message: 'column "at": "2024-04-02 10:00" does not match format "dd/MM/yyyy HH:mm"', code: 'EL_TIMESTAMP_PATTERN_MISMATCH' }],
    });
  });

  it('keeps an offset timestamp from a template byte for byte', () => {
    const json = { ...base, timestamp: { template: '{day}T{time}+02:00' } };
    expect(map(json, { ...row, day: '2011-10-11', time: '13:45:40.276000' })).toMatchObject({ ok: true, event: { timestamp: '2011-10-11T13:45:40.276000+02:00' } });
  });
});

describe('identityMapper (canonical NDJSON)', () => {
  it('passes the record through, converting only the timestamp', () => {
    const record = { event: 'a', timestamp: 1714643100000, objects: [{ type: 'T', id: '1' }], properties: { x: 1 } };
    expect(identityMapper().map(record, position)).toEqual({ ok: true, event: { ...record, timestamp: '2024-05-02T09:45:00.000Z' } });
  });

  it('rejects a record without a timestamp, and a zone-less one without --timezone', () => {
    expect(identityMapper().map({ event: 'a', objects: [] }, position)).toEqual({ ok: false, issues: [{ path: 'timestamp', message: 'is required (a historical import never uses "now")', code: 'EL_TIMESTAMP_MISSING' }] });
    expect(identityMapper().map({ event: 'a', timestamp: '2024-01-01 10:00', objects: [] }, position)).toMatchObject({ ok: false });
    expect(identityMapper({ timezone: 'Europe/Berlin' }).map({ event: 'a', timestamp: '2024-01-01 10:00', objects: [] }, position)).toMatchObject({
      ok: true,
      event: { timestamp: '2024-01-01T10:00:00+01:00' },
    });
  });
});

describe('"decimal": ","', () => {
  const amount = (value: string, as: 'number' | 'integer' = 'number') => map({ ...base, properties: { amount: { column: 'amount', as, decimal: ',' } } }, { ...row, amount: value });

  it('reads grouped and plain numbers with a decimal comma, exactly', () => {
    expect(commaDecimalText('1.234,56')).toBe('1234.56');
    expect(commaDecimalText(' -0,25 ')).toBe('-0.25');
    expect(commaDecimalText('1 234 567,5')).toBe('1234567.5');
    expect(commaDecimalText("1'234,5")).toBe('1234.5');
    expect(commaDecimalText('1\u202f234,5')).toBe('1234.5');
    expect(commaDecimalText('+12')).toBe('12');
    expect(commaDecimalText('1234567,891')).toBe('1234567.891');
    for (const bad of ['1,2,3', '12.34', '1.23,4.5', '1.234 567,8', ',5', '1,', 'abc', '1e5']) expect(commaDecimalText(bad), bad).toBeUndefined();
    expect(amount('1.234,56')).toMatchObject({ ok: true, event: { properties: { amount: 1234.56 } } });
    expect(toJsonText((amount('12345678901234567890,5') as { event: unknown }).event)).toContain('"amount":12345678901234567890.5'); // its digits, not a rounded double
    expect(amount('1.000', 'integer')).toMatchObject({ ok: true, event: { properties: { amount: 1000 } } });
  });

  it('rejects a value that is not such a number, naming the column and the value', () => {
    expect(amount('1,2,3')).toMatchObject({ ok: false, issues: [{ code: 'EL_VALUE_NOT_NUMBER', message: 'column "amount": "1,2,3" is not a number written with a decimal comma (such as 1.234,56 or -0,5)' }] });
    expect(amount('2,5', 'integer')).toMatchObject({ ok: false, issues: [{ code: 'EL_VALUE_NOT_INTEGER' }] });
    expect(() => parseMapping({ ...base, properties: { amount: { column: 'amount', decimal: ',' } } }, 'm.json')).toThrow(/"decimal" needs "as": "number" or "integer"/);
  });
});
