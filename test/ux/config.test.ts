// --config FILE: the schema and its error messages, precedence (command line > config > defaults),
// {"env": "NAME"} credentials, paths relative to the config file, and validate run with one.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConfig, mergeConfig } from '../../src/config/apply.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { configShape } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { fixture, root, runCli, withTempDir } from '../helpers.js';

const simpleMapping = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };

/** The ConfigError message a config gives, or undefined when it is accepted. */
function configError(json: unknown, file = 'orders.json'): string | undefined {
  try {
    parseConfig(json, file);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}

async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, JSON.stringify(value, null, 2));
  return path;
}

describe('config file: errors name the config path', () => {
  it('names a wrong type inside targets as targets.immutable.tenant_id: expected string', () => {
    expect(configError({ targets: { immutable: { tenant_id: 42 } } })).toBe('orders.json: targets.immutable.tenant_id: expected string, got number');
  });

  it('rejects unknown keys, suggesting the camelCase name for a kebab-case flag', () => {
    expect(configError({ 'max-record-size': 10, colour: true })).toBe('orders.json: unknown key "max-record-size" (write "maxRecordSize"); unknown key "colour"');
    expect(configError({ targets: { immutable: { tenant: 'x' } } })).toBe('orders.json: targets.immutable: unknown key "tenant"');
    expect(configError({ targets: { splunk: {} } })).toBe('orders.json: targets: unknown key "splunk"');
  });

  it('reports every problem at once', () => {
    expect(configError({ concurrency: 0, target: 'kafka', maxErrorRate: 150, files: [] })).toBe(
      'orders.json: files: must not be empty; target: expected one of "flowmyna", "immutable", "flaring"; maxErrorRate: must be at most 100; concurrency: must be at least 1',
    );
  });

  it('refuses a secret written into the file, asking for {"env": "NAME"}', () => {
    expect(configError({ token: 'fm_live_0123456789abcdef0123456789abcdef' })).toBe(
      'orders.json: token: write {"env": "NAME"} and put the token in that environment variable: secrets are never written in a config file',
    );
    expect(configError({ password: { env: 'not a name' } })).toBe('orders.json: password: expected {"env": "NAME"}');
    // The value itself never appears in the message.
    expect(configError({ token: 'fm_live_secret' })).not.toContain('fm_live_secret');
  });

  it('checks whole numbers, time zones and quiet/verbose together', () => {
    expect(configError({ concurrency: 2.5 })).toBe('orders.json: concurrency: expected a whole number, got 2.5');
    expect(configError({ timezone: 'Europe/Berln' })).toBe('orders.json: timezone: unknown time zone "Europe/Berln" (use an IANA name such as Europe/Berlin)');
    expect(configError({ quiet: true, verbose: true })).toBe('orders.json: verbose: quiet and verbose: choose one');
  });

  it('says what a config file is when it is not an object, and when it is not JSON', async () => {
    expect(configError(['mapping.json'])).toBe('orders.json: a config file is a JSON object such as {"mapping": "orders.mapping.json"}');
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'broken.json'), '{"mapping": ');
      await expect(loadConfig(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: config file is not valid JSON/);
      await expect(loadConfig(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read config file \(ENOENT\)/);
    });
  });

  it('accepts every flag of validate and import under its camelCase name', () => {
    const full = {
      $schema: 'x', description: 'orders to FlowMyna', files: ['exports/*.csv'], mapping: 'm.json', format: 'csv', timezone: 'Europe/Berlin', delimiter: ';',
      maxRecordSize: 2048, rejects: 'r.ndjson', target: 'flaring', targets: { flaring: { event_type_id: 3 }, immutable: { tenant_id: 't' }, flowmyna: {} },
      token: { env: 'A' }, email: 'ops@example.com', password: { env: 'B' }, verbose: true, maxErrorRate: 2.5, reporter: 'junit', junit: 'v.xml', maxErrors: 0,
      endpoint: 'https://example.com', sandbox: false, allowHttp: false, concurrency: 16, rate: 1.5, batchSize: 50, maxRetries: 0, retryDeadline: 60,
      timeout: 1000, backoffBase: 0, dryRun: true, out: 'bodies.ndjson', report: 'report.json', json: true, journal: 'state/journal.db', retryRejected: true,
    };
    expect(configError(full)).toBeUndefined();
  });
});

