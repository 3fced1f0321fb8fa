// A JSON export that wraps its records in one object, through the CLI: init names the member to
// pass, --records (or the mapping's reader.records) reads them, and a sandbox receives each once.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers.js';
import { importInto, useSandboxes, useTempDirs } from '../../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const rows = Array.from({ length: 30 }, (_, i) => ({ id: `INV-${i + 1}`, ts: `2024-03-01T10:${String(i).padStart(2, '0')}:00Z`, status: i % 3 === 0 ? 'paid' : 'sent' }));

describe('--records', () => {
  it('init says which member to pass; with it, init, validate and import read every record', async () => {
    const dir = await tempDir();
    const file = join(dir, 'api-export.json');
    await writeFile(file, JSON.stringify({ total: rows.length, page: { size: 100 }, result: { items: rows } }, null, 2));

    const hint = await runCli(['init', file, '-o', join(dir, 'm.json')], { cwd: dir });
    expect(hint.code).toBe(2);
    expect(hint.stderr).toContain(`EL_INIT_NO_GUESS: ${file}: is one JSON object wrapping 30 records in "result.items": run init again with --records result.items`);

    const init = await runCli(['init', file, '--records', 'result.items', '-o', join(dir, 'm.json')], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'm.json'), 'utf8')).reader).toEqual({ records: 'result.items' });
    const validate = await runCli(['validate', file, '-m', 'm.json'], { cwd: dir });
    expect(validate.stdout).toBe('30 records read: 30 valid, 0 invalid\n');

    const sandbox = await sandboxes({ target: 'flowmyna' });
    const canonical = join(dir, 'canonical.json');
    await writeFile(canonical, JSON.stringify({ data: rows.map((row) => ({ event: row.status, timestamp: row.ts, objects: [{ type: 'Invoice', id: row.id }] })), next: null }));
    const run = await importInto(sandbox, dir, [canonical, '--records', 'data']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ read: 30, accepted: 30, rejectedLocal: 0 });
    expect(sandbox.stats.stored).toHaveLength(30);

    const missing = await runCli(['validate', canonical, '--records', 'items'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('EL_JSON_RECORDS_NOT_FOUND: reader.records: the file has no member "items"');
  });
});
