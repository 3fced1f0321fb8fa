// Numbers written with a decimal comma (1.234,56), as European exports write them: "decimal": ","
// converts them exactly, rejects what is not one with its column and value, and init proposes it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJsonText } from '../../src/events/exact-number.js';
import { compileMapping } from '../../src/mapping/compile.js';
import { parseMapping } from '../../src/mapping/load.js';
import { commaDecimalText } from '../../src/mapping/reference.js';
import { runCli, withTempDir } from '../helpers.js';

const base = { event: { const: 'Paid' }, timestamp: { column: 'ts', timezone: 'UTC' }, objects: [{ type: { const: 'Invoice' }, id: 'id' }] };
const position = { file: 'in.csv', line: 2 };

function map(amount: string, as: 'number' | 'integer' = 'number') {
  const mapping = parseMapping({ ...base, properties: { amount: { column: 'amount', as, decimal: ',' } } }, 'm.json');
  return compileMapping({ ...mapping, event: mapping.event!, timestamp: mapping.timestamp!, objects: mapping.objects! }).map({ id: 'I-1', ts: '2024-03-01 10:00:00', amount }, position);
}

describe('"decimal": ","', () => {
  it('reads grouped and plain numbers with a decimal comma, exactly', () => {
    expect(commaDecimalText('1.234,56')).toBe('1234.56');
    expect(commaDecimalText(' -0,25 ')).toBe('-0.25');
    expect(commaDecimalText('1 234 567,5')).toBe('1234567.5');
    expect(commaDecimalText("1'234,5")).toBe('1234.5');
    expect(commaDecimalText('1\u202f234,5')).toBe('1234.5');
    expect(commaDecimalText('+12')).toBe('12');
    expect(commaDecimalText('1234567,891')).toBe('1234567.891');
    for (const bad of ['1,2,3', '12.34', '1.23,4.5', '1.234 567,8', ',5', '1,', 'abc', '1e5']) expect(commaDecimalText(bad), bad).toBeUndefined();
    expect(map('1.234,56')).toMatchObject({ ok: true, event: { properties: { amount: 1234.56 } } });
    expect(toJsonText((map('12345678901234567890,5') as { event: unknown }).event)).toContain('"amount":12345678901234567890.5'); // its digits, not a rounded double
    expect(map('1.000', 'integer')).toMatchObject({ ok: true, event: { properties: { amount: 1000 } } });
  });

  it('rejects a value that is not such a number, naming the column and the value', () => {
    expect(map('1,2,3')).toMatchObject({ ok: false, issues: [{ code: 'EL_VALUE_NOT_NUMBER', message: 'column "amount": "1,2,3" is not a number written with a decimal comma (such as 1.234,56 or -0,5)' }] });
    expect(map('2,5', 'integer')).toMatchObject({ ok: false, issues: [{ code: 'EL_VALUE_NOT_INTEGER' }] });
    expect(() => parseMapping({ ...base, properties: { amount: { column: 'amount', decimal: ',' } } }, 'm.json')).toThrow(/"decimal" needs "as": "number" or "integer"/);
  });

  it('is what init proposes for such a column, and the import then sends the numbers', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'rechnungen.csv');
      await writeFile(file, 'id;ts;betrag;menge;code\nR-1;2024-03-01 10:00:00;1.234,56;3;1,234\nR-2;2024-03-01 10:05:00;12,5;1;2,500\nR-3;2024-03-01 10:10:00;-0,25;2;3,000\n');
      const init = await runCli(['init', file, '--timezone', 'UTC', '-o', join(dir, 'm.json')], { cwd: dir });
      expect(init.code, init.stderr).toBe(0);
      const mapping = JSON.parse(await readFile(join(dir, 'm.json'), 'utf8'));
      const properties = JSON.stringify(mapping);
      expect(properties).toContain('{"column":"betrag","as":"number","decimal":","}');
      expect(properties).toContain('{"column":"menge","as":"number"}');
      // Every comma followed by exactly three digits: a thousands separator as well, so no guess.
      expect(properties).not.toContain('{"column":"code","as":"number"');
      const out = join(dir, 'out.ndjson');
      const run = await runCli(['import', file, '-m', 'm.json', '--target', 'flowmyna', '--dry-run', '--out', out, '-q'], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      const text = await readFile(out, 'utf8');
      for (const amount of ['"betrag":1234.56', '"betrag":12.5', '"betrag":-0.25']) expect(text).toContain(amount);
    });
  });
});