describe('config file: paths and files', () => {
  it('takes paths relative to the config file folder, and keeps absolute ones', () => {
    const loaded = parseConfig({ mapping: 'orders.mapping.json', rejects: '/var/log/rejects.ndjson', junit: 'out/v.xml', report: '../r.json' }, 'etc/eventload/orders.json');
    expect(loaded.config).toMatchObject({ mapping: 'etc/eventload/orders.mapping.json', rejects: '/var/log/rejects.ndjson', junit: 'etc/eventload/out/v.xml', report: 'etc/r.json' });
  });

  it('takes journal relative to the config folder too; false means no journal, anything else is refused', () => {
    expect(parseConfig({ journal: 'state/journal.db' }, 'etc/orders.json').config.journal).toBe('etc/state/journal.db');
    expect(parseConfig({ journal: false }, 'etc/orders.json').config.journal).toBe(false);
    expect(configError({ journal: true })).toBe('orders.json: journal: expected a file name, or false for no journal');
  });

  it('expands globs in files from the config folder, sorted; errors only when nothing matches at all', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'exports'));
      for (const name of ['b.csv', 'a.csv', 'notes.txt']) await writeFile(join(dir, 'exports', name), 'x\n');
      const config = await writeJson(join(dir, 'c.json'), { files: ['exports/*.csv', 'exports/*.csv.gz', 'extra.ndjson'] });
      const run = await applyConfig({ config }, {}, [], { command: 'validate' });
      expect(run.files).toEqual([join(dir, 'exports', 'a.csv'), join(dir, 'exports', 'b.csv'), join(dir, 'extra.ndjson')]);
      const none = await writeJson(join(dir, 'none.json'), { files: ['imports/*.csv'] });
      await expect(applyConfig({ config: none }, {}, [], { command: 'validate' })).rejects.toThrow(`${none}: files: "imports/*.csv" match no file (looked in ${dir})`);
    });
  });

  it('uses the files named on the command line instead of the config files', async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { files: ['nothing-here/*.csv'] });
      const run = await applyConfig({ config }, {}, ['given.csv'], { command: 'validate' });
      expect(run.files).toEqual(['given.csv']);
    });
  });
});

describe('config file: precedence', () => {
  it('lets flags given on the command line win, and the config win over defaults', () => {
    const flags = { concurrency: 8, maxRetries: 2, timezone: 'UTC', target: 'flowmyna' };
    const sources = { concurrency: 'default', maxRetries: 'cli', timezone: 'cli', target: 'cli' } as const;
    const merged = mergeConfig(flags, { concurrency: 16, maxRetries: 9, timezone: 'Europe/Berlin', target: 'immutable', rate: 3, token: { env: 'X' }, files: ['a.csv'] }, sources);
    expect(merged).toEqual({ concurrency: 16, maxRetries: 2, timezone: 'UTC', target: 'flowmyna', rate: 3 });
  });

  it('carries targets.<name> over for the mapping to be merged with', () => {
    expect(mergeConfig({}, { targets: { immutable: { tenant_id: 't' } } }, {})).toEqual({ targets: { immutable: { tenant_id: 't' } } });
  });

  it('leaves the flags alone when there is no --config', async () => {
    const flags: { concurrency: number; config?: string } = { concurrency: 8 };
    const run = await applyConfig(flags, {}, ['a.csv'], { env: { HOME: '/root' } });
    expect(run).toEqual({ flags, files: ['a.csv'], env: { HOME: '/root' } });
  });
});

