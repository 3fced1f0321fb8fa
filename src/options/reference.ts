// docs/cli.md, generated: every command with its arguments, options (flag, default, whether a
// --config file may set it, description), examples, notes and exit codes, and the environment
// variables of every registered target. Written by `npm run docs:cli`; test/docs/cli-reference.test.ts
// fails when the committed file differs from what this gives.
import { allReaders } from '../readers/index.js';
import { allTargets } from '../targets/index.js';
import { commandSpecs, optionUse, PROGRAM, type CommandSpec } from './commands.js';
import { credentialLines, SETTING_LINES } from './environment.js';
import { optionSpec, textOf, type OptionName } from './schema.js';

/** The command that rewrites docs/cli.md; named in the reference itself and in its test's failure. */
export const REGENERATE = 'npm run docs:cli';

export function cliReference(): string {
  const commands = commandSpecs();
  return [
    '# eventload command-line reference',
    '',
    `<!-- Generated from src/options by \`${REGENERATE}\`: edit src/options/commands.ts or src/options/schema.ts, not this file. -->`,
    '',
    PROGRAM.description,
    '',
    '| command | what it does |',
    '| --- | --- |',
    ...commands.map((command) => `| [\`${command.name}\`](#eventload-${command.name}) | ${cell(command.description)} |`),
    '',
    'Options a `--config` file may set are keyed by their camelCase name (`--max-record-size` is `maxRecordSize`); ' +
      'a flag given on the command line wins over the file, and the file over the default.',
    '',
    ...commands.flatMap(commandSection),
    ...pluginSections(),
    '## Environment',
    '',
    'Credentials are read from these variables (never from flags); a `--config` file may name other variables with `{"env": "NAME"}`.',
    '',
    '| variable | target | value |',
    '| --- | --- | --- |',
    ...credentialLines().map((line) => `| \`${line.variable}\` | ${line.target} | ${cell(line.help)} |`),
    '',
    'Other variables:',
    '',
    '| variable | value | more in |',
    '| --- | --- | --- |',
    ...SETTING_LINES.map((line) => `| \`${line.variable}\` | ${cell(line.value)} | [${line.doc.replace(/#.*/, '')}](${line.doc}) |`),
    '',
  ].join('\n');
}

/** Every registered target and input format, in the words of its plugin (`description`). */
function pluginSections(): string[] {
  return [
    '## Targets',
    '',
    '| `--target` | API | default `--endpoint` | events per request, at most |',
    '| --- | --- | --- | --- |',
    ...allTargets().map((target) => `| \`${target.name}\` | ${cell(target.description)} | ${target.defaultEndpoint} | ${target.maxBatchSize} |`),
    '',
    '## Input formats',
    '',
    '| `--format` | what it reads | chosen for file names ending in |',
    '| --- | --- | --- |',
    ...allReaders().map((reader) => `| \`${reader.name}\` | ${cell(reader.description)} | ${reader.extensions.map((extension) => `\`${extension}\``).join(', ')} |`),
    '',
  ];
}

function commandSection(command: CommandSpec): string[] {
  const usage = ['eventload', command.name, ...(command.options.length > 0 ? ['[options]'] : []), ...command.arguments.map((argument) => argument.spec)].join(' ');
  return [
    `## eventload ${command.name}`,
    '',
    `\`${usage}\``,
    '',
    `${command.description[0]!.toUpperCase()}${command.description.slice(1)}.`,
    '',
    ...(command.arguments.length > 0 ? ['| argument | meaning |', '| --- | --- |', ...command.arguments.map((argument) => `| \`${argument.spec}\` | ${cell(argument.description)} |`), ''] : []),
    '| option | default | config file | description |',
    '| --- | --- | --- | --- |',
    ...command.options.flatMap((entry) => optionRows(optionUse(entry))),
    '',
    'Examples:',
    '',
    '<!-- not runnable: the examples --help shows, some with real accounts; test/ux/help.test.ts runs those that use the fixtures -->',
    '```console',
    ...command.examples,
    '```',
    '',
    ...(command.notes ? [command.notes.replace(/\n/g, ' '), ''] : []),
    ...(command.exitCodes ? [`Exit codes: ${command.exitCodes.replace(/\n/g, ' ')}`, ''] : []),
  ];
}

function optionRows(use: ReturnType<typeof optionUse>): string[] {
  const spec = optionSpec(use.name);
  const choices = spec.choices && use.choices !== false ? ` (one of: ${spec.choices().join(', ')})` : '';
  const required = use.mandatory ? ' (required)' : '';
  const conflicts = (spec.conflicts ?? []).map((other) => ` (not with --${other})`).join('');
  const config = spec.config ? `\`${use.name}\`${spec.path ? ' (path)' : ''}` : '';
  const rows = [`| \`${use.flag ?? spec.flag}\` | ${spec.default === undefined ? '' : `\`${String(spec.default)}\``} | ${config} | ${cell(textOf(use.description ?? spec.description))}${choices}${required}${conflicts} |`];
  if (spec.negation && use.negation !== false) rows.push(`| \`${spec.negation.flag}\` |  | ${config ? `\`${use.name}\`: false` : ''} | ${cell(spec.negation.description)} |`);
  return rows;
}

/** Text safe inside a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
