// The commander program, built from the command and option tables in src/options. A command's
// options (which list the target and reader registries, and need zod) are added only once that
// command is chosen, and its code imported only when it runs, so `eventload --help` and
// `--version` load neither registries nor zod and start fast. Only this file turns errors into
// exit codes.
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { EventloadError, EXIT } from '../errors.js';
import { redactWrites } from '../secrets/redact.js';
import { commandSpecs, PROGRAM, type CommandName, type CommandSpec } from '../options/commands.js';
import { helpEpilogue } from '../options/help.js';
import { asksForJson, errorJson, errorLine } from './error-line.js';
import type { ValidateFlags } from './commands/validate.js';
import type { ImportFlags } from './commands/import.js';
import type { SandboxFlags } from './commands/sandbox.js';
import type { SyncFlags } from './commands/sync.js';
import type { ReplayFlags } from './commands/replay.js';
import type { InitFlags } from './commands/init.js';
import type { StatusFlags } from './commands/status.js';
import type { VerifyFlags } from './commands/verify.js';
import type { ReportFlags } from './commands/report.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Runs one command with its positional arguments and its options; gives the exit code. */
type Run = (args: unknown[], options: Record<string, unknown>) => Promise<number>;

// Each command's code is imported only when it runs.
const RUN: Record<CommandName, Run> = {
  validate: async ([files], options) => (await import('./commands/validate.js')).runValidate(files as string[], options as unknown as ValidateFlags),
  init: async ([file], options) => (await import('./commands/init.js')).runInit(file as string, options as InitFlags),
  import: async ([files], options) => (await import('./commands/import.js')).runImport(files as string[], options as unknown as ImportFlags),
  replay: async ([files], options) => (await import('./commands/replay.js')).runReplay(files as string[], options as unknown as ReplayFlags),
  verify: async ([files], options) => (await import('./commands/verify.js')).runVerify(files as string[], options as unknown as VerifyFlags),
  sync: async (_args, options) => (await import('./commands/sync.js')).runSync(options as unknown as SyncFlags),
  status: async (_args, options) => (await import('./commands/status.js')).runStatus(options as StatusFlags),
  report: async ([run], options) => (await import('./commands/report.js')).runReport(run as string, options as unknown as ReportFlags),
  sandbox: async (_args, options) => (await import('./commands/sandbox.js')).runSandbox(options as unknown as SandboxFlags),
};

/**
 * Where each option's value came from ('cli', 'default', ...), recorded on the options object a
 * command's action receives (`optionSources`), so a --config file fills in exactly the flags not given.
 */
function recordOptionSources(_program: Command, command: Command): void {
  const sources = Object.fromEntries(command.options.map((option) => [option.attributeName(), command.getOptionValueSource(option.attributeName())]));
  command.setOptionValueWithSource('optionSources', sources, 'implied');
}

/** One command of the table; its options come when it is chosen (addOptions). */
function addCommand(program: Command, spec: CommandSpec, setExit: (code: number) => void): void {
  const command = program.command(spec.name).description(spec.description);
  for (const argument of spec.arguments) command.argument(argument.spec, argument.description);
  // Said here, as commander would once the options are added: `eventload --help` lists the
  // commands without adding them.
  command.usage([...(spec.options.length > 0 ? ['[options]'] : []), ...spec.arguments.map((argument) => argument.spec)].join(' '));
  command.action(async (...args: unknown[]) => {
    const positional = args.slice(0, spec.arguments.length);
    setExit(await RUN[spec.name as CommandName](positional, args[spec.arguments.length] as Record<string, unknown>));
  });
}

/**
 * The command the arguments choose (`eventload import …`, `eventload help import`): the first word
 * that is not an option, or the one after `help`. Only the program's own options (--help,
 * --version) can come before it.
 */
function chosenCommand(program: Command, args: readonly string[]): Command | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return program.commands.find((command) => command.name() === name);
}

/** The chosen command's options, in the table's order, choices and texts read from the registries now, and its help's epilogue. */
async function addOptions(command: Command): Promise<void> {
  const spec = commandSpecs().find((candidate) => candidate.name === command.name())!;
  const [{ commanderOptions }, { environmentBlock }] = await Promise.all([import('../options/commander.js'), import('../options/environment.js')]);
  for (const entry of spec.options) for (const option of commanderOptions(entry)) command.addOption(option);
  command.addHelpText('after', helpEpilogue(spec, spec.environment ? environmentBlock() : undefined));
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command(PROGRAM.name)
    .description(PROGRAM.description)
    .version(version, '-v, --version')
    .exitOverride()
    // Parse errors are printed by reportError, as one `eventload:` line like every other error.
    .configureOutput({ outputError: () => undefined })
    // Each command's line in `eventload --help` is its usage, which says [options] before they are added.
    .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}`.trim() })
    .hook('preAction', recordOptionSources)
    .addHelpText('after', helpEpilogue(PROGRAM));
  for (const spec of commandSpecs()) addCommand(program, spec, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // Whatever prints (messages quoting the server, the summary, the spinner), no secret gets out.
  redactWrites(process.stdout);
  redactWrites(process.stderr);
  // `eventload ... | head` closes our stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    const chosen = chosenCommand(program, argv.slice(2));
    if (chosen) await addOptions(chosen);
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    const command = program.commands.find((candidate) => candidate.name() === argv[2]);
    const flags = new Set((command?.options ?? []).map((option) => option.long ?? ''));
    return reportError(error, command ? `eventload ${command.name()} --help` : 'eventload --help', asksForJson(argv.slice(3), flags));
  }
}

/** Every error ends here: its line on stderr (and its JSON object on stdout with --json), and its exit code. */
function reportError(error: unknown, help: string, json: boolean): number {
  // Help and version are "errors" to commander; they are success to the user.
  if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')) return EXIT.ok;
  const { code, message, exitCode } = describeError(error, help);
  process.stderr.write(errorLine(code, message));
  if (json) process.stdout.write(errorJson(code, message));
  // Anything not ours is a bug: the stack only when asked for.
  if (code === 'EL_INTERNAL' && process.env.EVENTLOAD_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  return exitCode;
}

function describeError(error: unknown, help: string): { code: EventloadError['code']; message: string; exitCode: number } {
  if (error instanceof CommanderError) return { code: 'EL_USAGE', message: `${error.message.replace(/^error: /, '')} (see ${help})`, exitCode: EXIT.config };
  if (error instanceof EventloadError) return { code: error.code, message: error.message, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'EL_INTERNAL', message: `internal error: ${message}`, exitCode: EXIT.internal };
}
