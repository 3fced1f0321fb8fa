// One timestamp module and one key module: a second ISO 8601 regex or a key prefix spelled
// outside them would let two places drift apart again, so this fails when one appears in src/.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) found.push(path);
  }
  return found;
}

/** Code without its comments (roughly: a `//` inside a string cuts a line short, which only hides text). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** Files whose code, not comments, holds one of the patterns; paths relative to src/ with `/`. */
async function holding(patterns: RegExp[], allowed: (path: string) => boolean): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await sources(SRC)) {
    const path = relative(SRC, file).split(sep).join('/');
    if (allowed(path)) continue;
    const text = code(await readFile(file, 'utf8'));
    if (patterns.some((pattern) => pattern.test(text))) hits.push(path);
  }
  return hits;
}

// The pieces of an ISO 8601 regex as written in source: `\d{4}-\d{2}`, `\d{2}:\d{2}`, `[+-]\d{2}`.
const ISO_PIECES = [/\\d\{4\}-\\d\{2\}/, /\\d\{2\}:\\d\{2\}/, /\[\+-\]\\d\{2\}/];
const KEY_PREFIXES = [/el1_|elb_|elr_/];

describe('one definition', () => {
  it('has the ISO 8601 grammar only in the timestamp module (and in the API emulators, which copy the servers)', async () => {
    const emulator = (path: string) => path.startsWith('sandbox/') || /^targets\/[^/]+\/sandbox/.test(path);
    expect(await holding(ISO_PIECES, (path) => path === 'events/timestamp/grammar.ts' || emulator(path))).toEqual([]);
  });

  it('spells the key prefixes only in the key module', async () => {
    expect(await holding(KEY_PREFIXES, (path) => path === 'events/keys.ts')).toEqual([]);
  });

  it('would notice one (the checks are not vacuous)', async () => {
    expect(await holding(ISO_PIECES, () => false)).toContain('events/timestamp/grammar.ts');
    expect(await holding(KEY_PREFIXES, () => false)).toEqual(['events/keys.ts']);
  });
});
