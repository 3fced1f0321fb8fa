// init's timestamp format detection: the format it picks must read every sampled value exactly as
// validate will, and zone-less values always get the placeholder zone for the user to check.
import { describe, expect, it } from 'vitest';
import { normalizeTimestamp } from '../../src/events/timestamp.js';
import { detectTimestampFormat } from '../../src/init/timestamps.js';

/** Every value is accepted by the format and zone that were detected. */
function expectReadable(values: unknown[], numbersMayBeTimes = false): void {
  const found = detectTimestampFormat(values, numbersMayBeTimes);
  expect(found).toBeDefined();
  for (const value of values) expect(normalizeTimestamp(value, found!.format ?? 'auto', found!.timezone).ok).toBe(true);
}

describe('ISO 8601', () => {
  it('leaves values with an offset or Z to format auto, with no time zone', () => {
    const values = ['2011-10-11 13:45:40.276000+02:00', '2017-01-02T11:41:53Z', '2005-03-23 00:00:00+01:00'];
    expect(detectTimestampFormat(values, true)).toEqual({ format: undefined, timezone: undefined, description: 'ISO 8601 with a zone, sent as written' });
    expectReadable(values);
  });

  it('gives zone-less values the placeholder zone UTC', () => {
    expect(detectTimestampFormat(['1971-01-01 00:20', '2024-03-01T09:15:00'], true)).toMatchObject({ format: undefined, timezone: 'UTC', description: 'ISO 8601 without a zone' });
  });

  it('gives a column where only some values carry a zone the placeholder zone too, and says how many lack one', () => {
    expect(detectTimestampFormat(['2024-03-01T09:15:00Z', '2024-03-01 10:00:00'], true)).toMatchObject({ timezone: 'UTC', description: 'ISO 8601, 1 of 2 sampled values without a zone' });
  });

  it('does not take a column with an impossible date', () => {
    expect(detectTimestampFormat(['2024-02-30 10:00:00+01:00'], true)).toBeUndefined();
  });
});

describe('local date-time patterns', () => {
  it('reads the sepsis log style as yyyy/MM/dd HH:mm:ss.SSS', () => {
    const values = ['2014/10/22 11:15:41.000', '2014/10/22 11:27:00.000'];
    expect(detectTimestampFormat(values, true)).toEqual({ format: 'yyyy/MM/dd HH:mm:ss.SSS', timezone: 'UTC', description: 'local date-times (yyyy/MM/dd HH:mm:ss.SSS)' });
    expectReadable(values);
  });

  it('reads dotted day-first dates', () => {
    expect(detectTimestampFormat(['22.10.2014 11:15', '01.11.2014 08:00'], true)).toMatchObject({ format: 'dd.MM.yyyy HH:mm', timezone: 'UTC' });
  });

  it('takes month-first when a day is over 12', () => {
    expect(detectTimestampFormat(['10/22/2014 11:15', '11/01/2014 08:00'], true)).toMatchObject({ format: 'MM/dd/yyyy HH:mm' });
  });

  it('takes day-first when a day is over 12 in that position', () => {
    const found = detectTimestampFormat(['22/10/2014 11:15:00', '01/11/2014 08:00:00'], true);
    expect(found).toMatchObject({ format: 'dd/MM/yyyy HH:mm:ss' });
    expect(found!.alternative).toBeUndefined();
  });

  it('names the other reading when day and month cannot be told apart', () => {
    expect(detectTimestampFormat(['05/03/2014 10:00', '06/03/2014 11:00'], true)).toMatchObject({ format: 'dd/MM/yyyy HH:mm', alternative: 'MM/dd/yyyy HH:mm' });
  });

  it('reads unpadded days and 12-hour clocks', () => {
    expectReadable(['5/3/2014 1:05 PM', '12/30/2014 11:59 AM']);
    expect(detectTimestampFormat(['5/3/2014 1:05 PM', '12/30/2014 11:59 AM'], true)!.format).toBe('M/d/yyyy h:mm a');
  });

  it('reads digits-only dates as yyyyMMdd in a column named as a time', () => {
    expect(detectTimestampFormat(['20240101', '20241231'], true)).toMatchObject({ format: 'yyyyMMdd', timezone: 'UTC' });
  });

  it('finds no format for text that is not a date', () => {
    expect(detectTimestampFormat(['register request', 'check ticket'], true)).toBeUndefined();
    expect(detectTimestampFormat(['2014/10/22 11:15', 'tomorrow'], true)).toBeUndefined();
    expect(detectTimestampFormat([], true)).toBeUndefined();
  });
});

describe('epoch numbers', () => {
  it('tells seconds from milliseconds, as strings or JSON numbers', () => {
    expect(detectTimestampFormat(['1714636800', '1714636900'], true)).toMatchObject({ format: 'epoch_s', timezone: undefined });
    expect(detectTimestampFormat([1714636800123, 1714636900456], true)).toMatchObject({ format: 'epoch_ms', timezone: undefined });
    expectReadable([1714636800123, '1714636900456'], true);
  });

  it('reads numbers as times only when the column name says so', () => {
    expect(detectTimestampFormat(['1714636800', '1714636900'], false)).toBeUndefined();
  });

  it('does not take small numbers (counts, ids) for times', () => {
    expect(detectTimestampFormat(['1', '2', '350'], true)).toBeUndefined();
  });

  it('never reads a JSON number through a date pattern', () => {
    expect(detectTimestampFormat([20240101], true)).toBeUndefined();
  });
});
