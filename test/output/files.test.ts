// Files eventload writes never destroy a file it did not just create: rejects of two runs in the
// same second, a sync's fixed rejects path, an existing --out, --report or mapping file; and every
// one of them gets its missing folders (docs/sync.md's config example works as written).
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventload, generateEvents, readNdjson, readRejects, useSandboxes, useTempDirs } from '../import/helpers.js';
import { fixture, root, runCli } from '../helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const ndjson = (records: unknown[]) => records.map((record) => JSON.stringify(record)).join('\n') + '\n';

/** `good` valid events and `bad` lines that are not JSON, each bad line naming `tag`. */
function inputWith(tag: string, good: number, bad: number): string {
  const lines = generateEvents(good, tag).map((event) => JSON.stringify(event));
  for (let i = 0; i < bad; i++) lines.push(`{ broken ${tag} ${i}`);
  return `${lines.join('\n')}\n`;
}

/** The name the default rejects file has for a run started at `ms`. */
function defaultName(ms: number): string {
  return `eventload-rejects-${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}.ndjson`;
}

describe('rejects files are never overwritten', () => {
  it('two imports started in the same second keep both sets of rejects, and an existing file of that name is left alone', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.ndjson'), inputWith('a', 3, 5));
    await writeFile(join(dir, 'b.ndjson'), inputWith('b', 3, 3));
    // Whatever second the runs start in, a file of the default name is already there.
    const now = Date.now();
    const taken = Array.from({ length: 30 }, (_, i) => defaultName(now + i * 1000));
    for (const name of taken) await writeFile(join(dir, name), 'precious\n');

    const [a, b] = await Promise.all(['a', 'b'].map((tag) => eventload(dir, ['import', `${tag}.ndjson`, '-t', 'flowmyna', '--sandbox', '--json', '--no-journal'])));
    expect(a!.code, a!.stderr).toBe(1);
    expect(b!.code, b!.stderr).toBe(1);
    for (const name of taken) expect(await readFile(join(dir, name), 'utf8')).toBe('precious\n');

    const pathA = JSON.parse(a!.stdout).rejects as string;
    const pathB = JSON.parse(b!.stdout).rejects as string;
    expect(pathA).not.toBe(pathB);
    expect(pathA).toMatch(/^eventload-rejects-\d{8}-\d{6}-\d+\.ndjson$/);
    const rejectsA = await readRejects(join(dir, pathA));
    const rejectsB = await readRejects(join(dir, pathB));
    expect(rejectsA.map((line) => line.raw)).toEqual([0, 1, 2, 3, 4].map((i) => `{ broken a ${i}`));
    expect(rejectsB.map((line) => line.raw)).toEqual([0, 1, 2].map((i) => `{ broken b ${i}`));
    // Each file starts with the header line of the run that wrote it.
    expect((await readNdjson(join(dir, pathA)))[0]).toMatchObject({ run: { command: 'import', files: ['a.ndjson'] } });
  });

  it('a --rejects file the user named is appended to, one header line per run, and the summary names it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.ndjson'), inputWith('a', 2, 2));
    await writeFile(join(dir, 'b.ndjson'), inputWith('b', 2, 1));
    for (const file of ['a.ndjson', 'b.ndjson']) {
      const run = await eventload(dir, ['import', file, '-t', 'flowmyna', '--sandbox', '--no-journal', '--rejects', 'out/rejects.ndjson']);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/rejects file +out\/rejects\.ndjson\n/);
    }
    const lines = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(lines.map((line) => (line.run ? `run ${line.run.files[0]}` : line.raw))).toEqual(['run a.ndjson', '{ broken a 0', '{ broken a 1', 'run b.ndjson', '{ broken b 0']);
    expect(lines[0]!.run.id).not.toBe(lines[3]!.run.id);

    // What reads rejects files passes over the header lines.
    const validated = await eventload(dir, ['validate', 'out/rejects.ndjson', '--reporter', 'json']);
    expect(JSON.parse(validated.stdout)).toMatchObject({ read: 3, invalid: 3 });
  });

  it('two syncs with a fixed rejects path keep both runs\' rejects (a.csv\'s survive b.csv\'s run)', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    await mkdir(join(dir, 'exports'));
    const config = join(dir, 'orders.json');
    await writeFile(config, JSON.stringify({ files: ['exports/*.ndjson'], target: 'flowmyna', endpoint: sandbox.url, token: { env: 'KEY' }, rejects: 'rejects/orders.ndjson' }));
    const env = { KEY: sandbox.token, FLOWMYNA_API_KEY: undefined };
    await writeFile(join(dir, 'exports', 'a.ndjson'), inputWith('a', 4, 5));
    const first = await runCli(['sync', '--config', config], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(1);
    await writeFile(join(dir, 'exports', 'b.ndjson'), inputWith('b', 4, 3));
    const second = await runCli(['sync', '--config', config, '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ rejectedLocal: 3, rejects: join(dir, 'rejects', 'orders.ndjson') });

    const lines = await readNdjson(join(dir, 'rejects', 'orders.ndjson'));
    expect(lines.filter((line) => line.run).map((line) => line.run.command)).toEqual(['sync', 'sync']);
    const rejected = lines.filter((line) => !line.run).map((line) => line.raw);
    expect(rejected).toEqual([...[0, 1, 2, 3, 4].map((i) => `{ broken a ${i}`), ...[0, 1, 2].map((i) => `{ broken b ${i}`)]);
  });
});

