// --help for the program and for every command shows real examples; the ones that use the
// repository's fixtures actually run.
import { describe, expect, it } from 'vitest';
import { root, runCli, withTempDir } from '../helpers.js';

async function help(args: string[]): Promise<string> {
  const result = await runCli([...args, '--help']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** The lines of the "Examples:" block that run eventload (a `$ ` prompt, or a crontab line). */
function examples(text: string, command?: string): string[] {
  const block = text.slice(text.indexOf('\nExamples:\n') + 1).split('\n\n')[0]!.split('\n').slice(1);
  return block.filter((line) => line.includes(command ? `eventload ${command}` : 'eventload '));
}

describe('--help examples', async () => {
  const commands = [...(await help([])).matchAll(/^ {2}([a-z]+) (?:\[options\])?/gm)].map((match) => match[1]!).filter((name) => name !== 'help');

  it('lists the commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['validate', 'init', 'import', 'sandbox']));
  });

  it('gives the program itself examples', async () => {
    expect(examples(await help([])).length).toBeGreaterThanOrEqual(2);
  });

  it.each(commands)('gives `%s --help` two or three examples of that command', async (command) => {
    const lines = examples(await help([command]), command);
    expect(lines.length, `${command} --help`).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(4);
  });

  it.each(['validate', 'import'])('runs the `%s` examples that use the fixtures (exit 0 or 1)', async (command) => {
    const runnable = examples(await help([command]), command)
      .map((line) => line.replace(/^\s*\$ /, ''))
      .filter((line) => line.includes('fixtures/') && !line.includes('&&') && !/^[A-Z_]+=/.test(line));
    expect(runnable.length).toBeGreaterThan(0);
    await withTempDir(async (dir) => {
      for (const line of runnable) {
        // Run from an empty folder, so nothing (journal, rejects) lands in the repository.
        const args = line.split(/\s+/).slice(1).map((arg) => arg.replace(/^fixtures\//, `${root}fixtures/`)); // without "eventload"
        const result = await runCli(args, { cwd: dir });
        expect([0, 1], `${line}\n${result.stderr}`).toContain(result.code);
      }
    });
  });
});
