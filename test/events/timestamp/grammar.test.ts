// The one ISO 8601 grammar and the narrower shapes read through it: BPMN's strict form, a date
// alone, a value that starts like a date or ends in a zone.
import { describe, expect, it } from 'vitest';
import { endsWithZone, isDateOnly, isEpochText, isoParts, isStrictOffsetDateTime, startsWithIsoDate } from '../../../src/events/timestamp.js';

describe('isoParts', () => {
  it('finds the date, the time and the zone as written', () => {
    expect(isoParts('2024-03-01T09:15:00.5+01:00')).toEqual({ date: '2024-03-01', time: '09:15:00.5', zone: '+01:00' });
    expect(isoParts('2024-03-01 09:15')).toEqual({ date: '2024-03-01', time: '09:15', zone: undefined });
    expect(isoParts('2024-03-01')).toEqual({ date: '2024-03-01', time: undefined, zone: undefined });
    expect(isoParts('2024-03-01T09Z')).toBeUndefined();
    expect(isoParts('1 March 2024')).toBeUndefined();
  });
});

describe('isStrictOffsetDateTime (the BPMN raw event shape)', () => {
  it.each(['2024-03-01T09:15:00Z', '2024-03-01T09:15:00.123456789-05:00', '2024-03-01T09:15:00.1+00:00'])('accepts %s', (value) => {
    expect(isStrictOffsetDateTime(value)).toBe(true);
  });

  it.each([
    '2024-03-01T09:15:00', // no zone
    '2024-03-01T09:15Z', // no seconds
    '2024-03-01 09:15:00Z', // space
    '2024-03-01T09:15:00 Z', // space before the zone
    '2024-03-01T09:15:00z', // lower-case z
    '2024-03-01T09:15:00+0100', // offset without colon
    '2024-03-01T09:15:00+01', // hour-only offset
    '2024-03-01T09:15:00,5Z', // comma fraction
    '2024-03-01T09:15:00.1234567890Z', // ten fraction digits
    '2024-03-01T09:15:00.Z', // empty fraction
    '2024-03-01Z',
  ])('refuses %s', (value) => {
    expect(isStrictOffsetDateTime(value)).toBe(false);
  });
});

describe('the shapes init and replay look for', () => {
  it('a date alone is exactly yyyy-mm-dd', () => {
    expect(isDateOnly('2024-03-01')).toBe(true);
    for (const value of ['2024-03-01Z', '2024-03-01 ', '2024-03-01T00:00', '2024-3-1']) expect(isDateOnly(value)).toBe(false);
  });

  it('starts with a date, ends with a zone, is an epoch number', () => {
    expect(startsWithIsoDate('2024-03-01 whatever')).toBe(true);
    expect(startsWithIsoDate('01.03.2024')).toBe(false);
    for (const value of ['…Z', '…z', '…+01', '…-0530', '…+05:45']) expect(endsWithZone(value)).toBe(true);
    expect(endsWithZone('2024-03-01T09:15')).toBe(false);
    expect(isEpochText('-1709283600.5')).toBe(true);
    expect(isEpochText('1e9')).toBe(false);
  });
});
