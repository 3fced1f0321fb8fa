// The reason-code table (src/reasons.ts) and its documentation agree, and every code is well formed,
// so a code added by one change cannot go undocumented or be spelled two ways.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../src/reasons.js';
import { root } from '../helpers.js';

describe('reason codes', () => {
  it('are EL_ and SCREAMING_SNAKE, each with a one-line description', () => {
    for (const [code, description] of Object.entries(REASONS)) {
      expect(code).toMatch(/^EL_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(description.length, code).toBeGreaterThan(10);
      expect(description, code).not.toContain('\n');
    }
  });

  it('are documented in docs/reason-codes.md, exactly those of the table', async () => {
    const doc = await readFile(`${root}/docs/reason-codes.md`, 'utf8');
    const documented = [...doc.matchAll(/^\| `(EL_[A-Z0-9_]+)` \| (.+) \|$/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(REASONS).sort());
  });
});
