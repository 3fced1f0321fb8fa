// Why: the README is a short index into docs/, so a renamed page or heading would leave readers at a
// dead link that nothing else notices. Every relative link in README.md and docs/ must reach a file,
// and a `#anchor` must name a heading of that page (as GitHub spells heading anchors). The README
// also stays short: at most 12 KB, the rest lives in docs/.
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, test } from 'vitest';
import { root } from '../helpers.js';

const README_MAX_BYTES = 12 * 1024;

const entries = await readdir(join(root, 'docs'), { recursive: true, withFileTypes: true });
const DOCS = [
  'README.md',
  'ARCHITECTURE.md',
  ...entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length).replace(/^\//, ''))
    .sort(),
];

export interface Link {
  line: number;
  target: string;
}

/** Inline Markdown links `[text](target)` outside fenced blocks and code spans. */
export function linksOf(text: string): Link[] {
  const links: Link[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((raw, index) => {
    const open = /^\s*(```+|~~~+)/.exec(raw);
    if (open) {
      if (fence === null) fence = open[1]!;
      else if (raw.trim().startsWith(fence)) fence = null;
      return;
    }
    if (fence !== null) return;
    const line = raw.replace(/`[^`]*`/g, '');
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ line: index + 1, target: match[1]! });
  });
  return links;
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const raw of text.split('\n')) {
    const open = /^\s*(```+|~~~+)/.exec(raw);
    if (open) {
      if (fence === null) fence = open[1]!;
      else if (raw.trim().startsWith(fence)) fence = null;
      continue;
    }
    const heading = fence === null ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw) : null;
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** What is wrong with one link of `doc`, or null when it reaches its file (and heading). */
export async function problemWith(doc: string, target: string, read: (path: string) => Promise<string | null>): Promise<string | null> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto: … are not files of this repository
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  const path = pathPart === '' ? doc : normalize(join(dirname(doc), decodeURIComponent(pathPart)));
  const text = await read(path);
  if (text === null) return `${path} does not exist`;
  if (anchor === undefined || anchor === '' || !path.endsWith('.md')) return null;
  return anchorsOf(text).has(anchor) ? null : `${path} has no heading with the anchor #${anchor}`;
}

async function readRepositoryFile(path: string): Promise<string | null> {
  const full = join(root, path);
  if (!existsSync(full)) return null;
  return (await stat(full)).isDirectory() ? '' : readFile(full, 'utf8');
}

describe('links between the docs', () => {
  for (const doc of DOCS) {
    test(`${doc}: every relative link reaches a file and heading`, async () => {
      const text = await readFile(join(root, doc), 'utf8');
      const problems: string[] = [];
      for (const link of linksOf(text)) {
        const problem = await problemWith(doc, link.target, readRepositoryFile);
        if (problem) problems.push(`${doc}:${link.line}: (${link.target}) ${problem}`);
      }
      expect(problems).toEqual([]);
    });
  }

  test('README.md is at most 12 KB', async () => {
    const { size } = await stat(join(root, 'README.md'));
    expect(size, `README.md is ${size} bytes; move detail to docs/`).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  test('the check itself: a missing page or heading is caught, code is not read as links', async () => {
    const pages: Record<string, string> = { 'docs/a.md': '# A page\n\n## What an answer means\n\n## Setup\n\n## Setup\n' };
    const read = async (path: string) => pages[path] ?? null;
    expect(await problemWith('README.md', 'docs/a.md#what-an-answer-means', read)).toBeNull();
    expect(await problemWith('README.md', 'docs/a.md#setup-1', read)).toBeNull();
    expect(await problemWith('docs/b.md', 'a.md', read)).toBeNull();
    expect(await problemWith('docs/b.md', '../README.md', read)).toMatch(/README\.md does not exist/);
    expect(await problemWith('README.md', 'docs/missing.md', read)).toMatch(/does not exist/);
    expect(await problemWith('README.md', 'docs/a.md#nowhere', read)).toMatch(/no heading/);
    expect(await problemWith('README.md', 'https://example.com/x', read)).toBeNull();
    expect(anchorsOf('# Replay: `eventload replay`\n## Files eventload writes')).toEqual(new Set(['replay-eventload-replay', 'files-eventload-writes']));
    expect(linksOf('see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d](d.md#x)')).toEqual([
      { line: 1, target: 'a.md' },
      { line: 5, target: 'd.md#x' },
    ]);
  });
});
