// Every command: its arguments, description, options (in the order --help lists them, each the
// table's option or worded the command's own way), examples, notes and exit codes. The commander
// program and docs/cli.md are both built from here, so help and reference never disagree.
import type { OptionName, Text } from './schema.js';

/** How one command uses one option where it differs from the table in schema.ts. */
export interface OptionUse {
  name: OptionName;
  flag?: string;
  description?: Text;
  /** false: any value (the command checks it itself, naming the known ones). */
  choices?: false;
  /** The command does not run without it. */
  mandatory?: true;
  /** false: the command has no `--no-…` form of it. */
  negation?: false;
}

export interface ArgumentSpec {
  /** Commander's spelling: `<file>`, `[files...]`. */
  spec: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  description: string;
  arguments: readonly ArgumentSpec[];
  options: readonly (OptionName | OptionUse)[];
  /** Shown under "Examples:", each line as typed (a crontab line has no `$ `). */
  examples: readonly string[];
  /** The credential variables of every target are listed before the examples. */
  environment?: true;
  notes?: string;
  exitCodes?: string;
}

const INPUT = ['mapping', 'format', 'timezone', 'delimiter', 'records', 'encoding', 'maxRecordSize', 'repeatWindow', 'rejects'] as const;

const DELIVERY = [
  'target', 'endpoint', 'sandbox', 'allowHttp', 'concurrency', 'concurrencyMax', 'rate', 'batchSize', 'maxRetries', 'retryDeadline', 'timeout',
  'requestTimeout', 'backoffBase', 'journal', 'retryRejected', 'drainTimeout', 'dryRun', 'out', 'report', 'reportHtml', 'json', 'quiet', 'shard',
] as const;

const IMPORT_EXIT_CODES = `0 all delivered, 1 some events rejected, 2 usage or configuration error (nothing sent),
3 aborted (credentials refused, endpoint unreachable, journal not writable), 4 another run is using
the journal, 130/143 interrupted.`;

export const PROGRAM = {
  name: 'eventload',
  description: 'Load historical events from CSV, NDJSON and BPMN dumps into event-ingest APIs.',
  examples: [
    '$ eventload init exports/orders.csv',
    '$ eventload validate exports/orders.csv -m orders.mapping.json --timezone Europe/Berlin',
    '$ eventload import fixtures/orders.csv -m fixtures/orders.mapping.json --target flowmyna --sandbox',
  ],
  notes: 'Every command has --help with examples.',
} as const;

