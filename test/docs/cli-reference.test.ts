// Why: docs/cli.md is generated from the option and command tables; a committed copy that lags
// behind them documents flags that no longer exist, or misses new ones, and nothing else notices.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliReference, REGENERATE } from '../../src/options/reference.js';
import { root } from '../helpers.js';

describe('docs/cli.md', () => {
  it('is what the option schema generates', async () => {
    const committed = await readFile(join(root, 'docs/cli.md'), 'utf8');
    expect(committed === cliReference(), `docs/cli.md is out of date with src/options: run \`${REGENERATE}\` and commit the result`).toBe(true);
  });

  it('documents every flag and every credential variable', () => {
    const reference = cliReference();
    for (const flag of ['--max-record-size <bytes>', '--no-journal', '--no-keep-original', '-p, --port <n>', '--prune-sandbox']) expect(reference).toContain(`\`${flag}\``);
    for (const variable of ['FLOWMYNA_API_KEY', 'IMMUTABLE_API_KEY', 'FLARING_TOKEN', 'FLARING_EMAIL', 'FLARING_PASSWORD']) expect(reference).toContain(`\`${variable}\``);
  });

  it('documents every variable the code reads by name', async () => {
    const reference = cliReference();
    const read = new Set<string>();
    for (const file of await sources(join(root, 'src'))) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) read.add(match[1]!);
    }
    expect(read).toContain('EVENTLOAD_READER_THREAD');
    for (const variable of read) expect(reference, variable).toContain(`| \`${variable}\` |`);
  });
});

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath ?? (entry as any).path, entry.name));
}
