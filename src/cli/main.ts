// The commander program, built from the command and option tables in src/options (and, through
// them, the target and reader registries, read when the program is built). Each command's code is
// imported only when that command runs, so `eventload --help` starts fast. Only this file turns
// errors into exit codes.
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { EventloadError, EXIT } from '../errors.js';
import { redactWrites } from '../secrets/redact.js';
import { commanderOptions, commandSpecs, helpEpilogue, PROGRAM, type CommandName, type CommandSpec } from '../options/index.js';
import { asksForJson, errorJson, errorLine } from './error-line.js';
import type { ValidateFlags } from './commands/validate.js';
import type { ImportFlags } from './commands/import.js';
import type { SandboxFlags } from './commands/sandbox.js';
import type { SyncFlags } from './commands/sync.js';
import type { ReplayFlags } from './commands/replay.js';
import type { InitFlags } from './commands/init.js';
import type { StatusFlags } from './commands/status.js';

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
  sync: async (_args, options) => (await import('./commands/sync.js')).runSync(options as unknown as SyncFlags),
  status: async (_args, options) => (await import('./commands/status.js')).runStatus(options as StatusFlags),
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

/** One command of the table, its options in the table's order, choices read from the registries now. */
function addCommand(program: Command, spec: CommandSpec, setExit: (code: number) => void): void {
  const command = program.command(spec.name).description(spec.description);
  for (const argument of spec.arguments) command.argument(argument.spec, argument.description);
  for (const entry of spec.options) for (const option of commanderOptions(entry)) command.addOption(option);
  command.addHelpText('after', helpEpilogue(spec)).action(async (...args: unknown[]) => {
    const positional = args.slice(0, spec.arguments.length);
    setExit(await RUN[spec.name as CommandName](positional, args[spec.arguments.length] as Record<string, unknown>));
  });
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command(PROGRAM.name)
    .description(PROGRAM.description)
    .version(version, '-v, --version')
    .exitOverride()
    // Parse errors are printed by reportError, as one `eventload:` line like every other error.
    .configureOutput({ outputError: () => undefined })
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
