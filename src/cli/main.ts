// The command table. Each command's code is imported only when that command runs, so
// `eventload --help` starts fast. Only this file turns errors into exit codes.
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EventloadError, EXIT } from '../errors.js';
import { redactWrites } from '../secrets/redact.js';
import { DELIVERY_DEFAULTS, REQUEST_TIMEOUT_FACTOR } from './defaults.js';
import { asksForJson, errorJson, errorLine } from './error-line.js';
import type { ValidateFlags } from './commands/validate.js';
import type { ImportFlags } from './commands/import.js';
import type { SandboxFlags } from './commands/sandbox.js';
import type { SyncFlags } from './commands/sync.js';
import type { ReplayFlags } from './commands/replay.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Options every reading command shares. */
function addInputOptions(command: Command): Command {
  return command
    .option('-m, --mapping <file>', 'mapping file (JSON) from input records to canonical events')
    .option('-f, --format <name>', 'input format: csv, ndjson, json, bpmn (default: from the file name and content)')
    .option('--timezone <iana>', 'time zone of timestamps that carry none, e.g. Europe/Berlin (wins over the mapping)')
    .option('--delimiter <char>', 'CSV delimiter (default: detected among , ; tab |)')
    .option('--encoding <name>', 'text encoding of the input, e.g. windows-1252, latin1, utf-16le, shift_jis (default: UTF-8; BOMs are recognised)')
    .option('--max-record-size <bytes>', 'reject records larger than this many bytes (default 1 MiB)', parseInteger)
    .option('--rejects <file>', 'write rejected records as NDJSON to this file');
}

/** Options of every command that sends (import, replay). */
function addDeliveryOptions(command: Command): Command {
  return command
    .addOption(new Option('-t, --target <name>', 'the ingest API (required, here or in --config)').choices(['flowmyna', 'immutable', 'flaring']))
    .option('--endpoint <url>', "base URL of the API (default: the target's public endpoint)")
    .option('--sandbox', "start the target's local sandbox in this process and import into it (no account needed)")
    .option('--allow-http', 'allow a plain http:// endpoint that is not on this machine')
    .option('-c, --concurrency <n>', 'requests in flight at once, or auto (adapts to the server, up to --concurrency-max)', parseConcurrency, DELIVERY_DEFAULTS.concurrency)
    .option('--concurrency-max <n>', 'with --concurrency auto: the most requests in flight', parseInteger, DELIVERY_DEFAULTS.concurrencyMax)
    .option('--rate <n>', "requests per second for the whole run (default: the target's documented limit, if any)", parseNumber)
    .option('--batch-size <n>', 'events per request where the API has a batch endpoint (default: its maximum)', parseInteger)
    .option('--max-retries <n>', 'retries per request for 408, 5xx and network errors (429s are retried until --retry-deadline)', parseInteger, DELIVERY_DEFAULTS.maxRetries)
    .option('--retry-deadline <seconds>', 'give up on one request after this long, retries and time inside attempts included', parseNumber, DELIVERY_DEFAULTS.retryDeadline)
    .option('--timeout <ms>', 'longest silence in one attempt: to connect, for the answer, between two parts of it', parseInteger, DELIVERY_DEFAULTS.timeout)
    .option('--request-timeout <ms>', `most one attempt may take in all, answer included (default: ${REQUEST_TIMEOUT_FACTOR} × --timeout)`, parseInteger)
    .option('--backoff-base <ms>', 'first retry delay; doubles each retry, with full jitter', parseInteger, DELIVERY_DEFAULTS.backoffBase)
    .option('--journal <file>', 'where delivery is remembered across runs (default: .eventload/journal.db)')
    .option('--no-journal', 'do not remember delivery (a re-run then sends everything again)')
    .option('--retry-rejected', 'send again events that an earlier run had rejected')
    .option('--drain-timeout <seconds>', 'on Ctrl-C/SIGTERM, wait at most this long for requests under way', parseNumber, DELIVERY_DEFAULTS.drainTimeout)
    .option('--dry-run', 'do everything but send')
    .option('--out <file>', 'with --dry-run: write the exact request bodies as NDJSON')
    .option('--report <file>', 'write the summary as JSON')
    .option('--json', 'print only the JSON summary on stdout (logs go to stderr)')
    .option('-q, --quiet', 'no progress output');
}

