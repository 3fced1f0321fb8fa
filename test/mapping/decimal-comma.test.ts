// Numbers written with a decimal comma (1.234,56), as European exports write them: init proposes
// "decimal": "," for them, and the import sends the numbers (the conversion itself: compile.test.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withTempDir } from '../helpers.js';

describe('"decimal": ","', () => {
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
