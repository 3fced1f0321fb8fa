// Why: docs/cli.md is generated from the option and command tables; a committed copy that lags
// behind them documents flags that no longer exist, or misses new ones, and nothing else notices.
import { readFile } from 'node:fs/promises';
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
});
