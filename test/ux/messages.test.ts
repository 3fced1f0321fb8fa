// What the CLI says: rejects grouped by reason code however many there are, parse errors as one
// `eventload:` line with exit 2, help texts that mention only options that exist, a dry run that
// does not claim acceptance, and init --timezone. The real CLI, on real files.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withTempDir } from '../helpers.js';

const mapping = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };

async function zoneless(dir: string, rows: number): Promise<void> {
  const lines = ['case,activity,at'];
  for (let i = 0; i < rows; i++) lines.push(`C${i},a,2024-02-01 00:00:${String(i % 60).padStart(2, '0')}`);
  await writeFile(join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
}

describe('100,000 rows with the same mistake', () => {
  it('are one reason line in validate (which lists 20 records) and in import, and one group in --json', async () => {
    await withTempDir(async (dir) => {
      await zoneless(dir, 100_000);
      const text = await runCli(['validate', 'rows.csv', '-m', 'm.json'], { cwd: dir, timeoutMs: 120_000 });
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(22);
      expect(lines.slice(0, 20).every((line) => line.startsWith('rows.csv:') && line.includes(': EL_TIMESTAMP_NO_ZONE: timestamp:'))).toBe(true);
      expect(lines[20]).toBe('100000 records read: 0 valid, 100000 invalid (99980 more not listed, --max-errors 20)');
      expect(lines[21]).toMatch(/^ {2}100000 × EL_TIMESTAMP_NO_ZONE \(first at line 2 of rows\.csv: timestamp: column "at": "2024-02-01 00:00:00" has no time zone/);

      const json = JSON.parse((await runCli(['validate', 'rows.csv', '-m', 'm.json', '--json'], { cwd: dir, timeoutMs: 120_000 })).stdout);
      expect(json.rejectedByReason).toEqual([{ code: 'EL_TIMESTAMP_NO_ZONE', count: 100_000, example: { file: 'rows.csv', line: 2, message: expect.stringContaining('"2024-02-01 00:00:00" has no time zone') } }]);
      expect(json.errors).toHaveLength(20);

      const run = await runCli(['import', 'rows.csv', '-m', 'm.json', '-t', 'flowmyna', '--dry-run', '--rejects', 'rejects.ndjson'], { cwd: dir, timeoutMs: 120_000 });
      expect(run.code).toBe(1);
      expect(run.stdout.split('\n').filter((line) => line.includes(' × '))).toEqual([expect.stringMatching(/^ +100000 × EL_TIMESTAMP_NO_ZONE \(first at line 2 of rows\.csv: /)]);
      const [header, first] = (await readFile(join(dir, 'rejects.ndjson'), 'utf8')).split('\n').slice(0, 2).map((line) => JSON.parse(line));
      expect(header).toMatchObject({ run: { command: 'import' } });
      expect(first).toMatchObject({ line: 2, code: 'EL_TIMESTAMP_NO_ZONE', issues: [{ path: 'timestamp', code: 'EL_TIMESTAMP_NO_ZONE' }] });
    });
  }, 300_000);
});

describe('errors from the command line', () => {
  it('are one eventload: line on stderr with exit 2, whatever commander found wrong', async () => {
    const cases: Array<[string[], string]> = [
      [['import', 'x.csv', '--bogus'], "unknown option '--bogus' (see eventload import --help)"],
      [['init'], "missing required argument 'file' (see eventload init --help)"],
      [['import', 'x.csv', '--target', 'nowhere'], "option '-t, --target <name>' argument 'nowhere' is invalid. Allowed choices are flowmyna, immutable, flaring. (see eventload import --help)"],
      [['sync'], "required option '--config <file>' not specified (see eventload sync --help)"],
      [['frobnicate'], "unknown command 'frobnicate' (see eventload --help)"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result, args.join(' ')).toMatchObject({ code: 2, stdout: '', stderr: `eventload: EL_USAGE: ${message}\n` });
    }
  });
});

describe('help texts', () => {
  it('mention only options that the command has', async () => {
    const top = await runCli(['--help']);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) \[/gm)].map((match) => match[1]!).filter((name) => name !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['validate', 'init', 'import', 'replay', 'sync', 'status', 'sandbox']));
    const optionsOf = new Map<string, Set<string>>();
    const helps = new Map<string, string>();
    for (const command of commands) {
      const help = (await runCli([command, '--help'])).stdout;
      helps.set(command, help);
      const section = help.slice(help.indexOf('Options:'));
      optionsOf.set(command, new Set([...section.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((match) => match[1]!)));
    }
    for (const [command, help] of helps) {
      // `import --config` in sync's help is import's option; a bare `--flag` must be this command's.
      for (const match of help.matchAll(/(?:\b([a-z]+) )?(--[a-z][a-z-]*)/g)) {
        const [, before, flag] = match;
        const owner = before && optionsOf.has(before) ? before : command;
        const known = optionsOf.get(owner)!;
        expect(known.has(flag!) || known.has(flag!.replace(/^--no-/, '--')), `${command} --help mentions ${before ?? ''} ${flag}`).toBe(true);
      }
    }
  });
});

describe('replay --config', () => {
  it('takes the target and options from a config file, as its help says', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'c.json'), JSON.stringify({ target: 'flowmyna' }));
      await writeFile(join(dir, 'e.ndjson'), `${JSON.stringify({ event: 'a', timestamp: '2024-05-01T10:00:00Z', objects: [{ type: 'T', id: '1' }] })}\n`);
      const result = await runCli(['replay', 'e.ndjson', '--config', 'c.json', '--dry-run', '--out', 'o.ndjson', '--json'], { cwd: dir });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({ target: 'flowmyna', read: 1, wouldSend: 1, accepted: 0 });
    });
  });
});

describe('a dry run', () => {
  it('says what it would send, not that anything was accepted', async () => {
    const result = await runCli(['import', 'fixtures/events.ndjson', '-t', 'flowmyna', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}would send +4$/m);
    expect(result.stdout).not.toMatch(/accepted/);
  });
});

describe('init --timezone', () => {
  it('writes the zone into the mapping instead of the placeholder, and the mapping then validates', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'log.csv'), 'case,activity,timestamp\nC1,a,2024-02-01 10:00:00\nC2,b,2024-02-01 11:00:00\n');
      const result = await runCli(['init', 'log.csv', '--timezone', 'Europe/Berlin'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain('TIME ZONE:');
      const written = JSON.parse(await readFile(join(dir, 'log.mapping.json'), 'utf8'));
      expect(written.timestamp).toMatchObject({ column: 'timestamp', timezone: 'Europe/Berlin' });
      expect((await runCli(['validate', 'log.csv', '-m', 'log.mapping.json'], { cwd: dir })).stdout).toBe('2 records read: 2 valid, 0 invalid\n');
    });
  });
});
