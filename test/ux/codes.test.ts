// The code table (src/codes.ts) and its documentation agree, and every code is well formed, so a
// code added by one change cannot go undocumented, be spelled two ways, or change its exit code.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CODES, EXIT } from '../../src/codes.js';
import { AbortError, ConfigError } from '../../src/errors.js';
import { root } from '../helpers.js';

type Entry = { meaning: string; reason?: true; exit?: number };
const entries = Object.entries(CODES) as [string, Entry][];

async function documented(heading: string): Promise<string[][]> {
  const doc = await readFile(`${root}/docs/codes.md`, 'utf8');
  const section = doc.split(/^## /m).find((part) => part.startsWith(heading));
  expect(section, heading).toBeDefined();
  return [...section!.matchAll(/^\| `(EL_[A-Z0-9_]+)` \| (.+) \|$/gm)].map((match) => [match[1]!, ...match[2]!.split(' | ')]);
}

describe('codes', () => {
  it('are EL_ and SCREAMING_SNAKE, each a reason or an error (or both), with a one-line meaning', () => {
    for (const [code, entry] of entries) {
      expect(code).toMatch(/^EL_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(entry.meaning.length, code).toBeGreaterThan(10);
      expect(entry.meaning, code).not.toContain('\n');
      expect(entry.reason === true || entry.exit !== undefined, code).toBe(true);
      if (entry.exit !== undefined) expect(Object.values(EXIT), code).toContain(entry.exit);
    }
  });

  it('docs/codes.md lists exactly the reasons of the table, with their meanings', async () => {
    const rows = await documented('Reasons');
    expect(rows.sort()).toEqual(entries.filter(([, entry]) => entry.reason).map(([code, entry]) => [code, entry.meaning]).sort());
  });

  it('docs/codes.md lists exactly the errors of the table, with their exit codes and meanings', async () => {
    const rows = await documented('Errors');
    expect(rows.sort()).toEqual(entries.filter(([, entry]) => entry.exit !== undefined).map(([code, entry]) => [code, String(entry.exit), entry.meaning]).sort());
  });

  it('gives an error the exit code its code has in the table', () => {
    expect(new ConfigError('m', 'EL_OUTPUT_EXISTS').exitCode).toBe(EXIT.config);
    expect(new AbortError('m', 'EL_AUTH').exitCode).toBe(EXIT.aborted);
    // A code not in the table, or one of another exit code, does not compile (tsc checks the tests).
    const neverCalled = () => [
      // @ts-expect-error not in the table
      new ConfigError('m', 'EL_NOT_IN_THE_TABLE'),
      // @ts-expect-error EL_AUTH stops a run (exit 3): a ConfigError (exit 2) cannot carry it
      new ConfigError('m', 'EL_AUTH'),
      // @ts-expect-error a reason for a rejected record is not an error
      new AbortError('m', 'EL_FIELD_LENGTH'),
    ];
    expect(neverCalled).toBeTypeOf('function');
  });
});
