// The proof that a target is one folder plus one registry line: "tally", defined only in
// test/targets/test-only/ (plugin and emulator) and registered by its own CLI entry before main()
// runs, works through the real CLI: import into its sandbox, validate with its check(), the
// sandbox command, a --config file with its credential, and --help.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, withTempDir } from '../helpers.js';
import { compileTallyCli } from './test-only/compile.js';

const EVENTS = [
  { event: 'Opened', timestamp: '2024-03-01T12:00:00Z', objects: [{ type: 'Box', id: 'b-1' }] },
  { event: 'Filled', timestamp: '2024-03-01T12:05:00Z', objects: [{ type: 'Box', id: 'b-2' }] },
  { event: 'Shipped', timestamp: '2024-03-01T12:10:00Z', objects: [{ type: 'Box', id: 'b-3' }] },
];
const ndjson = (events: unknown[]) => `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;

let tally: Awaited<ReturnType<typeof compileTallyCli>>;
beforeAll(async () => {
  tally = await compileTallyCli();
});
afterAll(() => tally?.dispose());

/** The CLI with "tally" registered; no TALLY_TOKEN unless a test gives one. */
const runTally = (args: string[], options: Parameters<typeof runCli>[1] = {}) =>
  runCli(args, { ...options, script: tally.script, env: { TALLY_TOKEN: undefined, ...options.env } });

describe('a test-only target registered from a test', () => {
  it('is unknown to the CLI that did not register it', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson'), ndjson(EVENTS));
      const result = await runCli(['import', 'events.ndjson', '--target', 'tally', '--sandbox'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('tally');
    });
  });

  it('import --sandbox delivers every event to its own emulator', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson'), ndjson(EVENTS));
      const result = await runTally(['import', 'events.ndjson', '--target', 'tally', '--sandbox'], { cwd: dir });
      expect(result.stderr).toContain('started a local tally sandbox');
      expect(result.code).toBe(0);
      // Batches of 2: two requests for three events, every one stored as the plugin encoded it.
      const lines = result.stdout.split('\n');
      const at = lines.findIndex((line) => line.startsWith('the tally sandbox received'));
      expect(lines[at]).toBe('the tally sandbox received 2 requests and stored 3 events; the first ones:');
      const stored = lines.slice(at + 1, at + 4).map((line) => JSON.parse(line));
      expect(stored).toEqual(EVENTS.map((event) => ({ name: event.event, at: event.timestamp, ref: event.objects[0]!.id, key: expect.any(String) })));
    });
  });

  it("validate --target applies the target's check()", async () => {
    await withTempDir(async (dir) => {
      const long = { ...EVENTS[0], event: 'Opened by the night shift' };
      await writeFile(join(dir, 'events.ndjson'), ndjson([...EVENTS, long]));
      const plain = await runTally(['validate', 'events.ndjson'], { cwd: dir });
      expect(plain.code).toBe(0);
      const checked = await runTally(['validate', 'events.ndjson', '--target', 'tally'], { cwd: dir });
      expect(checked.code).toBe(1);
      expect(checked.stdout).toContain('tally takes names of at most 12 characters');
    });
  });

  it('sandbox --target starts its emulator, and a --config file with its credential and fields imports into it', async () => {
    await withTempDir(async (dir) => {
      const sandbox = spawn(process.execPath, [tally.script, 'sandbox', '--target', 'tally', '--port', '0', '--quiet'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let stderr = '';
        const url = await new Promise<string>((resolve, reject) => {
          sandbox.stderr.on('data', (chunk) => {
            stderr += chunk;
            const match = /listening on (\S+)/.exec(stderr);
            if (match) resolve(match[1]!);
          });
          sandbox.once('exit', (code) => reject(new Error(`sandbox exited (${code}): ${stderr}`)));
        });
        expect(stderr).toContain('sandbox credentials (not secret): TALLY_TOKEN=tally_sandbox');

        await writeFile(join(dir, 'events.ndjson'), ndjson(EVENTS));
        const config = { target: 'tally', files: ['events.ndjson'], endpoint: url, token: { env: 'MY_TALLY' }, targets: { tally: { ledger: 'L-7' } } };
        await writeFile(join(dir, 'tally.json'), JSON.stringify(config));
        const result = await runTally(['import', '--config', 'tally.json', '--quiet'], { cwd: dir, env: { MY_TALLY: 'tally_sandbox' } });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);

        const listed = await fetch(`${url}/v1/events`, { headers: { authorization: 'Token tally_sandbox' } });
        const { events } = (await listed.json()) as { events: Array<Record<string, unknown>> };
        expect(events.map(({ name, ref, ledger }) => ({ name, ref, ledger }))).toEqual(EVENTS.map((event) => ({ name: event.event, ref: event.objects[0]!.id, ledger: 'L-7' })));

        const stopped = new Promise<number | null>((resolve) => sandbox.once('exit', resolve));
        sandbox.kill('SIGINT');
        expect(await stopped).toBe(0);
        expect(stderr).toContain('sandbox stopped: 3 events stored');
      } finally {
        if (sandbox.exitCode === null) sandbox.kill('SIGKILL');
      }
    });
  });

  it('a --config file naming another target is refused, so "target" is checked against the registry', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson'), ndjson(EVENTS));
      await writeFile(join(dir, 'c.json'), JSON.stringify({ target: 'tallyho', files: ['events.ndjson'] }));
      const result = await runTally(['validate', '--config', 'c.json'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('"tally"');
    });
  });

  it('import --help lists its credential variable and its name among the targets', async () => {
    const result = await runTally(['import', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}TALLY_TOKEN +tally: tally_ \+ letters \(tests only\)$/m);
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('"flaring", "tally"');
  });
});
