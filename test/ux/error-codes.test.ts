// Every error names its code (docs/codes.md) on its stderr line, whatever raised it (a setting,
// commander, the server); with --json a failed run still gives stdout one JSON object to parse;
// and every rejected record carries its reason code, a server's rejection too. The real CLI.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asksForJson } from '../../src/cli/error-line.js';
import { fixture, runCli, withTempDir } from '../helpers.js';
import { credentials, generateEvents, useSandboxes, writeNdjson } from '../import/helpers.js';

const NO_CREDENTIALS = { FLOWMYNA_API_KEY: undefined, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined };
const startSandbox = useSandboxes();

describe('the stderr line of an error', () => {
  it('starts with the code of a configuration error (exit 2)', async () => {
    const result = await runCli(['import', fixture('events.ndjson'), '-t', 'flowmyna', '--endpoint', 'http://127.0.0.1:9', '--no-journal'], { env: NO_CREDENTIALS });
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'eventload: EL_NO_TOKEN: FLOWMYNA_API_KEY is not set (the API key of the dataset to write to)\n' });
  });

  it('starts with EL_USAGE for what commander finds wrong (exit 2)', async () => {
    const result = await runCli(['validate', fixture('events.ndjson'), '--max-errors']);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: "eventload: EL_USAGE: option '--max-errors <n>' argument missing (see eventload validate --help)\n" });
  });

  it('starts with the code of an abort: a login the server refuses is EL_AUTH (exit 3), in --json too', async () => {
    const sandbox = await startSandbox({ target: 'flaring' });
    await withTempDir(async (dir) => {
      const file = await writeNdjson(join(dir, 'flare.ndjson'), [
        { event: 'Flaring Event', timestamp: '2024-02-01T06:00:00Z', objects: [{ type: 'flare_stack', id: 'STK-1' }], properties: { volume_mscf: 1, reason: 'planned' } },
      ]);
      const env = { ...NO_CREDENTIALS, FLARING_EMAIL: 'ops@example.com', FLARING_PASSWORD: 'not the password' };
      const result = await runCli(['import', file, '-t', 'flaring', '--endpoint', sandbox.url, '--no-journal', '--json'], { cwd: dir, env });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/^eventload: EL_AUTH: flaring login refused for FLARING_EMAIL: .+\n$/);
      expect(JSON.parse(result.stdout)).toEqual({ outcome: 'error', error: { code: 'EL_AUTH', message: expect.stringMatching(/^flaring login refused for FLARING_EMAIL: /) } });
      expect(sandbox.stats.stored).toHaveLength(0);
    });
  });
});

describe('a failed run with --json', () => {
  const missingMapping = { code: 'EL_MAPPING_UNREADABLE', message: 'nope.json: cannot read mapping file (ENOENT)' };

  it('prints one JSON object with the code on stdout, and the line on stderr (import)', async () => {
    const result = await runCli(['import', fixture('orders.csv'), '-m', 'nope.json', '-t', 'flowmyna', '--dry-run', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ outcome: 'error', error: missingMapping });
    expect(result.stderr).toBe(`eventload: ${missingMapping.code}: ${missingMapping.message}\n`);
  });

  it('prints it for validate --json, --reporter json and --reporter=json, and for a usage error too', async () => {
    for (const json of [['--json'], ['--reporter', 'json'], ['--reporter=json']]) {
      const result = await runCli(['validate', fixture('orders.csv'), '-m', 'nope.json', ...json]);
      expect(result.code, json.join(' ')).toBe(2);
      expect(JSON.parse(result.stdout), json.join(' ')).toEqual({ outcome: 'error', error: missingMapping });
    }
    const usage = await runCli(['validate', fixture('events.ndjson'), '--json', '--colour']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({ outcome: 'error', error: { code: 'EL_USAGE', message: "unknown option '--colour' (see eventload validate --help)" } });
  });

  it('is asked for only by the command line of a command that has the flag', async () => {
    const text = await runCli(['validate', fixture('orders.csv'), '-m', 'nope.json', '--reporter', 'github']);
    expect(text).toMatchObject({ code: 2, stdout: '' });
    // init has no --json: the flag is a usage error, said on stderr only.
    const init = await runCli(['init', fixture('orders.csv'), '--json']);
    expect(init).toMatchObject({ code: 2, stdout: '', stderr: "eventload: EL_USAGE: unknown option '--json' (see eventload init --help)\n" });
    expect(asksForJson(['a.csv', '--', '--json'], new Set(['--json']))).toBe(false);
    expect(asksForJson(['a.csv', '--reporter', 'json'], new Set(['--json']))).toBe(false);
    expect(asksForJson(['a.csv', '--reporter', 'json'], new Set(['--reporter']))).toBe(true);
  });
});

describe('every rejected record carries its reason code', () => {
  it('a server rejection too: EL_SERVER_REJECTED with its status, in the rejects file and the summary', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    await withTempDir(async (dir) => {
      const events = generateEvents(3);
      // A leap second passes eventload's checks; FlowMyna's datetime parsing refuses it.
      events[1]!.timestamp = '2016-12-31T23:59:60Z';
      const file = await writeNdjson(join(dir, 'events.ndjson'), events);
      await writeFile(join(dir, 'local.ndjson'), '{ not json\n');
      const result = await runCli(['import', file, 'local.ndjson', '-t', 'flowmyna', '--endpoint', sandbox.url, '--no-journal', '--json', '--rejects', 'rejects.ndjson'], {
        cwd: dir,
        env: { ...NO_CREDENTIALS, ...credentials(sandbox) },
      });
      expect(result.code, result.stderr).toBe(1);
      const lines = (await readFile(join(dir, 'rejects.ndjson'), 'utf8')).trimEnd().split('\n').slice(1).map((line) => JSON.parse(line));
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ stage: 'server', status: 422, code: 'EL_SERVER_REJECTED', issues: [expect.objectContaining({ code: 'EL_SERVER_REJECTED' })] }),
          expect.objectContaining({ stage: 'read', code: 'EL_JSON_INVALID', issues: [expect.objectContaining({ code: 'EL_JSON_INVALID' })] }),
        ]),
      );
      expect(lines).toHaveLength(2);
      const summary = JSON.parse(result.stdout);
      expect(summary.rejectedByReason).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'EL_SERVER_REJECTED', status: 422, count: 1 }),
          expect.objectContaining({ code: 'EL_JSON_INVALID', count: 1 }),
        ]),
      );
    });
  });
});
