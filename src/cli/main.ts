// The command table. Each command's code is imported only when that command runs, so
// `eventload --help` starts fast. Only this file turns errors into exit codes.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { EventloadError, EXIT } from '../errors.js';
import type { ValidateFlags } from './commands/validate.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Options every reading command shares. */
function addInputOptions(command: Command): Command {
  return command
    .option('-m, --mapping <file>', 'mapping file (JSON) from input records to canonical events')
    .option('-f, --format <name>', 'input format: csv, ndjson, json, bpmn (default: from the file name and content)')
    .option('--timezone <iana>', 'time zone of timestamps that carry none, e.g. Europe/Berlin (wins over the mapping)')
    .option('--delimiter <char>', 'CSV delimiter (default: detected among , ; tab |)')
    .option('--max-record-size <bytes>', 'reject records larger than this many bytes (default 1 MiB)', parseInteger)
    .option('--rejects <file>', 'write rejected records as NDJSON to this file');
}

export function parseInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new CommanderError(EXIT.config, 'eventload.invalidNumber', `expected a whole number, got "${value}"`);
  return number;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('eventload')
    .description('Load historical events from CSV, NDJSON and BPMN dumps into event-ingest APIs.')
    .version(version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  addInputOptions(program.command('validate').argument('<files...>', 'input files (- for standard input; .gz is read transparently)'))
    .description('read, map and check every record; send nothing')
    .option('--target <name>', "also apply this target's limits (flowmyna, immutable, flaring)")
    .addOption(new Option('--reporter <name>', 'output style').choices(['text', 'json', 'github']).default('text'))
    .option('--max-errors <n>', 'list at most this many invalid records (all are still counted)', parseInteger)
    .addHelpText('after', `
Examples:
  $ eventload validate fixtures/orders.csv --mapping fixtures/orders.mapping.json
  $ eventload validate exports/*.ndjson --target immutable --reporter github
  $ eventload validate broken.csv -m orders.mapping.json --rejects rejects.ndjson --max-errors 20

Exit codes: 0 all valid, 1 some records invalid, 2 usage or configuration error.`)
    .action(async (files: string[], options: Record<string, unknown>) => {
      const { runValidate } = await import('./commands/validate.js');
      setExit(await runValidate(files, options as unknown as ValidateFlags));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; they are success to the user.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.config;
  }
  if (error instanceof EventloadError) {
    process.stderr.write(`eventload: ${error.message}\n`);
    return error.exitCode;
  }
  // Anything else is a bug: say so plainly, with the stack only when asked for.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`eventload: internal error: ${message}\n`);
  if (process.env.EVENTLOAD_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  return EXIT.internal;
}