export function parseConcurrency(value: string): number | 'auto' {
  return value.trim().toLowerCase() === 'auto' ? 'auto' : parseInteger(value);
}

export function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return number;
}

export function parsePercent(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 100) throw new InvalidArgumentError(`expected a percentage from 0 to 100, got "${value}"`);
  return number;
}

/**
 * Where each option's value came from ('cli', 'default', ...), recorded on the options object a
 * command's action receives (`optionSources`), so a --config file fills in exactly the flags not given.
 */
function recordOptionSources(_program: Command, command: Command): void {
  const sources = Object.fromEntries(command.options.map((option) => [option.attributeName(), command.getOptionValueSource(option.attributeName())]));
  command.setOptionValueWithSource('optionSources', sources, 'implied');
}

export function parseInteger(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return number;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('eventload')
    .description('Load historical events from CSV, NDJSON and BPMN dumps into event-ingest APIs.')
    .version(version, '-v, --version')
    .exitOverride()
    // Parse errors are printed by reportError, as one `eventload:` line like every other error.
    .configureOutput({ outputError: () => undefined })
    .hook('preAction', recordOptionSources)
    .addHelpText('after', `
Examples:
  $ eventload init exports/orders.csv
  $ eventload validate exports/orders.csv -m orders.mapping.json --timezone Europe/Berlin
  $ eventload import fixtures/orders.csv -m fixtures/orders.mapping.json --target flowmyna --sandbox

Every command has --help with examples.`);

  addInputOptions(program.command('validate').argument('[files...]', 'input files (- for standard input; .gz is read transparently); default: "files" in --config'))
    .description('read, map and check every record; send nothing')
    .option('--target <name>', "also apply this target's limits (flowmyna, immutable, flaring)")
    .addOption(new Option('--reporter <name>', 'what stdout shows: text, json, github (annotations) or junit (JUnit XML)').choices(['text', 'json', 'github', 'junit']).default('text'))
    .option('--junit <file>', 'also write the result as JUnit XML to this file, whatever the reporter')
    .option('--max-errors <n>', 'list at most this many invalid records (default 20; 0 lists all); all are counted, by reason code', parseInteger)
    .option('--json', 'the same as --reporter json')
    .option('--max-error-rate <percent>', 'stop (exit 1) once more than this percentage of records is invalid, after at least 100', parsePercent)
    .option('--config <file>', 'read options from this JSON file (flags given here win)')
    .option('--verbose', 'say on stderr how each file is read, and each invalid record as it is found')
    .addHelpText('after', `
Examples:
  $ eventload validate fixtures/orders-mistakes.csv --mapping fixtures/orders.mapping.json --max-errors 3
  $ eventload validate exports/*.ndjson --target immutable --reporter github --junit validate.xml
  $ eventload validate --config orders.json --max-error-rate 5 --rejects rejects.ndjson

Exit codes: 0 all valid, 1 some records invalid (or --max-error-rate exceeded), 2 usage or configuration error.`)
    .action(async (files: string[], options: Record<string, unknown>) => {
      const { runValidate } = await import('./commands/validate.js');
      setExit(await runValidate(files, options as unknown as ValidateFlags));
    });

  program
    .command('init')
    .argument('<file>', 'a CSV or NDJSON file to look at (its header and first 200 records)')
    .description('write a starting mapping file for FILE, saying what it guessed and what to check')
    .addOption(new Option('-t, --target <name>', 'the API the mapping is for (immutable: the user column becomes the actor)').choices(['flowmyna', 'immutable', 'flaring']))
    .option('-o, --out <file>', 'where to write the mapping (default: <input name>.mapping.json in the current folder)')
    .option('--force', 'overwrite the output file if it exists')
    .option('-f, --format <name>', 'input format: csv, ndjson, json (default: from the file name and content)')
    .option('--delimiter <char>', 'CSV delimiter (default: detected among , ; tab |); written into the mapping')
    .option('--encoding <name>', 'text encoding of the input, e.g. windows-1252 (default: UTF-8; BOMs are recognised); written into the mapping')
    .option('--timezone <iana>', 'time zone of timestamps that carry none, e.g. Europe/Berlin; written into the mapping')
    .addHelpText('after', `
Examples:
  $ eventload init exports/orders.csv && eventload validate exports/orders.csv -m orders.mapping.json
  $ eventload init running-example.csv --target immutable --out running-example.mapping.json
  $ eventload init audit.ndjson --out audit.mapping.json --force

What it guessed and what you must check (above all the time zone of zone-less timestamps) goes to
stderr; the path of the written file to stdout. Exit codes: 0 written (or no mapping needed),
2 usage or configuration error (unreadable file, output exists without --force, nothing usable found).`)
    .action(async (file: string, options: Record<string, unknown>) => {
      const { runInit } = await import('./commands/init.js');
      setExit(await runInit(file, options as Parameters<typeof runInit>[1]));
    });

  addDeliveryOptions(addInputOptions(program.command('import').argument('[files...]', 'input files (- for standard input; .gz is read transparently), or "files" in --config')))
    .description('read, map, validate and upload events to an ingest API, accounting for every one')
    .addOption(new Option('--verbose', 'print each retry, throttling pause and rejected record on stderr as it happens').conflicts('quiet'))
    .option('--max-error-rate <percent>', 'stop (exit 1) once more than this percentage of records is invalid, after at least 100', parsePercent)
    .option('--config <file>', 'read options from this JSON file (flags given here win; tokens as {"env": "NAME"})')
    .addHelpText('after', `
Environment (tokens are read from here, never from flags):
  FLOWMYNA_API_KEY                      flowmyna: fm_live_ + 32 characters
  IMMUTABLE_API_KEY                     immutable: imk_...
  FLARING_TOKEN, or FLARING_EMAIL and FLARING_PASSWORD   flaring

Examples:
  $ eventload import fixtures/orders.csv -m fixtures/orders.mapping.json --target flowmyna --sandbox
  $ FLOWMYNA_API_KEY=fm_live_... eventload import orders.csv -m orders.mapping.json -t flowmyna --concurrency 16
  $ eventload import audit.ndjson -t immutable --dry-run --out bodies.ndjson

Exit codes: 0 all delivered, 1 some events rejected, 2 usage or configuration error (nothing sent),
3 aborted (credentials refused, endpoint unreachable, journal not writable), 4 another run is using
the journal, 130/143 interrupted.`)
    .action(async (files: string[], options: Record<string, unknown>) => {
      const { runImport } = await import('./commands/import.js');
      setExit(await runImport(files, options as unknown as ImportFlags));
    });

  addDeliveryOptions(addInputOptions(program.command('replay').argument('<files...>', 'input files, or a rejects file written by import (corrected by hand if need be)')))
    .description('send recorded events at their original pace, faster, or shifted in time; also resends a rejects file')
    .option('--speed <x>', 'how much faster than the original pace: 1, 10, 0.5, 10x, or max (default: max, no waiting)')
    .option('--reorder-window <n>', 'events held to send slightly out-of-order input in timestamp order (default 1000)')
    .option('--max-gap <duration>', 'cap idle gaps between events, e.g. 5s, 2m, 1h (event time)')
    .option('--shift-to <when>', 'move timestamps so the first event lands at: now, or an ISO date-time with zone')
    .option('--no-keep-original', 'with --shift-to: do not keep the original timestamp in properties.original_timestamp')
    .option('--keep-keys', 'with --shift-to: keep the original idempotency keys (a repeat replay may then be deduplicated away)')
    .option('--from <when>', 'only events at or after this ISO date-time (or date, UTC)')
    .option('--until <when>', 'only events before this ISO date-time (or before this date begins, UTC): exclusive')
    .option('--loop <n>', 'send the selected window this many times, each repetition shifted after the one before')
    .option('--config <file>', 'read options from this JSON file, as import --config does (flags given here win)')
    .addHelpText('after', `
Examples:
  $ eventload replay fixtures/events.ndjson --target flowmyna --sandbox --speed 60 --shift-to now
  $ eventload replay audit.ndjson -t immutable --speed 10 --max-gap 5s --from 2024-03-01 --until 2024-03-08
  $ eventload replay eventload-rejects-20240301-101500.ndjson -t flowmyna -m orders.mapping.json

--dry-run prints the schedule (events, span, expected duration) and sends nothing.
Exit codes as for import.`)
    .action(async (files: string[], options: Record<string, unknown>) => {
      const { runReplay } = await import('./commands/replay.js');
      setExit(await runReplay(files, options as unknown as ReplayFlags));
    });

  program
    .command('sync')
    .description('the scheduled run: read the files a config file names, send only what the journal has not seen')
    .requiredOption('--config <file>', 'the config file of import --config (JSON); sync needs "files" and "target" in it')
    .option('--report <file>', 'write the summary as JSON')
    .option('--json', 'print only the JSON summary on stdout')
    .option('--encoding <name>', 'text encoding of the input files (wins over "encoding" in the config file)')
    .option('-q, --quiet', 'no progress output (the default when not on a terminal)')
    .option('--retry-rejected', 'send again events an earlier run had rejected (reads every file again)')
    .addHelpText('after', `
Examples:
  $ eventload sync --config /etc/eventload/orders.json
  */15 * * * * cd /srv/exports && eventload sync --config orders.json --report last-sync.json

The same file works with validate --config and import --config. Paths in it are relative to its
folder; the journal defaults to .eventload/journal.db beside it.
Exit codes: as for import (4: another run, sync or import, is using the same journal).`)
    .action(async (options: Record<string, unknown>) => {
      const { runSync } = await import('./commands/sync.js');
      setExit(await runSync(options as unknown as SyncFlags));
    });

  program
    .command('status')
    .description('show what the journal holds per target: accepted, duplicates, rejected, in flight, and the last run')
    .option('--journal <file>', 'the journal to read (default: .eventload/journal.db)')
    .option('--json', 'print it as JSON')
    .option('--prune-sandbox', 'remove what import --sandbox runs recorded (the sandbox:<target> scopes), and say how many events')
    .addHelpText('after', `
Examples:
  $ eventload status
  $ eventload status --journal /var/lib/eventload/orders.db --json
  $ eventload status --prune-sandbox

Status only reads the journal: it never waits for a run and never changes the file.
--prune-sandbox writes, so it exits 4 while a run holds the journal.`)
    .action(async (options: { journal?: string; json?: boolean; pruneSandbox?: boolean }) => {
      const { runStatus } = await import('./commands/status.js');
      setExit(await runStatus(options));
    });

  program
    .command('sandbox')
    .description('run a local emulator of an ingest API on 127.0.0.1, printing every request it receives')
    .addOption(new Option('-t, --target <name>', 'the API to emulate').choices(['flowmyna', 'immutable', 'flaring']).makeOptionMandatory())
    .option('-p, --port <n>', 'port (0 = any free port)', parseInteger, 8787)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--fail-rate <fraction>', 'fraction (0-1) of ingest requests that get an injected fault', parseNumber)
    .option('--faults <kinds>', 'faults to draw from, comma-separated: 429,500,503,reset,commit-reset', '429,503,reset')
    .option('--latency <ms>', 'added delay before each answer', parseInteger)
    .option('--retry-after <seconds>', 'Retry-After on injected 429s (flaring sends none, as documented)', parseInteger)
    .option('--max-concurrent <n>', 'answer 429 when more ingest requests than this are in flight', parseInteger)
    .option('--rate-limit <perMinute,burst>', 'token-bucket limit per token, e.g. 100,10 (flaring default)')
    .option('-q, --quiet', 'do not print each request')
    .addHelpText('after', `
Examples:
  $ eventload sandbox --target flowmyna --port 8787
  $ eventload sandbox --target immutable --fail-rate 0.2 --faults 429,503,commit-reset
  $ eventload sandbox --target flaring --latency 20`)
    .action(async (options: Record<string, unknown>) => {
      const { runSandbox } = await import('./commands/sandbox.js');
      setExit(await runSandbox(options as unknown as SandboxFlags));
    });

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
