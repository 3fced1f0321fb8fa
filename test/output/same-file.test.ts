// An output that is an input (or another output of the same run) is refused before anything is read
// or written: `--rejects big.ndjson` once truncated the file being imported after 560 of 50,001 lines.
import { link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventload, generateEvents, useSandboxes, useTempDirs } from '../import/helpers.js';
import { runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

/** 50,001 lines, the 12th not JSON: enough that a run writing its rejects over it reads a few hundred. */
async function bigInput(dir: string): Promise<Buffer> {
  const lines = generateEvents(50_000, 'big').map((event) => JSON.stringify(event));
  lines.splice(11, 0, '{ not json');
  const text = Buffer.from(`${lines.join('\n')}\n`);
  await writeFile(join(dir, 'big.ndjson'), text);
  return text;
}

describe('an output that resolves to an input is refused (exit 2)', () => {
  it('import --rejects big.ndjson leaves big.ndjson byte-identical; so do a symlink and a hard link to it', async () => {
    const dir = await tempDir();
    const before = await bigInput(dir);
    await symlink(join(dir, 'big.ndjson'), join(dir, 'via-symlink.ndjson'));
    await link(join(dir, 'big.ndjson'), join(dir, 'via-hardlink.ndjson'));
    for (const rejects of ['big.ndjson', './sub/../big.ndjson', 'via-symlink.ndjson', 'via-hardlink.ndjson']) {
      await mkdir(join(dir, 'sub'), { recursive: true });
      const run = await eventload(dir, ['import', 'big.ndjson', '-t', 'flowmyna', '--sandbox', '--rejects', rejects]);
      expect(run.code, `${rejects}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^eventload: EL_OUTPUT_IS_INPUT: --rejects ${rejects.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is the input big\\.ndjson.*\\n$`));
      expect(run.stdout).toBe('');
      expect((await readFile(join(dir, 'big.ndjson'))).equals(before)).toBe(true);
    }
  });

  it('refuses --out, --report and the journal on an input, and --rejects equal to --report', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.ndjson'), generateEvents(5).map((event) => JSON.stringify(event)).join('\n') + '\n');
    const before = await readFile(join(dir, 'in.ndjson'));
    const cases: Array<[string[], RegExp]> = [
      [['--dry-run', '--out', 'in.ndjson'], /^eventload: EL_OUTPUT_IS_INPUT: --out in\.ndjson is the input in\.ndjson/],
      [['--sandbox', '--report', 'in.ndjson'], /^eventload: EL_OUTPUT_IS_INPUT: --report in\.ndjson is the input in\.ndjson/],
      [['--sandbox', '--journal', 'in.ndjson'], /^eventload: EL_OUTPUT_IS_INPUT: the journal in\.ndjson is the input in\.ndjson/],
      [['--sandbox', '--rejects', 'same.json', '--report', 'same.json'], /^eventload: EL_OUTPUT_SAME_FILE: --report same\.json and --rejects same\.json are the same file/],
      [['--sandbox', '--rejects', 'j.db', '--journal', 'j.db'], /^eventload: EL_OUTPUT_SAME_FILE: the journal j\.db and --rejects j\.db are the same file/],
    ];
    for (const [args, message] of cases) {
      const run = await eventload(dir, ['import', 'in.ndjson', '-t', 'flowmyna', ...args]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
      expect((await readFile(join(dir, 'in.ndjson'))).equals(before)).toBe(true);
    }
    // SQLite's files beside the journal are outputs too.
    await writeFile(join(dir, 'state.db-wal'), before);
    const onWal = await eventload(dir, ['import', 'state.db-wal', '-f', 'ndjson', '-t', 'flowmyna', '--sandbox', '--journal', 'state.db']);
    expect(onWal.code).toBe(2);
    expect(onWal.stderr).toMatch(/^eventload: EL_OUTPUT_IS_INPUT: the journal's wal file state\.db-wal is the input state\.db-wal/);
    expect((await readFile(join(dir, 'state.db-wal'))).equals(before)).toBe(true);
    // A mapping file is an input too.
    await writeFile(join(dir, 'm.json'), '{"event": "e", "timestamp": "t", "objects": [{"type": {"const": "O"}, "id": "id"}]}');
    const onMapping = await eventload(dir, ['validate', 'in.ndjson', '-m', 'm.json', '--rejects', 'm.json']);
    expect(onMapping.code).toBe(2);
    expect(onMapping.stderr).toMatch(/^eventload: EL_OUTPUT_IS_INPUT: --rejects m\.json is the mapping file m\.json/);
  });

  it('applies to validate, replay and sync', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    await mkdir(join(dir, 'exports'));
    const input = join(dir, 'exports', 'a.ndjson');
    await writeFile(input, '{ not json\n' + generateEvents(3).map((event) => JSON.stringify(event)).join('\n') + '\n');
    const before = await readFile(input);
    await symlink(input, join(dir, 'alias.ndjson'));

    const validate = await eventload(dir, ['validate', 'exports/a.ndjson', '--rejects', 'alias.ndjson']);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/^eventload: EL_OUTPUT_IS_INPUT: --rejects alias\.ndjson is the input exports\/a\.ndjson \(the same file\)/);
    const junit = await eventload(dir, ['validate', 'exports/a.ndjson', '--junit', 'exports/a.ndjson']);
    expect(junit.code).toBe(2);

    const replay = await eventload(dir, ['replay', 'exports/a.ndjson', '-t', 'flowmyna', '--sandbox', '--rejects', 'alias.ndjson']);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(/is the input exports\/a\.ndjson/);

    const config = join(dir, 'sync.json');
    await writeFile(config, JSON.stringify({ files: ['exports/*.ndjson'], target: 'flowmyna', endpoint: sandbox.url, token: { env: 'KEY' }, rejects: 'alias.ndjson' }));
    const sync = await runCli(['sync', '--config', config], { cwd: dir, env: { KEY: sandbox.token } });
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/^eventload: EL_OUTPUT_IS_INPUT: rejects .*alias\.ndjson is the input .*exports\/a\.ndjson/);
    expect(sandbox.stats.ingestRequests).toBe(0);
    expect((await readFile(input)).equals(before)).toBe(true);
  });
});
