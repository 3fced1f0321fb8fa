// Messages that list the targets read the registry when they are shown: a target registered
// later (as a test-only one is here) is named in them, with no list to update anywhere else.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planImport, type ImportFlags } from '../../src/cli/commands/import.js';
import { loadSyncConfig } from '../../src/sync/config.js';
import { findTarget, registerTarget } from '../../src/targets/index.js';

let dir: string;

beforeAll(async () => {
  registerTarget({ ...findTarget('flowmyna'), name: 'testonly' });
  dir = await mkdtemp(join(tmpdir(), 'eventload-names-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('target names in messages', () => {
  it('import without a target names every registered target', async () => {
    const flags = { target: '', concurrency: 8, maxRetries: 5, retryDeadline: 300, timeout: 30_000, backoffBase: 1000 } as ImportFlags;
    await expect(planImport(['a.csv'], flags, { command: 'import' })).rejects.toMatchObject({
      code: 'EL_TARGET_MISSING',
      message: 'no target: pass --target NAME (flowmyna, immutable, flaring, testonly)',
    });
  });

  it('a sync config without a target names every registered target', async () => {
    const file = join(dir, 'sync.json');
    await writeFile(file, JSON.stringify({ files: ['*.csv'] }));
    await expect(loadSyncConfig(file)).rejects.toThrow(`${file}: target: sync needs a target: flowmyna, immutable, flaring or testonly`);
  });
});
