// `sync --config` reads the file of `import --config` and `validate --config`: one file serves all
// three. What sync needs on top (files, target, a journal) is checked with the same messages, and
// the old sync-only format (`sources`, nested `options`) is still read, with a note on how to rewrite it.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgradeOldFormat } from '../../src/sync/config.js';
import { fixture, runCli } from '../helpers.js';
import { generateEvents, useSandboxes, useTempDirs } from '../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const NO_CREDENTIALS = { FLOWMYNA_API_KEY: undefined, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined };
const ndjson = (events: unknown[]) => events.map((event) => JSON.stringify(event)).join('\n') + '\n';

async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, JSON.stringify(value, null, 2));
  return path;
}

describe('one config file for validate, import and sync', () => {
  it('validates, imports into the sandbox and syncs from the same file, from another working directory', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const dir = await tempDir();
    await mkdir(join(dir, 'etc', 'exports'), { recursive: true });
    await mkdir(join(dir, 'elsewhere'));
    await copyFile(fixture('orders.csv'), join(dir, 'etc', 'exports', 'orders.csv'));
    await copyFile(fixture('orders.mapping.json'), join(dir, 'etc', 'orders.mapping.json'));
    const config = await writeJson(join(dir, 'etc', 'orders.json'), {
      description: 'orders export to FlowMyna',
      files: ['exports/*.csv'],
      mapping: 'orders.mapping.json',
      target: 'flowmyna',
      endpoint: sandbox.url,
      token: { env: 'ORDERS_FLOWMYNA_KEY' },
      concurrency: 2,
      batchSize: 3,
      maxErrorRate: 5,
      journal: 'state/journal.db',
      rejects: 'rejects.ndjson',
      maxErrors: 10,
    });
    const cwd = join(dir, 'elsewhere');

    const validate = await runCli(['validate', '--config', config], { cwd, env: NO_CREDENTIALS });
    expect(validate).toMatchObject({ code: 0, stdout: '8 records read: 8 valid, 0 invalid\n' });

    // --sandbox: the variable the file names is not set, and is not needed.
    const tryOut = await runCli(['import', '--config', config, '--sandbox', '--json', '--no-journal'], { cwd, env: { ...NO_CREDENTIALS, ORDERS_FLOWMYNA_KEY: undefined } });
    expect(tryOut.code, tryOut.stderr).toBe(0);
    expect(JSON.parse(tryOut.stdout)).toMatchObject({ read: 8, accepted: 8 });
    expect(sandbox.stats.ingestRequests).toBe(0); // the file's endpoint gave way to the sandbox's

    const env = { ...NO_CREDENTIALS, ORDERS_FLOWMYNA_KEY: sandbox.token };
    const first = await runCli(['sync', '--config', config], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^sync .*orders\.json: 1 files, 0 unchanged; read 8, accepted 8, duplicates 0, rejected 0, skipped 0, not sent 0 in [\d.]+ s\n$/);
    expect(sandbox.stats.stored).toHaveLength(8);
    expect(sandbox.stats.ingestRequests).toBe(3); // batchSize 3 from the file
    const again = await runCli(['sync', '--config', config], { cwd, env });
    expect(again.stdout).toMatch(/1 files, 1 unchanged, nothing to send/);
    // The journal named in the file, relative to the file's folder.
    await expect(readFile(join(dir, 'etc', 'state', 'journal.db'))).resolves.toBeDefined();

    // The same journal lets import skip what sync sent.
    const imported = await runCli(['import', '--config', config, '--json'], { cwd, env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ read: 8, accepted: 0, skipped: 8 });
  });

  it('keeps the sync defaults: journal and rejects beside the config file', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    await mkdir(join(dir, 'conf', 'exports'), { recursive: true });
    await writeFile(join(dir, 'conf', 'exports', 'a.ndjson'), ndjson(generateEvents(3)));
    await writeJson(join(dir, 'conf', 'c.json'), { files: ['exports/*.ndjson'], target: 'immutable', endpoint: sandbox.url, token: { env: 'K' } });
    const result = await runCli(['sync', '--config', join('conf', 'c.json'), '--json'], { cwd: dir, env: { ...NO_CREDENTIALS, K: sandbox.token } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'sync', config: join('conf', 'c.json'), files: 1, accepted: 3 });
    await expect(readFile(join(dir, 'conf', '.eventload', 'journal.db'))).resolves.toBeDefined();
  });
});