describe('config file: credentials from {"env": "NAME"}', () => {
  it("puts the token into the target's variable, from the variable the config names", async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { target: 'flowmyna', token: { env: 'ORDERS_FLOWMYNA_KEY' } });
      const run = await applyConfig<{ config: string; target?: string }>({ config }, {}, ['a.csv'], { env: { ORDERS_FLOWMYNA_KEY: 'fm_live_x', FLOWMYNA_API_KEY: 'from-the-shell' } });
      expect(run.env.FLOWMYNA_API_KEY).toBe('fm_live_x');
      expect(run.flags.target).toBe('flowmyna');
    });
  });

  it('maps token, email and password to the flaring variables; a plain e-mail is allowed', async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { target: 'flaring', email: 'ops@example.com', password: { env: 'FLARING_PW' } });
      const run = await applyConfig({ config }, {}, ['a.csv'], { env: { FLARING_PW: 'hunter2' } });
      expect(run.env).toMatchObject({ FLARING_EMAIL: 'ops@example.com', FLARING_PASSWORD: 'hunter2' });
    });
  });

  it('resolves the token for the target given on the command line', async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { target: 'flowmyna', token: { env: 'KEY' } });
      const run = await applyConfig({ config, target: 'immutable' }, { target: 'cli' }, ['a.csv'], { env: { KEY: 'imk_1' } });
      expect(run.env.IMMUTABLE_API_KEY).toBe('imk_1');
      expect(run.env.FLOWMYNA_API_KEY).toBeUndefined();
    });
  });

  it('names a missing variable, never a value', async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { target: 'immutable', token: { env: 'ORDERS_IMMUTABLE_KEY' } });
      await expect(applyConfig({ config }, {}, ['a.csv'], { env: {} })).rejects.toThrow(`${config}: token: environment variable ORDERS_IMMUTABLE_KEY is not set`);
      await expect(applyConfig({ config }, {}, ['a.csv'], { env: { ORDERS_IMMUTABLE_KEY: '' } })).rejects.toThrow('environment variable ORDERS_IMMUTABLE_KEY is not set');
    });
  });

  it('refuses a flaring login for another target, and needs a target for import', async () => {
    await withTempDir(async (dir) => {
      const login = await writeJson(join(dir, 'login.json'), { target: 'flowmyna', password: { env: 'PW' } });
      await expect(applyConfig({ config: login }, {}, ['a.csv'], { env: { PW: 'x' } })).rejects.toThrow(/password: target flowmyna takes no password/);
      const noTarget = await writeJson(join(dir, 'none.json'), { mapping: 'm.json' });
      await expect(applyConfig({ config: noTarget }, {}, ['a.csv'], { env: {} })).rejects.toThrow(`no target: pass --target NAME or set "target" in ${noTarget}`);
    });
  });

  it('with --sandbox, neither needs nor reads the credentials the config names (the sandbox brings its own)', async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { target: 'flowmyna', token: { env: 'ORDERS_KEY' } });
      const unset = await applyConfig({ config, sandbox: true }, { sandbox: 'cli' }, ['a.csv'], { env: {} });
      expect(unset.env.FLOWMYNA_API_KEY).toBeUndefined();
      const set = await applyConfig({ config, sandbox: true }, { sandbox: 'cli' }, ['a.csv'], { env: { ORDERS_KEY: 'fm_live_real' } });
      expect(set.env.FLOWMYNA_API_KEY).toBeUndefined();
      // The file is still checked: a key the target does not take is an error with or without a sandbox.
      const login = await writeJson(join(dir, 'login.json'), { target: 'flowmyna', password: { env: 'PW' } });
      await expect(applyConfig({ config: login, sandbox: true }, {}, ['a.csv'], { env: {} })).rejects.toThrow(/password: target flowmyna takes no password/);
    });
  });

  it('does not read credentials for validate, which sends nothing', async () => {
    await withTempDir(async (dir) => {
      const config = await writeJson(join(dir, 'c.json'), { target: 'flowmyna', token: { env: 'NOT_SET_IN_CI' } });
      const run = await applyConfig({ config }, {}, ['a.csv'], { command: 'validate', env: {} });
      expect(run.env.FLOWMYNA_API_KEY).toBeUndefined();
    });
  });
});

describe('validate --config', () => {
  it('reads mapping, files and options from the config, relative to its folder, from any working directory', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'etc'));
      await writeJson(join(dir, 'etc', 'm.json'), simpleMapping);
      await mkdir(join(dir, 'etc', 'exports'));
      await writeFile(join(dir, 'etc', 'exports', 'a.csv'), 'case,activity,at\nC1,a,2024-01-01T10:00:00Z\nC2,b,\n');
      await writeFile(join(dir, 'etc', 'exports', 'b.csv'), 'case,activity,at\nC3,c,2024-01-01 10:00:00\n');
      await writeJson(join(dir, 'etc', 'orders.json'), { mapping: 'm.json', files: ['exports/*.csv'], timezone: 'Europe/Berlin', maxErrors: 5 });
      const result = await runCli(['validate', '--config', join('etc', 'orders.json')], { cwd: dir });
      const file = join('etc', 'exports', 'a.csv');
      expect(result.stdout).toBe(`${file}:3: EL_TIMESTAMP_MISSING: timestamp: is required, but column "at" is empty (a historical import never uses "now")\n3 records read: 2 valid, 1 invalid\n  1 × EL_TIMESTAMP_MISSING (first at line 3 of ${file}: timestamp: is required, but column "at" is empty (a historical import never uses "now"))\n`);
      expect(result.code).toBe(1);
    });
  });

  it('lets flags on the command line win over the config', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'm.json'), simpleMapping);
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\nC1,a,2024-03-31 02:30:00\n');
      await writeJson(join(dir, 'c.json'), { mapping: 'm.json', timezone: 'UTC', reporter: 'json' });
      const fromConfig = await runCli(['validate', 'log.csv', '--config', 'c.json'], { cwd: dir });
      expect(JSON.parse(fromConfig.stdout)).toMatchObject({ valid: 1, invalid: 0 });
      const flagWins = await runCli(['validate', 'log.csv', '--config', 'c.json', '--timezone', 'Europe/Berlin', '--reporter', 'text'], { cwd: dir });
      expect(flagWins.stdout).toBe('log.csv:2: EL_TIMESTAMP_NONEXISTENT: timestamp: column "at": "2024-03-31 02:30:00" does not exist in Europe/Berlin (skipped by a daylight-saving change)\n1 records read: 0 valid, 1 invalid\n  1 × EL_TIMESTAMP_NONEXISTENT (first at line 2 of log.csv: timestamp: column "at": "2024-03-31 02:30:00" does not exist in Europe/Berlin (skipped by a daylight-saving change))\n');
    });
  });

  it("applies the config's targets section over the mapping's with --target", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson'), `${JSON.stringify({ event: 'x', timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'T', id: '1' }], actor: { id: 'u' } })}\n`);
      await writeJson(join(dir, 'c.json'), { target: 'immutable', targets: { immutable: { tenant_id: 'shop-eu' } } });
      const result = await runCli(['validate', 'events.ndjson', '--config', 'c.json'], { cwd: dir });
      expect(result).toMatchObject({ code: 0, stdout: '1 records read: 1 valid, 0 invalid\n', stderr: '' });
    });
  });

  it('exits 2 with one line naming the config file and the path on a bad config', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'c.json'), { targets: { immutable: { tenant_id: 7 } } });
      const result = await runCli(['validate', 'x.csv', '--config', 'c.json'], { cwd: dir });
      expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'eventload: EL_CONFIG_FILE: c.json: targets.immutable.tenant_id: expected string, got number\n' });
    });
  });

  it('asks for files when neither the command line nor the config names any', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'c.json'), { timezone: 'UTC' });
      const result = await runCli(['validate', '--config', 'c.json'], { cwd: dir });
      expect(result).toMatchObject({ code: 2, stderr: 'eventload: EL_INPUT_MISSING: no input files given (name them, or list them under "files" in c.json)\n' });
    });
  });
});

