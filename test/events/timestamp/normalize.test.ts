// Timestamps: zoned ISO 8601 kept byte for byte, everything else converted, zone-less values only
// with a time zone, DST gaps rejected and repeated hours resolved to the earlier offset.
import { describe, expect, it } from 'vitest';
import { isValidTimeZone, normalizeTimestamp } from '../../../src/events/timestamp.js';

const ok = (value: string) => ({ ok: true, value });
const NO_ZONE = 'has no time zone; set "timezone" in the mapping or pass --timezone';

describe('timestamps that already carry a zone', () => {
  it('keeps an ISO 8601 value with an offset byte for byte, microseconds included', () => {
    expect(normalizeTimestamp('2011-10-11T13:45:40.276000+02:00', 'auto', undefined)).toEqual(ok('2011-10-11T13:45:40.276000+02:00'));
    expect(normalizeTimestamp('2024-05-02T08:00:00.123456789-07:00', 'iso', undefined)).toEqual(ok('2024-05-02T08:00:00.123456789-07:00'));
  });

  it('keeps a Z value byte for byte', () => {
    expect(normalizeTimestamp('2017-01-02T11:41:53Z', 'auto', undefined)).toEqual(ok('2017-01-02T11:41:53Z'));
    expect(normalizeTimestamp('2024-05-02T08:05:00.5Z', 'iso', undefined)).toEqual(ok('2024-05-02T08:05:00.5Z'));
  });

  it('replaces only the space separator with T (pm4py and database exports)', () => {
    expect(normalizeTimestamp('2011-10-11 13:45:40.276000+02:00', 'auto', undefined)).toEqual(ok('2011-10-11T13:45:40.276000+02:00'));
    expect(normalizeTimestamp('2010-12-30 14:32:00+01:00', 'iso', undefined)).toEqual(ok('2010-12-30T14:32:00+01:00'));
  });

  it('drops a space between the time and its offset, so the result is still ISO 8601', () => {
    expect(normalizeTimestamp('2010-12-30 14:32:00 +01:00', 'auto', undefined)).toEqual(ok('2010-12-30T14:32:00+01:00'));
  });

  it('gives a date with an offset but no time midnight', () => {
    expect(normalizeTimestamp('2024-01-01+02:00', 'auto', undefined)).toEqual(ok('2024-01-01T00:00:00+02:00'));
  });

  it('ignores the timezone setting for a value that has its own offset', () => {
    expect(normalizeTimestamp('2024-03-31T02:30:00+01:00', 'iso', 'Europe/Berlin')).toEqual(ok('2024-03-31T02:30:00+01:00'));
  });

  it('trims white space around the value', () => {
    expect(normalizeTimestamp('  2024-05-02T08:05:00Z \t', 'auto', undefined)).toEqual(ok('2024-05-02T08:05:00Z'));
  });
});

describe('epoch timestamps', () => {
  it('reads seconds and milliseconds in auto mode by their size', () => {
    expect(normalizeTimestamp('1714643100', 'auto', undefined)).toEqual(ok('2024-05-02T09:45:00.000Z'));
    expect(normalizeTimestamp('1714643100000', 'auto', undefined)).toEqual(ok('2024-05-02T09:45:00.000Z'));
    expect(normalizeTimestamp(1714643100, 'auto', undefined)).toEqual(ok('2024-05-02T09:45:00.000Z'));
    expect(normalizeTimestamp(1714643100123, 'auto', undefined)).toEqual(ok('2024-05-02T09:45:00.123Z'));
  });

  it('reads epoch_s and epoch_ms as told, fractions included', () => {
    expect(normalizeTimestamp('1714643100.5', 'epoch_s', undefined)).toEqual(ok('2024-05-02T09:45:00.500Z'));
    expect(normalizeTimestamp('1714643100', 'epoch_ms', undefined)).toEqual(ok('1970-01-20T20:17:23.100Z'));
    expect(normalizeTimestamp(60, 'epoch_s', undefined)).toEqual(ok('1970-01-01T00:01:00.000Z'));
    expect(normalizeTimestamp('-86400', 'epoch_s', undefined)).toEqual(ok('1969-12-31T00:00:00.000Z'));
  });

  it('needs no time zone for an epoch value', () => {
    expect(normalizeTimestamp('1714643100', 'epoch_s', undefined).ok).toBe(true);
  });

  it('rejects a value that is not a number when an epoch format is set', () => {
    expect(normalizeTimestamp('2024-04-02T10:00:00Z', 'epoch_ms', undefined)).toEqual({ ok: false, message: '"2024-04-02T10:00:00Z" is not an epoch number (format epoch_ms)', code: 'EL_TIMESTAMP_INVALID' });
  });

  it('rejects an epoch beyond the representable range', () => {
    expect(normalizeTimestamp('99999999999999999', 'epoch_ms', undefined)).toEqual({ ok: false, message: '100000000000000000 is not a valid epoch time', code: 'EL_TIMESTAMP_INVALID' });
  });
});

