// Shifting one timestamp (replay's --shift-to and --loop): the offset and precision stay as written.
import { describe, expect, it } from 'vitest';
import { shiftTimestamp } from '../../../src/events/timestamp.js';

const HOUR = 3_600_000;

describe('shiftTimestamp', () => {
  it.each([
    ['2024-03-12T08:30:00+01:00', HOUR, '2024-03-12T09:30:00+01:00'],
    ['2024-03-12T08:30:00Z', -HOUR * 24 * 365, '2023-03-13T08:30:00Z'],
    ['2024-03-12T23:30:00-05:00', HOUR, '2024-03-13T00:30:00-05:00'],
    ['2024-03-12T08:30:00+0100', 90_000, '2024-03-12T08:31:30+0100'],
    ['2024-03-12T08:30:00+05:45', 1, '2024-03-12T08:30:00.001+05:45'],
  ])('%s shifted by %d ms is %s (offset kept as written)', (original, delta, shifted) => {
    expect(shiftTimestamp(original, delta)).toBe(shifted);
  });

  it('keeps the written precision when the shift allows it', () => {
    expect(shiftTimestamp('2024-03-12T08:30:00+01:00', 2000)).toBe('2024-03-12T08:30:02+01:00');
    expect(shiftTimestamp('2024-03-12T08:30:00.5Z', 250)).toBe('2024-03-12T08:30:00.750Z');
    expect(shiftTimestamp('2024-03-12T08:30:00.5Z', 500)).toBe('2024-03-12T08:30:01.0Z');
    expect(shiftTimestamp('2024-03-12T08:30:00.000Z', 1000)).toBe('2024-03-12T08:30:01.000Z');
  });

  it('adds milliseconds when the shift brings them', () => {
    expect(shiftTimestamp('2024-03-12T08:30:00+01:00', 1500)).toBe('2024-03-12T08:30:01.500+01:00');
  });

  it('keeps digits beyond the millisecond, which a whole-millisecond shift does not change', () => {
    expect(shiftTimestamp('2011-10-11T13:45:40.276000+02:00', 1)).toBe('2011-10-11T13:45:40.277000+02:00');
    expect(shiftTimestamp('2011-10-11T13:45:40.2769+02:00', HOUR)).toBe('2011-10-11T14:45:40.2769+02:00');
  });

  it('keeps a value without seconds without seconds, when it can', () => {
    expect(shiftTimestamp('2024-03-01T09:15+01:00', 60_000)).toBe('2024-03-01T09:16+01:00');
    expect(shiftTimestamp('2024-03-01T09:15+01:00', 1000)).toBe('2024-03-01T09:15:01+01:00');
  });

  it('reads the forms Date.parse does not take: a comma before the fraction, an hour-only offset', () => {
    expect(shiftTimestamp('2024-03-01T09:15:00,5+01:00', 1000)).toBe('2024-03-01T09:15:01,5+01:00');
    expect(shiftTimestamp('2024-03-01T09:15:00+01', HOUR)).toBe('2024-03-01T10:15:00+01');
  });
});
