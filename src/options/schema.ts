// Every option of every command, defined once: its flag spelling, how its command-line text becomes a
// value, what a --config file may hold for it, its default and its description. The commander flags
// (src/cli/main.ts), the --config file schema (src/config/schema.ts), the defaults, the flag types
// and docs/cli.md are all built from this table; src/options/commands.ts says which command takes
// which option (and where a command words an option its own way).
import { z } from 'zod';
import { DEFAULT_REPEAT_WINDOW, MAX_REPEAT_WINDOW } from '../events/keys.js';
import { readerNames } from '../readers/index.js';
import { targetNames } from '../targets/index.js';
import { anyText, concurrencyText, nonEmptyText, numberText, percentText, wholeNumber, wholeNumberText, type TextValue } from './values.js';

/** A text, or a function giving it when the program is built (texts that list registry entries). */
export type Text = string | (() => string);

export interface OptionSpec<T = unknown> {
  /** Commander's spelling: short alias, long flag, value name (`-c, --concurrency <n>`). */
  flag: string;
  /** How the command-line text becomes the value; absent for a switch (true when given). */
  text?: TextValue<T>;
  /** What a --config file may hold for it (keyed by the camelCase name); absent: the file may not set it. */
  config?: z.ZodType | (() => z.ZodType);
  /** The value is a file name: a --config file's value is taken from the config file's folder. */
  path?: boolean;
  /** Applied when neither the command line nor a --config file gives it. */
  default?: T;
  description: Text;
  /** The only values the command line takes (read when the program is built). */
  choices?: () => readonly string[];
  /** The `--no-…` flag that sets it to false (`--no-journal`). */
  negation?: { flag: string; description: string };
  /** Options that may not be given together with it, on the command line or in a --config file. */
  conflicts?: readonly string[];
}

/** Without --request-timeout, one attempt may take this many times --timeout in all (2 min by default). */
export const REQUEST_TIMEOUT_FACTOR = 4;

export const REPORTERS = ['text', 'json', 'github', 'junit'] as const;

const targetName = () => z.enum(targetNames() as [string, ...string[]]);
const formatName = () => z.enum(readerNames() as [string, ...string[]]);
const pathValue = () => nonEmptyText();

/** Keeps each option's own value type (`text`, `default`) while checking it against OptionSpec. */
function option<const S extends OptionSpec<any>>(spec: S): S {
  return spec;
}