describe('sync --config: what sync needs on top', () => {
  it('exits 2 with `FILE: key: message` for bad keys, all at once, as import does', async () => {
    const dir = await tempDir();
    await writeJson(join(dir, 'c.json'), { files: ['x/*.csv'], target: 'kafka', batchSize: 0, 'max-retries': 3 });
    const sync = await runCli(['sync', '--config', 'c.json'], { cwd: dir, env: NO_CREDENTIALS });
    const message = 'c.json: target: expected one of "flowmyna", "immutable", "flaring"; batchSize: must be at least 1; unknown key "max-retries" (write "maxRetries")';
    expect(sync).toMatchObject({ code: 2, stdout: '', stderr: `eventload: EL_CONFIG_FILE: ${message}\n` });
    const importing = await runCli(['import', '--config', 'c.json'], { cwd: dir, env: NO_CREDENTIALS });
    expect(importing).toMatchObject({ code: 2, stderr: `eventload: EL_CONFIG_FILE: ${message}\n` });
  });

  it('needs files and a target; refuses standard input, sandbox, dryRun and no journal', async () => {
    const dir = await tempDir();
    await writeJson(join(dir, 'c.json'), { mapping: 'm.json' });
    const empty = await runCli(['sync', '--config', 'c.json'], { cwd: dir, env: NO_CREDENTIALS });
    expect(empty).toMatchObject({
      code: 2,
      stderr: 'eventload: EL_CONFIG_FILE: c.json: files: sync needs the files to read, e.g. "files": ["exports/*.csv"]; target: sync needs a target: flowmyna, immutable or flaring\n',
    });
    await writeJson(join(dir, 'c.json'), { files: ['-'], target: 'flowmyna', sandbox: true, dryRun: true, journal: false });
    const refused = await runCli(['sync', '--config', 'c.json'], { cwd: dir, env: NO_CREDENTIALS });
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('; ')).toEqual([
      'eventload: EL_CONFIG_FILE: c.json: files: sync cannot read standard input ("-"): it remembers files by size, time and content',
      'sandbox: sync sends to the real endpoint (try the file with `eventload import --config FILE --sandbox` instead)',
      'dryRun: sync always sends (try the file with `eventload import --config FILE --dry-run` instead)',
      'journal: sync needs a journal, where it remembers what it has read and sent (name a file, or leave the key out)\n',
    ]);
  });
});

describe('sync --config: the old sync format', () => {
  it('is still read, with one line on stderr saying how to rewrite it', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    await mkdir(join(dir, 'exports'));
    await writeFile(join(dir, 'exports', 'a.ndjson'), ndjson(generateEvents(5)));
    await writeJson(join(dir, 'old.json'), { sources: ['exports/*.ndjson'], target: 'immutable', endpoint: sandbox.url, token: { env: 'K' }, options: { batchSize: 2, concurrency: 1 } });
    const result = await runCli(['sync', '--config', 'old.json'], { cwd: dir, env: { ...NO_CREDENTIALS, K: sandbox.token } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      'eventload: old.json is in the old sync format, read for now: rewrite "sources" → "files", "options.batchSize" → "batchSize", "options.concurrency" → "concurrency" (the format of import --config, see docs/config.md)\n',
    );
    expect(result.stdout).toMatch(/read 5, accepted 5/);
    expect(sandbox.stats.ingestRequests).toBe(3); // batchSize 2 from options
  });

  it('names its mistakes where they were written', async () => {
    const dir = await tempDir();
    await writeJson(join(dir, 'old.json'), { sources: [], target: 'immutable', options: { concurrency: 'many', timezone: 'Mars/Olympus' } });
    const result = await runCli(['sync', '--config', 'old.json'], { cwd: dir, env: NO_CREDENTIALS });
    expect(result).toMatchObject({ code: 2, stderr: 'eventload: EL_CONFIG_FILE: old.json: sources: must not be empty; options.concurrency: expected a whole number of at least 1, or \"auto\"\n' });
    await writeJson(join(dir, 'old.json'), { files: ['exports/*.csv'], target: 'immutable', options: { timezone: 'Mars/Olympus' } });
    const zone = await runCli(['sync', '--config', 'old.json'], { cwd: dir, env: NO_CREDENTIALS });
    expect(zone.stderr).toBe('eventload: EL_CONFIG_FILE: old.json: options.timezone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin)\n');
  });

  it('refuses a key set both ways, and an option it never had', () => {
    expect(() => upgradeOldFormat({ sources: ['a'], files: ['b'], concurrency: 2, options: { concurrency: 4, colour: 'red' } }, 'old.json')).toThrow(
      'old.json: sources: "files" is set too (keep only "files"); options.concurrency: "concurrency" is set too (keep only "concurrency"); options: unknown key "colour"',
    );
    expect(() => upgradeOldFormat({ sources: ['a'], options: [1] }, 'old.json')).toThrow('old.json: options: expected an object');
  });

  it('leaves a file in the shared format alone', () => {
    const json = { files: ['a.csv'], target: 'flowmyna', batchSize: 5 };
    expect(upgradeOldFormat(json, 'c.json')).toEqual({ json, writtenAs: {} });
  });

  it('is not read by import or validate, which say how to rewrite it', async () => {
    const dir = await tempDir();
    await writeJson(join(dir, 'old.json'), { sources: ['*.csv'], target: 'flowmyna', options: { batchSize: 2 } });
    const result = await runCli(['validate', '--config', 'old.json'], { cwd: dir, env: NO_CREDENTIALS });
    expect(result).toMatchObject({
      code: 2,
      stderr: 'eventload: EL_CONFIG_FILE: old.json: unknown key "sources" (write "files"); unknown key "options" (its keys go at the top level: write "batchSize": 50, not "options": {"batchSize": 50})\n',
    });
  });
});
