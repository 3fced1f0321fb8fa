// Numbers a double cannot hold keep their digits from parse to request body; every other number
// is the same double JSON.parse gives, and the depth limit holds before anything recurses.
import { describe, expect, it } from 'vitest';
import { ExactNumber, numberFromJson, numberFromText, toJsonText } from '../../src/events/exact-number.js';
import { mayHoldInexactNumber, nestedDeeperThan, parseJsonText } from '../../src/events/json-text.js';
import { stableStringify } from '../../src/events/keys.js';

const parsed = (text: string) => {
  const result = parseJsonText(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
};

describe('exact numbers', () => {
  it('keeps the digits of numbers a double cannot hold, and only of those', () => {
    expect(numberFromJson('9007199254740993')).toEqual(new ExactNumber('9007199254740993'));
    expect(numberFromJson('123456789012345678901234567890')).toEqual(new ExactNumber('123456789012345678901234567890'));
    expect(numberFromJson('1e400')).toEqual(new ExactNumber('1e400'));
    expect(numberFromJson('1e-400')).toEqual(new ExactNumber('1e-400'));
    expect(numberFromJson('0.1000000000000000055511151231257827')).toBeInstanceOf(ExactNumber);
    for (const plain of ['9007199254740992', '0.1', '0.30000000000000004', '1e21', '1E+2', '-0', '1.5e300', '1709561702117700', '310.50']) {
      expect(numberFromJson(plain), plain).toBe(Number(plain));
    }
  });

  it('reads decimals written in text cells the same way, in JSON form', () => {
    expect(numberFromText('+9007199254740993')).toEqual(new ExactNumber('9007199254740993'));
    expect(numberFromText('00123456789012345678901234567890')).toEqual(new ExactNumber('123456789012345678901234567890'));
    expect(numberFromText('.1000000000000000055511151231257827')).toEqual(new ExactNumber('0.1000000000000000055511151231257827'));
    expect(numberFromText('1e400')).toEqual(new ExactNumber('1e400'));
    expect(numberFromText('1234.56')).toBe(1234.56);
    expect(numberFromText('0x1F')).toBeUndefined();
    expect(numberFromText('Infinity')).toBeUndefined();
  });

  it('writes them verbatim into JSON text, and a string that looks like one stays a string', () => {
    const value = parsed('{"a":9007199254740993,"b":[1e400,-123456789012345678901234567890],"c":0.1,"d":"9007199254740993"}');
    expect(toJsonText(value)).toBe('{"a":9007199254740993,"b":[1e400,-123456789012345678901234567890],"c":0.1,"d":"9007199254740993"}');
    expect(stableStringify(value)).toBe('{"a":9007199254740993,"b":[1e400,-123456789012345678901234567890],"c":0.1,"d":"9007199254740993"}');
    // Text that imitates the placeholder without this process's random tag stays text.
    expect(toJsonText({ x: '\u0000el-exact-0000000000:5' })).toBe('{"x":"\\u0000el-exact-0000000000:5"}');
  });

  it('parses exactly what JSON.parse parses when no number needs it (random texts)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const number = (random() - 0.5) * 10 ** Math.floor(random() * 30 - 10);
      const id = Math.floor(random() * 1e15).toString(16);
      const text = JSON.stringify({ n: number, id, list: [Math.floor(random() * 1e6), `${id}e123`], nested: { ts: 1_714_643_100_000 + i } });
      expect(parseJsonText(text)).toEqual({ ok: true, value: JSON.parse(text) });
    }
  });

  it('finds every long number, wherever it stands, whatever the white space', () => {
    for (const text of ['{"a":12345678901234567}', '{"a": -1e400}', '[1,\n\t1.2345678901234567]', '{"a":[0.0000000000000000001]}', '{"a":1E-400 }', '[1e+400]']) {
      expect(mayHoldInexactNumber(text), text).toBe(true);
    }
    for (const text of ['{"id":"1234567890123456789"}', '{"u":"3e400f1a-0000"}', '{"t":"2024-05-02T08:00:00.123456+02:00","n":12345}']) {
      expect(mayHoldInexactNumber(text), text).toBe(false);
    }
  });

  it('measures nesting without counting brackets inside strings', () => {
    expect(nestedDeeperThan(`{"a":"${'['.repeat(100)}"}`, 64)).toBe(false);
    expect(nestedDeeperThan(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toBe(true);
    expect(nestedDeeperThan(`${'['.repeat(64)}${']'.repeat(64)}`, 64)).toBe(false);
    expect(parseJsonText(`{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)).toMatchObject({ ok: false, code: 'EL_RECORD_TOO_DEEP' });
  });
});
