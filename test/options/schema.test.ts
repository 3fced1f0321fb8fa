// Why: every flag, the --config schema and the reference are built from one table; these check
// that the table's pieces agree with each other and that the registries are read when used, so a
// target registered after start-up shows up in choices, config keys and the environment list.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema, configShape, pathKeys } from '../../src/config/schema.js';
import { commanderOptions, commandSpecs, optionNames, optionSpec, optionUse } from '../../src/options/index.js';
import { credentialLines } from '../../src/options/environment.js';
import { concurrencyText, percentText, wholeNumberText } from '../../src/options/values.js';
import { allTargets, registerTarget } from '../../src/targets/index.js';

describe('the option table', () => {
  it('keeps the messages users know for bad command-line values', () => {
    expect(wholeNumberText.safeParse('1.5').error?.issues[0]?.message).toBe('expected a whole number, got "1.5"');
    expect(percentText.safeParse('101').error?.issues[0]?.message).toBe('expected a percentage from 0 to 100, got "101"');
    expect(concurrencyText.parse(' AUTO ')).toBe('auto');
    expect(concurrencyText.safeParse('x').error?.issues[0]?.message).toBe('expected a whole number, got "x"');
  });

  it('is used by commands only through options it defines, each command naming an option once', () => {
    for (const command of commandSpecs()) {
      const names = command.options.map((entry) => optionUse(entry).name);
      expect(new Set(names).size, command.name).toBe(names.length);
      for (const name of names) expect(optionNames()).toContain(name);
    }
  });

  it('gives the config file exactly the options that have a config schema, and resolves their paths', () => {
    const shape = Object.keys(configShape());
    for (const name of optionNames()) expect(shape.includes(name), name).toBe(optionSpec(name).config !== undefined);
    expect(pathKeys().sort()).toEqual(['journal', 'junit', 'mapping', 'out', 'rejects', 'report', 'reportHtml']);
    expect(configSchema().safeParse({ quiet: true, verbose: true }).error?.issues[0]).toMatchObject({ message: 'quiet and verbose: choose one', path: ['verbose'] });
  });

  it('reads the target registry when used: a target registered later is a choice, a config section and a credential', () => {
    const base = allTargets()[0]!;
    expect(commanderOptions('target')[0]!.argChoices).not.toContain('testonly');
    registerTarget({ ...base, name: 'testonly', credentials: [{ key: 'token', variable: 'TESTONLY_KEY', help: 'anything' }], optionsSchema: z.object({ lane: z.string() }).strict() });
    expect(commanderOptions('target')[0]!.argChoices).toContain('testonly');
    expect(configSchema().safeParse({ target: 'testonly', targets: { testonly: { lane: 'a' } }, token: { env: 'X' } }).success).toBe(true);
    expect(configSchema().safeParse({ targets: { testonly: { lane: 1 } } }).success).toBe(false);
    expect(credentialLines()).toContainEqual({ variable: 'TESTONLY_KEY', target: 'testonly', help: 'anything' });
  });
});
