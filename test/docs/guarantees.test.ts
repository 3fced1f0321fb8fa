// Why: the README backs each delivery promise with a named test; a renamed or deleted test would
// leave the promise citing nothing. Every citation (`test/… .test.ts` › "test name") in README.md
// and docs/ must name a test that exists in that file, and every promise of the delivery-guarantees
// section must cite one.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { root } from '../helpers.js';

const CITATION = /`(test\/[^`]+\.test\.ts)` › "([^"]+)"/g;
const SECTION = '## What delivery guarantee each API allows';

const docs = ['README.md', ...(await readdir(join(root, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const texts = new Map(await Promise.all(docs.map(async (doc) => [doc, await readFile(join(root, doc), 'utf8')] as const)));

function citationsIn(text: string): { file: string; name: string }[] {
  return [...text.matchAll(CITATION)].map((match) => ({ file: match[1]!, name: match[2]! }));
}

/** A test, describe or it whose title is exactly `name`, in any quoting. */
function declaresTest(source: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b(?:it|test|describe)(?:\\.\\w+)*\\(\\s*(['"\`])${escaped}\\1`).test(source);
}

describe('citations of tests in the docs', () => {
  for (const [doc, text] of texts) {
    for (const { file, name } of citationsIn(text)) {
      test(`${doc} cites ${file} › "${name}"`, async () => {
        expect(existsSync(join(root, file)), `${file} does not exist`).toBe(true);
        expect(declaresTest(await readFile(join(root, file), 'utf8'), name), `${file} has no test named "${name}"`).toBe(true);
      });
    }
  }

  test('every promise of the delivery-guarantees section cites a test', () => {
    const readme = texts.get('README.md')!;
    const start = readme.indexOf(SECTION);
    expect(start, `README.md has no "${SECTION}"`).toBeGreaterThanOrEqual(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| promise') && !line.startsWith('| ---'));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(citationsIn(row), `no test cited in: ${row}`).not.toEqual([]);
  });

  test('the check itself: a citation of a missing test is caught', () => {
    const source = "it('delivers every event', async () => {});\ntest(`names a field`, () => {});";
    expect(declaresTest(source, 'delivers every event')).toBe(true);
    expect(declaresTest(source, 'names a field')).toBe(true);
    expect(declaresTest(source, 'delivers every')).toBe(false);
    expect(citationsIn('see `test/a/b.test.ts` › "x y"')).toEqual([{ file: 'test/a/b.test.ts', name: 'x y' }]);
  });
});