export const COMMANDS = {
  validate: {
    name: 'validate',
    description: 'read, map and check every record; send nothing',
    arguments: [{ spec: '[files...]', description: 'input files (- for standard input; .gz is read transparently); default: "files" in --config' }],
    options: [
      ...INPUT,
      { name: 'target', flag: '--target <name>', choices: false, description: "also apply this target's limits ({targets})" },
      'reporter',
      'junit',
      'maxErrors',
      { name: 'json', description: 'the same as --reporter json' },
      'maxErrorRate',
      'shard',
      'config',
      { name: 'verbose', description: 'say on stderr how each file is read, and each invalid record as it is found' },
    ],
    examples: [
      '$ eventload validate fixtures/orders-mistakes.csv --mapping fixtures/orders.mapping.json --max-errors 3',
      '$ eventload validate exports/*.ndjson --target immutable --reporter github --junit validate.xml',
      '$ eventload validate --config orders.json --max-error-rate 5 --rejects rejects.ndjson',
    ],
    exitCodes: '0 all valid, 1 some records invalid (or --max-error-rate exceeded), 2 usage or configuration error.',
  },
  init: {
    name: 'init',
    description: 'write a starting mapping file for FILE, saying what it guessed and what to check',
    arguments: [{ spec: '<file>', description: 'a CSV or NDJSON file to look at (its header and first 200 records); for XES or BPMN, which need no mapping, see --override' }],
    options: [
      { name: 'target', description: 'the API the mapping is for (immutable: the user column becomes the actor)' },
      { name: 'out', flag: '-o, --out <file>', description: 'where to write the mapping (default: <input name>.mapping.json in the current folder)' },
      'force',
      'format',
      'override',
      { name: 'delimiter', description: 'CSV delimiter (default: an Excel sep= line\'s, else detected among , ; tab |); written into the mapping' },
      { name: 'records', description: 'JSON: the member whose array holds the records, when the file is one object wrapping them ("data", "result.items"); written into the mapping' },
      { name: 'encoding', description: 'text encoding of the input, e.g. windows-1252 (default: UTF-8, or what a BOM or an XML declaration says); written into the mapping' },
      { name: 'timezone', description: 'time zone of timestamps that carry none, e.g. Europe/Berlin; written into the mapping' },
    ],
    examples: [
      '$ eventload init exports/orders.csv && eventload validate exports/orders.csv -m orders.mapping.json',
      '$ eventload init running-example.csv --target immutable --out running-example.mapping.json',
      '$ eventload init audit.ndjson --out audit.mapping.json --force',
      '$ eventload init log.xes --override',
    ],
    notes: `What it guessed and what you must check (above all the time zone of zone-less timestamps) goes to
stderr; the path of the written file to stdout.`,
    exitCodes: `0 written (or no mapping needed),
2 usage or configuration error (unreadable file, output exists without --force, nothing usable found).`,
  },
  import: {
    name: 'import',
    description: 'read, map, validate and upload events to an ingest API, accounting for every one',
    arguments: [{ spec: '[files...]', description: 'input files (- for standard input; .gz is read transparently), or "files" in --config' }],
    options: [...INPUT, ...DELIVERY, 'verbose', 'maxErrorRate', { name: 'config', description: 'read options from this JSON file (flags given here win; tokens as {"env": "NAME"})' }],
    environment: true,
    examples: [
      '$ eventload import fixtures/orders.csv -m fixtures/orders.mapping.json --target flowmyna --sandbox',
      '$ FLOWMYNA_API_KEY=fm_live_... eventload import orders.csv -m orders.mapping.json -t flowmyna --concurrency 16',
      '$ eventload import audit.ndjson -t immutable --dry-run --out bodies.ndjson',
    ],
    exitCodes: IMPORT_EXIT_CODES,
  },
  replay: {
    name: 'replay',
    description: 'send recorded events at their original pace, faster, or shifted in time; also resends a rejects file',
    arguments: [{ spec: '<files...>', description: 'input files, or a rejects file written by import (corrected by hand if need be)' }],
    options: [
      ...INPUT,
      ...DELIVERY,
      'speed',
      'reorderWindow',
      'maxGap',
      'shiftTo',
      'keepOriginal',
      'keepKeys',
      'from',
      'until',
      'loop',
      { name: 'config', description: 'read options from this JSON file, as import --config does (flags given here win)' },
    ],
    examples: [
      '$ eventload replay fixtures/events.ndjson --target flowmyna --sandbox --speed 60 --shift-to now',
      '$ eventload replay audit.ndjson -t immutable --speed 10 --max-gap 5s --from 2024-03-01 --until 2024-03-08',
      '$ eventload replay eventload-rejects-20240301-101500.ndjson -t flowmyna -m orders.mapping.json',
    ],
    notes: '--dry-run prints the schedule (events, span, expected duration) and sends nothing.',
    exitCodes: 'as for import.',
  },
  verify: {
    name: 'verify',
    description: 'read back what the API holds and compare it with what the journal (or the input files) says was delivered',
    arguments: [{ spec: '[files...]', description: 'input files to compare with (default: what the journal recorded as delivered)' }],
    options: [
      { name: 'target', mandatory: true, description: 'the API to read back: {targets} (flowmyna documents no read endpoint)' },
      'endpoint',
      'allowHttp',
      { name: 'journal', negation: false, description: 'the journal of the import (default: .eventload/journal.db); missing events are marked there' },
      'since',
      'until',
      { name: 'rejects', description: 'write the missing and different events to this rejects-style NDJSON file (replay sends it)' },
      'resend',
      ...INPUT.filter((name) => name !== 'rejects'),
      'rate',
      'maxRetries',
      'retryDeadline',
      'timeout',
      'requestTimeout',
      'backoffBase',
      { name: 'report', description: 'write the result (the --json shape) to this file' },
      { name: 'reportHtml', description: 'write the verification as one self-contained HTML page: the figures, differences per field, the first missing and different events, reads over time (docs/report.md)' },
      { name: 'json', description: 'print only the JSON result on stdout' },
      'quiet',
      'verbose',
    ],
    environment: true,
    examples: [
      '$ eventload verify --target immutable --endpoint https://getimmutable.dev',
      '$ eventload verify audit.ndjson -t immutable --since 2024-03-01 --until 2024-04-01 --json',
      '$ eventload verify -t flaring --endpoint http://localhost:8000 --allow-http --resend',
      '$ eventload verify -t immutable --endpoint https://getimmutable.dev --report-html verify.html',
    ],
    notes: `Found, missing (delivered but not on the server), different (on the server with other content)
and extra (on the server in the window, unknown here; only counted) are counted. Missing events are
marked so in the journal and, with different ones, written to a rejects-style file that replay sends
(--resend does it at once). Reads go through --rate, retries and Retry-After like uploads.`,
    exitCodes: `0 everything was found as sent, 1 events are missing or different, 2 usage or configuration
error (also: the target documents no read endpoint), 3 reading back failed, 4 another run holds the journal.`,
  },
  sync: {
    name: 'sync',
    description: 'the scheduled run: read the files a config file names, send only what the journal has not seen',
    arguments: [],
    options: [
      { name: 'config', mandatory: true, description: 'the config file of import --config (JSON); sync needs "files" and "target" in it' },
      'report',
      { name: 'reportHtml', description: 'write the run report as one self-contained HTML file (docs/report.md); none when no file changed' },
      { name: 'json', description: 'print only the JSON summary on stdout' },
      { name: 'encoding', description: 'text encoding of the input files (wins over "encoding" in the config file)' },
      { name: 'quiet', description: 'no progress output (the default when not on a terminal)' },
      { name: 'retryRejected', description: 'send again events an earlier run had rejected (reads every file again)' },
      'shard',
    ],
    examples: ['$ eventload sync --config /etc/eventload/orders.json', '*/15 * * * * cd /srv/exports && eventload sync --config orders.json --report last-sync.json'],
    notes: `The same file works with validate --config and import --config. Paths in it are relative to its
folder; the journal defaults to .eventload/journal.db beside it.`,
    exitCodes: 'as for import (4: another run, sync or import, is using the same journal).',
  },
  status: {
    name: 'status',
    description: 'show what the journal holds per target: accepted, duplicates, rejected, in flight, and the last run',
    arguments: [],
    options: [
      {
        name: 'journal',
        flag: '--journal <file...>',
        negation: false,
        description: 'the journal to read (default: .eventload/journal.db); several (repeat the flag) or a folder of them add up into one account (the workers of a sharded job)',
      },
      { name: 'json', description: 'print it as JSON' },
      'pruneSandbox',
    ],
    examples: [
      '$ eventload status',
      '$ eventload status --journal /var/lib/eventload/orders.db --json',
      '$ eventload status --journal journals/shard-0.db --journal journals/shard-1.db',
      '$ eventload status --prune-sandbox',
    ],
    notes: `Status only reads the journal: it never waits for a run and never changes the file.
--prune-sandbox writes, so it exits 4 while a run holds the journal.`,
  },
  report: {
    name: 'report',
    description: 'write the HTML report of a past run, from the journal',
    arguments: [{ spec: '<run>', description: 'the run id the summary shows ("run id"; "runId" in its JSON), or last' }],
    options: [
      { name: 'journal', negation: false, description: 'the journal to read (default: .eventload/journal.db)' },
      { name: 'out', flag: '-o, --out <file>', mandatory: true, description: 'the HTML file to write (an earlier report there is replaced; any other file is not)' },
    ],
    examples: ['$ eventload report last --out report.html', '$ eventload report 12 --journal /var/lib/eventload/orders.db --out run-12.html'],
    notes: `Only reads the journal: it never waits for a run and never changes the file. Runs of import,
replay, sync and verify are stored with their report data; a verify run gets the verification's own
page. Runs made with import --no-journal or import --dry-run are not in a journal: give such runs
import --report-html.`,
    exitCodes: '0 written, 2 usage or configuration error (no journal, no such run, output not writable).',
  },
  sandbox: {
    name: 'sandbox',
    description: 'run a local emulator of an ingest API on 127.0.0.1, printing every request it receives',
    arguments: [],
    options: [
      { name: 'target', description: 'the API to emulate', mandatory: true },
      'port',
      'host',
      'failRate',
      'faults',
      'latency',
      'retryAfter',
      'maxConcurrent',
      'rateLimit',
      { name: 'quiet', description: 'do not print each request' },
    ],
    examples: [
      '$ eventload sandbox --target flowmyna --port 8787',
      '$ eventload sandbox --target immutable --fail-rate 0.2 --faults 429,503,commit-reset',
      '$ eventload sandbox --target flaring --latency 20',
    ],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function commandSpecs(): readonly CommandSpec[] {
  return Object.values(COMMANDS);
}

/** A command's use of an option, in one shape whether the command words it its own way or not. */
export function optionUse(entry: OptionName | OptionUse): OptionUse {
  return typeof entry === 'string' ? { name: entry } : entry;
}

/** The commands that take an option, in the order of the command table. */
export function commandsTaking(name: OptionName): string[] {
  return commandSpecs()
    .filter((command) => command.options.some((entry) => optionUse(entry).name === name))
    .map((command) => command.name);
}
