// The replay flags: what each accepts, its default, and the one-line message naming the flag.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_REORDER_WINDOW, parseDuration, parseReplayOptions } from '../../src/replay/options.js';

function message(raw: Record<string, unknown>): string {
  try {
    parseReplayOptions(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('EL_REPLAY_OPTION');
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseReplayOptions', () => {
  it('fills in the defaults', () => {
    expect(parseReplayOptions({})).toEqual({
      speed: 1,
      reorderWindow: DEFAULT_REORDER_WINDOW,
      maxGapMs: undefined,
      shiftTo: undefined,
      keepOriginal: true,
      keepKeys: false,
      from: undefined,
      until: undefined,
      loop: 1,
    });
  });

  it('ignores the command\'s other flags', () => {
    expect(parseReplayOptions({ target: 'flowmyna', mapping: 'm.json', speed: '2' }).speed).toBe(2);
  });

  it.each([
    ['1', 1],
    ['10', 10],
    ['0.5', 0.5],
    ['10x', 10],
    ['2.5X', 2.5],
    [' max ', 'max'],
    ['MAX', 'max'],
    [4, 4],
  ])('reads --speed %j', (raw, speed) => {
    expect(parseReplayOptions({ speed: raw }).speed).toBe(speed);
  });

  it('names the flag and the value when --speed is wrong', () => {
    expect(message({ speed: 'fast' })).toBe('--speed "fast": expected a number, "10x" or "max"');
    expect(message({ speed: '-2' })).toBe('--speed "-2": expected a number, "10x" or "max"');
    expect(message({ speed: '0' })).toBe('--speed "0": must be greater than 0 (or "max")');
    expect(message({ speed: '0x' })).toBe('--speed "0x": must be greater than 0 (or "max")');
  });

  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('reads --max-gap %s', (raw, ms) => {
    expect(parseReplayOptions({ maxGap: raw }).maxGapMs).toBe(ms);
  });

  it('wants a unit on --max-gap', () => {
    expect(message({ maxGap: '5' })).toBe('--max-gap "5": expected a duration such as 500ms, 5s, 2m or 1h');
    expect(message({ maxGap: '5 days' })).toBe('--max-gap "5 days": expected a duration such as 500ms, 5s, 2m or 1h');
    expect(parseDuration('')).toEqual({ ok: false, message: 'expected a duration such as 500ms, 5s, 2m or 1h' });
  });

  it('reads --shift-to now, a date-time with zone, or a date', () => {
    expect(parseReplayOptions({ shiftTo: 'now' }).shiftTo).toBe('now');
    expect(parseReplayOptions({ shiftTo: '2025-01-01T01:00:00+01:00' }).shiftTo).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(parseReplayOptions({ shiftTo: '2025-01-01 00:00:00.500Z' }).shiftTo).toBe(Date.parse('2025-01-01T00:00:00.500Z'));
    expect(parseReplayOptions({ shiftTo: '2025-01-01' }).shiftTo).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('refuses a --shift-to without a zone, or not a date at all', () => {
    expect(message({ shiftTo: '2025-01-01T09:00:00' })).toBe('--shift-to "2025-01-01T09:00:00": has no time zone: add Z or an offset such as +01:00 (a date alone is read as UTC)');
    expect(message({ shiftTo: 'tomorrow' })).toMatch(/^--shift-to "tomorrow": expected an ISO 8601 date-time with a zone/);
    expect(message({ shiftTo: '2025-02-30T00:00:00Z' })).toMatch(/^--shift-to "2025-02-30T00:00:00Z": expected/);
  });

  it('reads a date-only --from and --until as midnight UTC of that date (--until is exclusive)', () => {
    const options = parseReplayOptions({ from: '2024-03-01', until: '2024-04-01' });
    expect(options.from).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(options.until).toBe(Date.parse('2024-04-01T00:00:00Z'));
    expect(parseReplayOptions({ until: '2024-03-31T12:00:00+02:00' }).until).toBe(Date.parse('2024-03-31T10:00:00Z'));
  });

  it('refuses an --until that is not after --from', () => {
    expect(message({ from: '2024-03-02', until: '2024-03-01' })).toBe('--until "2024-03-01" must be later than --from "2024-03-02"');
    expect(message({ from: '2024-03-01T10:00:00Z', until: '2024-03-01T10:00:00Z' })).toMatch(/^--until .* must be later than --from/);
  });

  it('reads --reorder-window and --loop as whole numbers within bounds', () => {
    expect(parseReplayOptions({ reorderWindow: '0', loop: '3' })).toMatchObject({ reorderWindow: 0, loop: 3 });
    expect(message({ reorderWindow: '-1' })).toBe('--reorder-window "-1": expected a whole number from 0 up');
    expect(message({ reorderWindow: '2000000' })).toBe('--reorder-window "2000000": must be from 0 to 1,000,000');
    expect(message({ loop: '0' })).toMatch(/^--loop "0": must be from 1 to/);
    expect(message({ loop: '1.5' })).toBe('--loop "1.5": expected a whole number from 1 up');
  });

  it('reads the switches', () => {
    expect(parseReplayOptions({ keepOriginal: false, keepKeys: true })).toMatchObject({ keepOriginal: false, keepKeys: true });
    expect(message({ keepKeys: 'yes' })).toBe('--keep-keys "yes": expected true or false');
  });

  it('lists every bad flag in one line', () => {
    const text = message({ speed: 'fast', maxGap: 'soon', loop: 'twice' });
    expect(text).toBe('--speed "fast": expected a number, "10x" or "max"; --max-gap "soon": expected a duration such as 500ms, 5s, 2m or 1h; --loop "twice": expected a whole number from 1 up');
    expect(text).not.toContain('\n');
  });
});