describe('zone-less date-times', () => {
  it('are rejected with the reason when no time zone is given', () => {
    expect(normalizeTimestamp('2024-04-02 10:00:00', 'iso', undefined)).toEqual({ ok: false, message: `"2024-04-02 10:00:00" ${NO_ZONE}`, code: 'EL_TIMESTAMP_NO_ZONE' });
    expect(normalizeTimestamp('2024-04-02T10:00', 'auto', undefined)).toEqual({ ok: false, message: `"2024-04-02T10:00" ${NO_ZONE}`, code: 'EL_TIMESTAMP_NO_ZONE' });
  });

  it('get the offset of the given zone, local digits kept', () => {
    expect(normalizeTimestamp('2024-06-01 12:00:00', 'iso', 'America/New_York')).toEqual(ok('2024-06-01T12:00:00-04:00'));
    expect(normalizeTimestamp('2024-01-15T12:00:00.123456', 'iso', 'Europe/Berlin')).toEqual(ok('2024-01-15T12:00:00.123456+01:00'));
    expect(normalizeTimestamp('2024-06-01 12:00', 'iso', 'Asia/Kolkata')).toEqual(ok('2024-06-01T12:00:00+05:30'));
    expect(normalizeTimestamp('2024-06-01', 'iso', 'UTC')).toEqual(ok('2024-06-01T00:00:00+00:00'));
  });

  it('read a decimal comma as a decimal point', () => {
    expect(normalizeTimestamp('2024-06-01 12:00:00,5', 'iso', 'Asia/Kolkata')).toEqual(ok('2024-06-01T12:00:00.5+05:30'));
  });
});

describe('conversion across a daylight-saving change (Europe/Berlin, 2024)', () => {
  const berlin = (value: string) => normalizeTimestamp(value, 'iso', 'Europe/Berlin');

  it('uses the winter offset before and the summer offset after the spring-forward on 31 March', () => {
    expect(berlin('2024-03-31 01:59:59')).toEqual(ok('2024-03-31T01:59:59+01:00'));
    expect(berlin('2024-03-31 03:00:00')).toEqual(ok('2024-03-31T03:00:00+02:00'));
  });

  it('rejects a wall time skipped by the spring-forward', () => {
    expect(berlin('2024-03-31 02:30:00')).toEqual({ ok: false, message: '"2024-03-31 02:30:00" does not exist in Europe/Berlin (skipped by a daylight-saving change)', code: 'EL_TIMESTAMP_NONEXISTENT' });
    expect(berlin('2024-03-31T02:00')).toEqual({ ok: false, message: '"2024-03-31T02:00" does not exist in Europe/Berlin (skipped by a daylight-saving change)', code: 'EL_TIMESTAMP_NONEXISTENT' });
  });

  it('gives a wall time in the hour repeated on 27 October the earlier offset', () => {
    expect(berlin('2024-10-27 02:30:00')).toEqual(ok('2024-10-27T02:30:00+02:00'));
    expect(berlin('2024-10-27 02:00:00.123456')).toEqual(ok('2024-10-27T02:00:00.123456+02:00'));
  });

  it('uses the summer offset before and the winter offset after the repeated hour', () => {
    expect(berlin('2024-10-27 01:59:59')).toEqual(ok('2024-10-27T01:59:59+02:00'));
    expect(berlin('2024-10-27 03:00:00')).toEqual(ok('2024-10-27T03:00:00+01:00'));
  });

  it('resolves the other hemisphere and other rules the same way (New York, November)', () => {
    expect(normalizeTimestamp('2024-11-03 01:30', 'iso', 'America/New_York')).toEqual(ok('2024-11-03T01:30:00-04:00'));
    expect(normalizeTimestamp('2024-03-10 02:30', 'iso', 'America/New_York').ok).toBe(false);
  });
});

