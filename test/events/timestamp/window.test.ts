// Instants from the command line (--from, --until, --shift-to) and the window they select.
import { describe, expect, it } from 'vitest';
import { inWindow, instantOf, parseInstant } from '../../../src/events/timestamp.js';

describe('parseInstant', () => {
  it('reads a date alone as midnight UTC, and a date-time with its zone', () => {
    expect(parseInstant('2024-03-01')).toEqual({ ok: true, value: Date.parse('2024-03-01T00:00:00Z') });
    expect(parseInstant(' 2024-03-01T09:00:00+01:00 ')).toEqual({ ok: true, value: Date.parse('2024-03-01T08:00:00Z') });
    expect(parseInstant('2024-03-01 09:00:00.5Z')).toEqual({ ok: true, value: Date.parse('2024-03-01T09:00:00.500Z') });
  });

  it('refuses a date-time without a zone, a day not on the calendar and what is not a date', () => {
    expect(parseInstant('2024-03-01T09:00:00')).toEqual({ ok: false, message: 'has no time zone: add Z or an offset such as +01:00 (a date alone is read as UTC)' });
    expect(parseInstant('2024-02-30')).toEqual({ ok: false, message: 'is not a valid date' });
    expect(parseInstant('yesterday')).toMatchObject({ ok: false, message: expect.stringMatching(/^expected an ISO 8601 date-time with a zone/) });
    expect(parseInstant(17)).toMatchObject({ ok: false });
  });
});

describe('inWindow', () => {
  it('includes from and excludes until', () => {
    const window = { from: 100, until: 200 };
    expect([99, 100, 199, 200].map((time) => inWindow(time, window))).toEqual([false, true, true, false]);
    expect(inWindow(-1e15, { from: undefined, until: undefined })).toBe(true);
  });
});

describe('instantOf', () => {
  it('reads what Date.parse reads and the ISO forms it does not', () => {
    expect(instantOf('2024-03-01T09:15:00Z')).toBe(Date.parse('2024-03-01T09:15:00Z'));
    expect(instantOf('2024-03-01T09:15:00,5+01')).toBe(Date.parse('2024-03-01T08:15:00.500Z'));
    expect(instantOf('not a time')).toBeNaN();
  });
});