describe('import --config', () => {
  it('imports into a sandbox with mapping and options from the config', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'c.json'), { mapping: fixture('orders.mapping.json'), concurrency: 2, json: true });
      const result = await runCli(['import', fixture('orders.csv'), '--config', 'c.json', '--target', 'flowmyna', '--sandbox'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ read: 8, accepted: 8 });
    });
  });

  it('takes "concurrency": "auto" with concurrencyMax and drainTimeout from the config', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'c.json'), { mapping: fixture('orders.mapping.json'), concurrency: 'auto', concurrencyMax: 3, drainTimeout: 5, json: true });
      const result = await runCli(['import', fixture('orders.csv'), '--config', 'c.json', '--target', 'flowmyna', '--sandbox', '--no-journal'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 8, concurrency: { mode: 'auto', max: 3 } });
      await writeJson(join(dir, 'bad.json'), { concurrency: 'fast' });
      const bad = await runCli(['import', fixture('orders.csv'), '--config', 'bad.json', '--target', 'flowmyna', '--sandbox'], { cwd: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('concurrency: expected a whole number of at least 1, or "auto"');
    });
  });

  it('with --sandbox, imports although the variable a config token points at is unset, and never sends that token', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'c.json'), { files: [fixture('orders.csv')], mapping: fixture('orders.mapping.json'), target: 'flowmyna', token: { env: 'EVENTLOAD_TEST_SANDBOX_KEY' }, json: true });
      const unset = await runCli(['import', '--config', 'c.json', '--sandbox', '--no-journal'], { cwd: dir, env: { EVENTLOAD_TEST_SANDBOX_KEY: undefined, FLOWMYNA_API_KEY: undefined } });
      expect(unset.code, unset.stderr).toBe(0);
      expect(JSON.parse(unset.stdout)).toMatchObject({ read: 8, accepted: 8 });
      // A real key in the variable: the sandbox would refuse it (exit 3) if it were sent.
      const set = await runCli(['import', '--config', 'c.json', '--sandbox', '--no-journal'], { cwd: dir, env: { EVENTLOAD_TEST_SANDBOX_KEY: 'fm_live_0123456789abcdef0123456789abcdef', FLOWMYNA_API_KEY: undefined } });
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout + set.stderr).not.toContain('fm_live_0123456789abcdef0123456789abcdef');
    });
  });

  it('names the unset variable a config token points at (exit 2), printing no secret', async () => {
    await withTempDir(async (dir) => {
      await writeJson(join(dir, 'c.json'), { target: 'flowmyna', token: { env: 'EVENTLOAD_TEST_UNSET_KEY' } });
      const result = await runCli(['import', fixture('events.ndjson'), '--config', 'c.json', '--target', 'flowmyna'], { cwd: dir, env: { EVENTLOAD_TEST_UNSET_KEY: undefined } });
      expect(result).toMatchObject({ code: 2, stderr: 'eventload: EL_CONFIG_FILE: c.json: token: environment variable EVENTLOAD_TEST_UNSET_KEY is not set\n' });
    });
  });
});

describe('docs/config.md documents the config file', () => {
  it('names every key of the schema', async () => {
    const readme = await readFile(join(root, 'docs', 'config.md'), 'utf8');
    const section = readme.slice(readme.indexOf('# Config files'));
    const missing = Object.keys(configShape()).filter((key) => !section.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