describe('pattern formats', () => {
  it('reads the sepsis log pattern yyyy/MM/dd HH:mm:ss.SSS with a time zone', () => {
    expect(normalizeTimestamp('2014/10/22 11:15:41.000', 'yyyy/MM/dd HH:mm:ss.SSS', 'Europe/Amsterdam')).toEqual(ok('2014-10-22T11:15:41+02:00'));
    expect(normalizeTimestamp('2014/12/19 12:00:00.120', 'yyyy/MM/dd HH:mm:ss.SSS', 'Europe/Amsterdam')).toEqual(ok('2014-12-19T12:00:00.120+01:00'));
  });

  it('reads dd/MM/yyyy HH:mm', () => {
    expect(normalizeTimestamp('02/04/2024 10:00', 'dd/MM/yyyy HH:mm', 'Europe/Berlin')).toEqual(ok('2024-04-02T10:00:00+02:00'));
    expect(normalizeTimestamp('02/04/2024 10:00', 'dd/MM/yyyy HH:mm', 'UTC')).toEqual(ok('2024-04-02T10:00:00Z'));
  });

  it('accepts zero-padded input for unpadded tokens (d/M/yyyy H:mm)', () => {
    expect(normalizeTimestamp('05/03/2024 09:05', 'd/M/yyyy H:mm', 'Europe/Berlin')).toEqual(ok('2024-03-05T09:05:00+01:00'));
    expect(normalizeTimestamp('5/3/2024 9:05', 'd/M/yyyy H:mm', 'Europe/Berlin')).toEqual(ok('2024-03-05T09:05:00+01:00'));
  });

  it('applies the DST rules to patterns too', () => {
    expect(normalizeTimestamp('31/03/2024 02:30', 'dd/MM/yyyy HH:mm', 'Europe/Berlin')).toEqual({ ok: false, message: '"31/03/2024 02:30" does not exist in Europe/Berlin (skipped by a daylight-saving change)', code: 'EL_TIMESTAMP_NONEXISTENT' });
    expect(normalizeTimestamp('27/10/2024 02:30', 'dd/MM/yyyy HH:mm', 'Europe/Berlin')).toEqual(ok('2024-10-27T02:30:00+02:00'));
    expect(normalizeTimestamp('27/10/2024 03:30', 'dd/MM/yyyy HH:mm', 'Europe/Berlin')).toEqual(ok('2024-10-27T03:30:00+01:00'));
  });

  it('needs a time zone unless the pattern reads one', () => {
    expect(normalizeTimestamp('02/04/2024 10:00', 'dd/MM/yyyy HH:mm', undefined)).toEqual({ ok: false, message: `"02/04/2024 10:00" ${NO_ZONE}`, code: 'EL_TIMESTAMP_NO_ZONE' });
    expect(normalizeTimestamp('2024-03-05 10:00 +0100', 'yyyy-MM-dd HH:mm ZZZ', undefined)).toEqual(ok('2024-03-05T10:00:00+01:00'));
  });

  it('rejects a value that does not match the pattern', () => {
    expect(normalizeTimestamp('2024-04-02 10:00', 'dd/MM/yyyy HH:mm', 'UTC')).toEqual({ ok: false, message: '"2024-04-02 10:00" does not match format "dd/MM/yyyy HH:mm"', code: 'EL_TIMESTAMP_PATTERN_MISMATCH' });
  });
});

describe('values that are not timestamps', () => {
  it('rejects a missing or empty timestamp instead of using "now"', () => {
    const required = { ok: false, message: 'is required (a historical import never uses "now")', code: 'EL_TIMESTAMP_MISSING' };
    expect(normalizeTimestamp(undefined, 'auto', 'UTC')).toEqual(required);
    expect(normalizeTimestamp(null, 'auto', 'UTC')).toEqual(required);
    expect(normalizeTimestamp('', 'iso', 'UTC')).toEqual(required);
  });

  it('rejects impossible dates and times', () => {
    expect(normalizeTimestamp('2023-02-29T10:00:00Z', 'iso', undefined)).toEqual({ ok: false, message: '"2023-02-29T10:00:00Z" has no such day', code: 'EL_TIMESTAMP_INVALID' });
    expect(normalizeTimestamp('2024-02-29T10:00:00Z', 'iso', undefined).ok).toBe(true);
    expect(normalizeTimestamp('2024-13-01T10:00:00Z', 'iso', undefined)).toEqual({ ok: false, message: '"2024-13-01T10:00:00Z" has no such month', code: 'EL_TIMESTAMP_INVALID' });
    expect(normalizeTimestamp('2024-02-01 24:00', 'iso', 'UTC')).toEqual({ ok: false, message: '"2024-02-01 24:00" has no such time of day', code: 'EL_TIMESTAMP_INVALID' });
  });

  it('rejects text that is neither ISO 8601 nor an epoch number', () => {
    expect(normalizeTimestamp('yesterday', 'auto', 'UTC')).toEqual({ ok: false, message: '"yesterday" is not an ISO 8601 date-time', code: 'EL_TIMESTAMP_INVALID' });
    expect(normalizeTimestamp('1714643100', 'iso', 'UTC')).toEqual({ ok: false, message: '"1714643100" is not an ISO 8601 date-time', code: 'EL_TIMESTAMP_INVALID' });
  });

  it('rejects a value of another JSON type', () => {
    expect(normalizeTimestamp(true, 'auto', 'UTC')).toEqual({ ok: false, message: 'must be a string or number, got boolean', code: 'EL_TIMESTAMP_INVALID' });
  });
});

describe('time zone names', () => {
  it('accepts IANA names and rejects unknown ones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