describe('--out, --report and init never overwrite a file they did not write', () => {
  it('refuses an existing --out (exit 2) before reading, and leaves it as it was', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.ndjson'), ndjson(generateEvents(3)));
    await writeFile(join(dir, 'bodies.ndjson'), 'precious\n');
    const run = await eventload(dir, ['import', 'in.ndjson', '-t', 'flowmyna', '--dry-run', '--out', 'bodies.ndjson']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('eventload: EL_OUTPUT_EXISTS: --out bodies.ndjson: already exists; eventload does not overwrite it (remove it, or name another file)\n');
    expect(await readFile(join(dir, 'bodies.ndjson'), 'utf8')).toBe('precious\n');

    // A new one is written, its folder created.
    const fresh = await eventload(dir, ['import', 'in.ndjson', '-t', 'flowmyna', '--dry-run', '--out', 'dry/bodies.ndjson']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect((await readNdjson(join(dir, 'dry', 'bodies.ndjson'))).length).toBe(1);
  });

  it('replaces its own earlier --report, and refuses (exit 2, before sending) a file that is not one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.ndjson'), ndjson(generateEvents(3)));
    await writeFile(join(dir, 'notes.json'), '{"mine": true}\n');
    const refused = await eventload(dir, ['import', 'in.ndjson', '-t', 'flowmyna', '--sandbox', '--report', 'notes.json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^eventload: EL_OUTPUT_EXISTS: --report notes\.json: already exists and was not written by eventload/);
    expect(await readFile(join(dir, 'notes.json'), 'utf8')).toBe('{"mine": true}\n');

    // As cron does: the same --report path every run, into a folder that does not exist yet.
    for (let run = 0; run < 2; run++) {
      const result = await eventload(dir, ['import', 'in.ndjson', '-t', 'flowmyna', '--sandbox', '--no-journal', '--report', 'reports/last.json']);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(JSON.parse(await readFile(join(dir, 'reports', 'last.json'), 'utf8'))).toMatchObject({ command: 'import', read: 3, accepted: 3 });
    expect(await readdir(join(dir, 'reports'))).toEqual(['last.json']); // no temporary file left behind
  });

  it('init never overwrites a mapping file without --force, nor its own input even with it, and creates the folder', async () => {
    const dir = await tempDir();
    await copyFile(fixture('orders.csv'), join(dir, 'orders.csv'));
    await writeFile(join(dir, 'orders.mapping.json'), '{"hand": "written"}\n');
    const refused = await eventload(dir, ['init', 'orders.csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('eventload: EL_OUTPUT_EXISTS: orders.mapping.json: already exists; pass --force to overwrite it\n');
    expect(await readFile(join(dir, 'orders.mapping.json'), 'utf8')).toBe('{"hand": "written"}\n');

    const before = await readFile(join(dir, 'orders.csv'));
    const onInput = await eventload(dir, ['init', 'orders.csv', '--out', 'orders.csv', '--force']);
    expect(onInput.code).toBe(2);
    expect(onInput.stderr).toMatch(/^eventload: EL_OUTPUT_IS_INPUT: the mapping file orders\.csv is the input orders\.csv: .*\n$/);
    expect(await readFile(join(dir, 'orders.csv'))).toEqual(before);

    const made = await eventload(dir, ['init', 'orders.csv', '--out', 'mappings/orders.json']);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'mappings', 'orders.json'), 'utf8'))).toHaveProperty('event');
  });
});

describe("docs/sync.md's config example", () => {
  it('works as written: validate --config and import --config --sandbox create the rejects folder', async () => {
    const readme = await readFile(join(root, 'docs', 'sync.md'), 'utf8');
    const example = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!).find((block) => block.includes('"rejects/orders.ndjson"') && block.includes('"journal"'));
    expect(example).toBeDefined();
    const config = JSON.parse(example!);
    const dir = await tempDir();
    await writeFile(join(dir, 'orders.json'), example!);
    await mkdir(join(dir, 'exports'));
    // The fixture's rows, plus one the mapping rejects, as an export would have.
    const rows = (await readFile(fixture('orders.csv'), 'utf8')).trimEnd();
    await writeFile(join(dir, 'exports', 'orders.csv'), `${rows}\nSO-9,placed,not a date,C-1,X,u-ana,1,EUR,1,\n`);
    await copyFile(fixture('orders.mapping.json'), join(dir, config.mapping));

    const validated = await eventload(dir, ['validate', '--config', 'orders.json']);
    expect(validated.code, validated.stderr).toBe(1);
    expect(validated.stdout).toMatch(/rejected records written to rejects\/orders\.ndjson\n/);
    expect(await readRejects(join(dir, 'rejects', 'orders.ndjson'))).toHaveLength(1);

    const imported = await eventload(dir, ['import', '--config', 'orders.json', '--sandbox', '--json']);
    expect(imported.code, imported.stderr).toBe(1);
    expect(JSON.parse(imported.stdout)).toMatchObject({ rejectedLocal: 1, rejects: 'rejects/orders.ndjson' });
    expect(await readRejects(join(dir, 'rejects', 'orders.ndjson'))).toHaveLength(2); // validate's, then import's
  });
});