// In the order of the --config file's keys (messages list problems in this order).
export const OPTIONS = {
  mapping: option({ flag: '-m, --mapping <file>', text: anyText, config: pathValue, path: true, description: 'mapping file (JSON) from input records to canonical events' }),
  format: option({
    flag: '-f, --format <name>',
    text: anyText,
    config: formatName,
    description: () => `input format: ${readerNames().join(', ')} (default: from the file name and content)`,
  }),
  timezone: option({ flag: '--timezone <iana>', text: anyText, config: nonEmptyText, description: 'time zone of timestamps that carry none, e.g. Europe/Berlin (wins over the mapping)' }),
  records: option({ flag: '--records <member>', text: anyText, config: nonEmptyText, description: 'JSON: the member whose array holds the records, when the file is one object wrapping them ("data", or a dot path such as "result.items")' }),
  delimiter: option({ flag: '--delimiter <char>', text: anyText, config: nonEmptyText, description: 'CSV delimiter (default: an Excel sep= line\'s, else detected among , ; tab |)' }),
  encoding: option({
    flag: '--encoding <name>',
    text: anyText,
    config: nonEmptyText,
    description: 'text encoding of the input, e.g. windows-1252, latin1, utf-16le, shift_jis (default: UTF-8, or what a BOM or an XML declaration says)',
  }),
  maxRecordSize: option({ flag: '--max-record-size <bytes>', text: wholeNumberText, config: () => wholeNumber(1), description: 'reject records larger than this many bytes (default 1 MiB)' }),
  repeatWindow: option({
    flag: '--repeat-window <n>',
    text: wholeNumberText,
    config: () => wholeNumber(1).max(MAX_REPEAT_WINDOW),
    description: `derived keys: a repeat of an identical event within this many events gets its own key; further apart, the same key (default ${groupDigits(DEFAULT_REPEAT_WINDOW)})`,
  }),
  rejects: option({ flag: '--rejects <file>', text: anyText, config: pathValue, path: true, description: 'write rejected records as NDJSON to this file' }),
  target: option({ flag: '-t, --target <name>', text: anyText, config: targetName, choices: targetNames, description: 'the ingest API (required, here or in --config)' }),
  verbose: option({ flag: '--verbose', config: () => z.boolean(), conflicts: ['quiet'], description: 'print each retry, throttling pause and rejected record on stderr as it happens' }),
  maxErrorRate: option({
    flag: '--max-error-rate <percent>',
    text: percentText,
    config: () => z.number().min(0).max(100),
    description: 'stop (exit 1) once more than this percentage of records is invalid, after at least 100',
  }),
  reporter: option({
    flag: '--reporter <name>',
    text: z.enum(REPORTERS),
    config: () => z.enum(REPORTERS),
    choices: () => REPORTERS,
    default: 'text',
    description: 'what stdout shows: text, json, github (annotations) or junit (JUnit XML)',
  }),
  junit: option({ flag: '--junit <file>', text: anyText, config: pathValue, path: true, description: 'also write the result as JUnit XML to this file, whatever the reporter' }),
  maxErrors: option({
    flag: '--max-errors <n>',
    text: wholeNumberText,
    config: () => wholeNumber(0),
    description: 'list at most this many invalid records (default 20; 0 lists all); all are counted, by reason code',
  }),
  endpoint: option({ flag: '--endpoint <url>', text: anyText, config: nonEmptyText, description: "base URL of the API (default: the target's public endpoint)" }),
  sandbox: option({ flag: '--sandbox', config: () => z.boolean(), description: "start the target's local sandbox in this process and import into it (no account needed)" }),
  allowHttp: option({ flag: '--allow-http', config: () => z.boolean(), description: 'allow a plain http:// endpoint that is not on this machine' }),
  concurrency: option({
    flag: '-c, --concurrency <n>',
    text: concurrencyText,
    config: () =>
      z.union([wholeNumber(1), z.literal('auto')], {
        error: ({ input }) =>
          typeof input !== 'number' ? 'expected a whole number of at least 1, or "auto"' : Number.isInteger(input) ? 'must be at least 1' : `expected a whole number, got ${input}`,
      }),
    default: 8 as number | 'auto',
    description: 'requests in flight at once, or auto (adapts to the server, up to --concurrency-max)',
  }),
  concurrencyMax: option({ flag: '--concurrency-max <n>', text: wholeNumberText, config: () => wholeNumber(1), default: 64, description: 'with --concurrency auto: the most requests in flight' }),
  drainTimeout: option({
    flag: '--drain-timeout <seconds>',
    text: numberText,
    config: () => z.number().min(0),
    default: 30,
    description: 'on Ctrl-C/SIGTERM, wait at most this long for requests under way',
  }),
  rate: option({ flag: '--rate <n>', text: numberText, config: () => z.number().positive(), description: "requests per second for the whole run (default: the target's documented limit, if any)" }),
  batchSize: option({ flag: '--batch-size <n>', text: wholeNumberText, config: () => wholeNumber(1), description: 'events per request where the API has a batch endpoint (default: its maximum)' }),
  maxRetries: option({
    flag: '--max-retries <n>',
    text: wholeNumberText,
    config: () => wholeNumber(0),
    default: 5,
    description: 'retries per request for 408, 5xx and network errors (429s are retried until --retry-deadline)',
  }),
  retryDeadline: option({
    flag: '--retry-deadline <seconds>',
    text: numberText,
    config: () => z.number().min(0),
    default: 300,
    description: 'give up on one request after this long, retries and time inside attempts included',
  }),
  timeout: option({
    flag: '--timeout <ms>',
    text: wholeNumberText,
    config: () => wholeNumber(1),
    default: 30_000,
    description: 'longest silence in one attempt: to connect, for the answer, between two parts of it',
  }),
  requestTimeout: option({
    flag: '--request-timeout <ms>',
    text: wholeNumberText,
    config: () => wholeNumber(1),
    description: `most one attempt may take in all, answer included (default: ${REQUEST_TIMEOUT_FACTOR} × --timeout)`,
  }),
  backoffBase: option({ flag: '--backoff-base <ms>', text: wholeNumberText, config: () => wholeNumber(0), default: 1000, description: 'first retry delay; doubles each retry, with full jitter' }),
  journal: option({
    flag: '--journal <file>',
    text: anyText as TextValue<string | boolean>,
    config: () => z.union([pathValue(), z.literal(false)], { error: 'expected a file name, or false for no journal' }),
    path: true,
    negation: { flag: '--no-journal', description: 'do not remember delivery (a re-run then sends everything again)' },
    description: 'where delivery is remembered across runs (default: .eventload/journal.db)',
  }),
  retryRejected: option({ flag: '--retry-rejected', config: () => z.boolean(), description: 'send again events that an earlier run had rejected' }),
  dryRun: option({ flag: '--dry-run', config: () => z.boolean(), description: 'do everything but send' }),
  out: option({ flag: '--out <file>', text: anyText, config: pathValue, path: true, description: 'with --dry-run: write the exact request bodies as NDJSON' }),
  report: option({ flag: '--report <file>', text: anyText, config: pathValue, path: true, description: 'write the summary as JSON' }),
  shard: option({
    flag: '--shard <i/n>',
    text: anyText,
    config: nonEmptyText,
    description: "this worker's share of a job split over N workers: I/N (0 <= I < N), or auto/N (I from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID); default: EVENTLOAD_SHARD",
  }),
  reportHtml: option({ flag: '--report-html <file>', text: anyText, config: pathValue, path: true, description: 'write the run report as one self-contained HTML file: account, charts over time, rejects, directly-follows graph (docs/report.md)' }),
  json: option({ flag: '--json', config: () => z.boolean(), description: 'print only the JSON summary on stdout (logs go to stderr)' }),
  quiet: option({ flag: '-q, --quiet', config: () => z.boolean(), description: 'no progress output' }),

  // Command-line only: a --config file may not set these.
  config: option({ flag: '--config <file>', text: anyText, description: 'read options from this JSON file (flags given here win)' }),
  force: option({ flag: '--force', description: 'overwrite the output file if it exists' }),
  override: option({ flag: '--override', description: "for a format with a built-in mapping (xes, bpmn): write a mapping file to lay over it, to edit" }),
  speed: option({ flag: '--speed <x>', text: anyText, description: 'how much faster than the original pace: 1, 10, 0.5, 10x, or max (default: max, no waiting)' }),
  reorderWindow: option({ flag: '--reorder-window <n>', text: anyText, description: 'events held to send slightly out-of-order input in timestamp order (default 1000)' }),
  maxGap: option({ flag: '--max-gap <duration>', text: anyText, description: 'cap idle gaps between events, e.g. 5s, 2m, 1h (event time)' }),
  shiftTo: option({ flag: '--shift-to <when>', text: anyText, description: 'move timestamps so the first event lands at: now, or an ISO date-time with zone' }),
  keepOriginal: option({ flag: '--no-keep-original', description: 'with --shift-to: do not keep the original timestamp in properties.original_timestamp' }),
  keepKeys: option({ flag: '--keep-keys', description: 'with --shift-to: keep the original idempotency keys (a repeat replay may then be deduplicated away)' }),
  from: option({ flag: '--from <when>', text: anyText, description: 'only events at or after this ISO date-time (or date, UTC)' }),
  since: option({ flag: '--since <when>', text: anyText, description: 'only events at or after this ISO date-time (or date, UTC)' }),
  resend: option({ flag: '--resend', description: 'send the missing events again at once, through the journal (nothing is sent twice)' }),
  until: option({ flag: '--until <when>', text: anyText, description: 'only events before this ISO date-time (or before this date begins, UTC): exclusive' }),
  loop: option({ flag: '--loop <n>', text: anyText, description: 'send the selected window this many times, each repetition shifted after the one before' }),
  pruneSandbox: option({
    flag: '--prune-sandbox',
    description: 'remove what import --sandbox runs recorded (the sandbox:<target> scopes), and say how many events',
  }),
  port: option({ flag: '-p, --port <n>', text: wholeNumberText, default: 8787, description: 'port (0 = any free port)' }),
  host: option({ flag: '--host <address>', text: anyText, default: '127.0.0.1', description: 'address to listen on' }),
  failRate: option({ flag: '--fail-rate <fraction>', text: numberText, description: 'fraction (0-1) of ingest requests that get an injected fault' }),
  faults: option({ flag: '--faults <kinds>', text: anyText, default: '429,503,reset', description: 'faults to draw from, comma-separated: 429,500,503,reset,commit-reset; and drop=FRACTION: events answered as stored but not kept' }),
  latency: option({ flag: '--latency <ms>', text: wholeNumberText, description: 'added delay before each answer' }),
  retryAfter: option({ flag: '--retry-after <seconds>', text: wholeNumberText, description: 'Retry-After on injected 429s (flaring sends none, as documented)' }),
  maxConcurrent: option({ flag: '--max-concurrent <n>', text: wholeNumberText, description: 'answer 429 when more ingest requests than this are in flight' }),
  rateLimit: option({ flag: '--rate-limit <perMinute,burst>', text: anyText, description: 'token-bucket limit per token, e.g. 100,10 (flaring default)' }),
} as const;

export type OptionName = keyof typeof OPTIONS;

/** The value a command receives for an option: what its text becomes, or a switch's boolean. */
export type OptionValue<N extends OptionName> = (typeof OPTIONS)[N] extends { text: z.ZodType<infer T, any> }
  ? (typeof OPTIONS)[N] extends { negation: object }
    ? T | boolean
    : T
  : boolean;

/** The option's spec; the table is typed by its entries, this reads it as the common shape. */
export function optionSpec(name: OptionName): OptionSpec {
  return OPTIONS[name] as OptionSpec;
}

export function optionNames(): OptionName[] {
  return Object.keys(OPTIONS) as OptionName[];
}

/**
 * The text as shown. `{targets}` in a plain text is the registered targets' names: the command
 * table (commands.ts) stays free of the registries that way, so `eventload --help` loads none.
 */
export function textOf(text: Text): string {
  const shown = typeof text === 'function' ? text() : text;
  return shown.includes('{targets}') ? shown.replaceAll('{targets}', targetNames().join(', ')) : shown;
}

/** The long flag, as users type it: `--max-record-size`. */
export function longFlag(name: OptionName): string {
  return /--[a-z-]+/.exec(optionSpec(name).flag)![0];
}

/**
 * 1000000 → "1,000,000", as toLocaleString('en-US') writes it, without Intl: this table is built
 * when any command starts, and Intl's first use maps ~5 MB of ICU data into every process.
 */
function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+$)/g, ',');
}
