// Every code eventload gives, in one table: the reasons a record is rejected for, and the errors
// that end a run, each error with its exit code. Messages name the value and say what to do, so
// they differ from one run to the next; the code does not, so it is what the summary, --json, the
// rejects file, the reporters and the stderr line show, and what scripts match on.
// To add a code: add a line here (SCREAMING_SNAKE, `EL_` prefix, one-line meaning) and the same row
// to docs/codes.md; test/ux/codes.test.ts checks that the two agree. An error class takes only a
// code of this table with its own exit code, so a code missing here does not compile.

/** Exit codes, documented in the README and docs/codes.md. */
export const EXIT = {
  ok: 0,
  someRejected: 1,
  config: 2,
  aborted: 3,
  locked: 4,
  internal: 70,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface Entry {
  /** One line: what went wrong, in the user's terms. */
  readonly meaning: string;
  /** Set when the code labels a rejected record (in the summary, --json, the rejects file, reporters). */
  readonly reason?: true;
  /** Set when the code ends a run: the exit code it ends it with. */
  readonly exit?: ExitCode;
}

const reason = (meaning: string) => ({ meaning, reason: true }) as const;
const error = <E extends ExitCode>(exit: E, meaning: string) => ({ meaning, exit }) as const;
/** A reader's failure part way is a reason (the records before it were read); on the first byte it ends the run. */
const readerStopped = (meaning: string) => ({ meaning, reason: true, exit: EXIT.config }) as const;

export const CODES = {
  // ---- Reasons a record is rejected for ----

  // Reading: the record could not be read at all.
  EL_RECORD_TOO_LARGE: reason('the record is larger than --max-record-size'),
  EL_CSV_FIELD_COUNT: reason('a CSV row has more or fewer fields than the header'),
  EL_CSV_UNCLOSED_QUOTE: reason('a CSV quote is never closed; the rest of the file could not be split into records'),
  EL_CSV_RECORD_UNBOUNDED: reason('a CSV record grew past the hard limit; reading the file stopped there'),
  EL_JSON_INVALID: reason('the line or element is not valid JSON'),
  EL_JSON_NOT_OBJECT: reason('the JSON value is not an object (an array, a string, null...)'),
  EL_JSON_TRAILING_CONTENT: reason('there is content after the end of a JSON array'),
  EL_JSON_RECORDS_NOT_FOUND: reason('the JSON file has no array at the member the reader option records names'),
  EL_RECORD_TOO_DEEP: reason("the JSON record is nested deeper than the reader's maxDepth (64 by default)"),
  EL_ENCODING_INVALID_UTF8: reason('the record has bytes that are not valid UTF-8 (pass --encoding for another encoding)'),
  EL_GZIP_CORRUPT: readerStopped('the gzip file is corrupt from here on; what came before it was read'),
  EL_GZIP_TRUNCATED: readerStopped('the gzip file is cut off from here on; what came before it was read'),
  EL_XML_MALFORMED: reason('the file is not well-formed XML from here on (line and column in the message); what came before it was read'),
  EL_XES_LATE_TRACE_ATTRIBUTE: reason('an XES trace attribute comes after more of its trace\'s events than the reader holds (the option holdEvents), which were already read on: it is given to none of them'),
  EL_XES_STRUCTURE: reason('an XES element is where the standard does not allow it (an event outside a trace, a root element other than log)'),
  EL_BPMN_INVALID: reason('a BPMN raw event lacks a documented attribute or has one of the wrong type'),
  EL_OCEL_SYNTAX: reason('the OCEL file is not well-formed JSON or XML from here on (the message gives line and column); the events before it were read'),
  EL_OCEL_INVALID: reason('an OCEL event lacks its id, type or time, or a field of it has the wrong shape'),
  EL_OCEL_UNKNOWN_OBJECT: reason('an OCEL event names an object id that the log never declares'),
  EL_OCEL_VALUE_TYPE: reason('an OCEL attribute value does not fit the type its event or object type declares (integer, float, boolean)'),
  EL_REJECTS_NEEDS_MAPPING: reason('a rejects-file line has the original record but no event: pass --mapping'),
  EL_REJECTS_UNUSABLE: reason('a rejects-file line has neither an "event" nor a "record" to send'),

  // Mapping: the record was read, but a mapped value is missing or cannot be converted.
  EL_FIELD_REQUIRED: reason('a required field is missing, or the column it is mapped from is empty'),
  EL_OBJECTS_EMPTY: reason('every mapped object id is empty in this record; an event needs at least one object'),
  EL_VALUE_NOT_NUMBER: reason('"as": "number" or "integer" on a value that is not a number'),
  EL_VALUE_NOT_INTEGER: reason('"as": "integer" on a number with a fraction'),
  EL_INTEGER_OUT_OF_RANGE: reason('"as": "integer" on a value beyond ±2^53 - 1, which cannot be sent without rounding'),
  EL_VALUE_NOT_BOOLEAN: reason('"as": "boolean" on a value that is not true/false, yes/no, 1/0'),
  EL_VALUE_NOT_LIST: reason('"as": "list" on a value that is not a list ([\'a\', \'b\'], ["a", "b"] or one value)'),
  EL_VALUE_NOT_JSON: reason('"as": "json" on a value that is not valid JSON'),

  // Timestamps (src/events/timestamp.ts).
  EL_TIMESTAMP_MISSING: reason('the timestamp is empty (a historical import never uses "now")'),
  EL_TIMESTAMP_NO_ZONE: reason('the timestamp has no time zone and none is set ("timezone" in the mapping, or --timezone)'),
  EL_TIMESTAMP_INVALID: reason('the timestamp is not a valid ISO 8601 date-time or epoch number'),
  EL_TIMESTAMP_AMBIGUOUS_EPOCH: reason('a number too short to be an epoch time, with "format": "auto"'),
  EL_TIMESTAMP_PATTERN_MISMATCH: reason('the timestamp does not match the mapping\'s "format" pattern'),
  EL_TIMESTAMP_NONEXISTENT: reason('the local time does not exist in that zone (skipped by a daylight-saving change)'),

  // The canonical event (src/events/canonical.ts).
  EL_FIELD_TYPE: reason('a field of the event has the wrong type (text where an object is expected...)'),
  EL_FIELD_LENGTH: reason('a text field of the event is empty or longer than its limit'),
  EL_FIELD_UNKNOWN: reason('the event has a field the canonical format does not know'),
  EL_EVENT_INVALID: reason('the event breaks another rule of the canonical format'),
  EL_NUL_CHARACTER: reason("a text field holds a NUL character, which the targets' stores refuse or cut"),

  // A target's own limits, checked before sending.
  EL_IMMUTABLE_NO_ACTOR: reason('immutable needs an actor: map "actor", or qualify an object as actor, initiator or performer'),
  EL_IMMUTABLE_ACTION_TOO_LONG: reason('immutable takes an action (event name) of at most 255 characters'),
  EL_IMMUTABLE_METADATA_KEYS: reason('immutable metadata (properties) takes at most 50 keys'),
  EL_IMMUTABLE_METADATA_SIZE: reason('immutable metadata (properties) takes at most 64 KB'),
  EL_FLARING_EVENT_TYPE: reason('flaring has no usable event type for this event name'),
  EL_FLARING_FIELD_REQUIRED: reason('a field the flaring event type requires is missing'),
  EL_FLARING_FIELD_TYPE: reason('a property has the wrong type for its flaring field (number or text)'),
  EL_FLARING_FIELD_OPTION: reason('a property is not one of the options of its flaring field'),
  EL_FLARING_FIELD_UNKNOWN: reason('a property is not a field of the flaring event type'),

  // The server's answer.
  EL_SERVER_REJECTED: reason('the server refused the event; its HTTP status is kept beside the code'),

  // What verify found (lines of its rejects-style file, which replay sends again).
  EL_VERIFY_MISSING: reason('delivered according to the journal (or in the input), but not on the server'),
  EL_VERIFY_DIFFERENT: reason('on the server, but with other content than was sent; the fields are named'),

  // ---- Errors that end a run ----

  // Exit 2: the command line, a setting or a file is wrong; nothing was sent.
  EL_USAGE: error(EXIT.config, 'the command line is wrong: an unknown command or option, a missing or invalid value, flags that conflict'),
  EL_CONFIG_FILE: error(EXIT.config, 'the --config file cannot be read, breaks its schema, or names an environment variable that is not set'),
  EL_TARGET_UNKNOWN: error(EXIT.config, 'no target of that name is known'),
  EL_NO_TOKEN: error(EXIT.config, "the target's credential environment variable is not set"),
  EL_BAD_TOKEN: error(EXIT.config, "the target's credential is not of the expected form (white space, wrong prefix or length)"),
  EL_MAPPING_UNREADABLE: error(EXIT.config, 'the mapping file cannot be read (missing, no permission)'),
  EL_MAPPING_NOT_JSON: error(EXIT.config, 'the mapping file is not valid JSON'),
  EL_MAPPING: error(EXIT.config, 'the mapping file breaks its schema (an unknown key, a wrong type, an unknown time zone)'),
  EL_TIMEZONE_UNKNOWN: error(EXIT.config, '--timezone names no IANA time zone (such as Europe/Berlin)'),
  EL_READER_OPTIONS: error(EXIT.config, "the reader's options (--delimiter, the mapping's reader section) are invalid"),
  EL_MISSING_COLUMN: error(EXIT.config, 'the mapping names a column the CSV file does not have'),
  EL_ENCODING_UNKNOWN: error(EXIT.config, 'the --encoding (or the mapping\'s reader.encoding, or the input\'s XML declaration) is not an encoding eventload knows'),
  EL_ENCODING_NOT_UTF8: error(EXIT.config, 'the head of the input is clearly not UTF-8: pass --encoding'),
  EL_REPLAY_OPTION: error(EXIT.config, 'a replay option is invalid (--speed, --from, --until, --loop...)'),
  EL_REPLAY_WINDOW_TOO_LARGE: error(EXIT.config, 'the window replay --loop must hold in memory has too many events'),
  EL_JOURNAL_OPEN: error(EXIT.config, 'the journal (or its folder, or its lock file) cannot be created or opened'),
  EL_JOURNAL_EMPTY: error(EXIT.config, 'status found no journal data at that path: no run has written it yet'),
  EL_JOURNAL_NEWER: error(EXIT.config, 'the journal was written by a newer eventload'),
  EL_JOURNAL_CORRUPT: error(EXIT.config, 'the journal is corrupt: move it away (its events may be sent again) or pass --no-journal'),
  EL_JOURNAL_FOREIGN: error(EXIT.config, 'the journal path holds a file that is not an eventload journal; it is left untouched'),
  EL_OUTPUT_OPEN: error(EXIT.config, 'a file eventload writes (rejects, --out, --report, --junit, a mapping) cannot be created'),
  EL_OUTPUT_EXISTS: error(EXIT.config, 'a file eventload would write exists and is not its own: it is never overwritten'),
  EL_OUTPUT_IS_INPUT: error(EXIT.config, 'a file eventload would write is one it reads (an input, the mapping, the config)'),
  EL_OUTPUT_SAME_FILE: error(EXIT.config, 'two outputs of the run are the same file'),
  EL_INIT_NO_RECORDS: error(EXIT.config, 'init could read no record from the sample to guess a mapping from'),
  EL_INIT_NO_GUESS: error(EXIT.config, 'init found no column to use (no timestamp column, no event name)'),
  EL_REPORT_DATA_INVALID: error(EXIT.config, 'report: the run data stored in the journal is not in a shape this eventload can draw'),
  EL_SHARD_STDIN: error(EXIT.config, '--shard over several inputs cannot include standard input (-): its size is unknown to every worker'),
  EL_SHARD_INDEX_INVALID: error(EXIT.config, 'a batch engine\'s index variable is not a whole number in 0..N-1, or its count disagrees with N'),
  EL_SHARD_NO_INDEX: error(EXIT.config, '--shard auto/N found none of the batch engines\' index variables set'),
  EL_SHARD_INVALID: error(EXIT.config, '--shard is not I/N with whole numbers 0 <= I < N (or auto/N)'),
  EL_REPEAT_WINDOW: error(EXIT.config, '--repeat-window is not a whole number from 1 to 100,000,000'),
  EL_VERIFY_WINDOW: error(EXIT.config, 'verify --since or --until is not an ISO 8601 date-time with a zone (or a date), or --until is not later than --since'),
  EL_VERIFY_NOTHING: error(EXIT.config, 'verify has nothing to compare: the journal holds no delivered event for this target and endpoint, and no input file was given'),
  EL_VERIFY_UNSUPPORTED: error(EXIT.config, 'the target documents no endpoint to read events back (FlowMyna): verify cannot check it'),
  EL_REPORT_DATA_NEWER: error(EXIT.config, 'report: the run data was stored by a newer eventload'),
  EL_REPORT_RUN_UNKNOWN: error(EXIT.config, 'report: the journal holds no report data for that run (no such run, or one from before reports were kept)'),
  EL_REPORT_RUN_INVALID: error(EXIT.config, 'report: RUN is neither a run id (a whole number) nor last'),
  EL_OCEL_SQLITE: error(EXIT.config, 'the SQLite file cannot be opened, or is not an OCEL 2.0 database (it lacks the event, object or event_object table)'),
  EL_JOURNAL_MISSING: error(EXIT.config, 'status: there is no journal at that path'),
  EL_ENDPOINT_INSECURE: error(EXIT.config, '--endpoint is plain http to another machine (the token would travel unencrypted) and --allow-http was not given'),
  EL_ENDPOINT_INVALID: error(EXIT.config, '--endpoint is not an http(s) URL, or carries credentials in it'),
  EL_BATCH_SIZE_TOO_LARGE: error(EXIT.config, '--batch-size is above the target\'s largest batch'),
  EL_BATCH_SIZE_INVALID: error(EXIT.config, '--batch-size is below 1'),
  EL_OUT_WITHOUT_DRY_RUN: error(EXIT.config, '--out writes the request bodies of a --dry-run, and was given without one'),
  EL_REQUEST_TIMEOUT_INVALID: error(EXIT.config, '--request-timeout is below 1 ms'),
  EL_CONCURRENCY_MAX_INVALID: error(EXIT.config, '--concurrency-max is below 1'),
  EL_CONCURRENCY_INVALID: error(EXIT.config, '--concurrency is below 1 (and not auto)'),
  EL_INPUT_MISSING: error(EXIT.config, 'no input files: name them, or "files" in the --config file'),
  EL_TARGET_MISSING: error(EXIT.config, 'no target: pass --target NAME, or "target" in the --config file'),
  EL_INPUT_UNREADABLE: error(EXIT.config, 'an input file cannot be opened or read (missing, no permission)'),
  EL_INPUT_IS_FOLDER: error(EXIT.config, 'an input is a folder, not a file'),
  EL_INPUT_BINARY: error(EXIT.config, 'an input is a binary file eventload does not read (a workbook, an archive, Parquet, PDF, compressed other than .gz): the message says what to export instead'),
  EL_FORMAT_UNDETECTED: error(EXIT.config, 'the format cannot be told from the file name or its content: pass --format'),
  EL_FORMAT_UNKNOWN: error(EXIT.config, '--format (or "format" in a config file) names no known format'),
  EL_MAPPING_REQUIRED: error(EXIT.config, 'the format has no default mapping (CSV) and the mapping given does not map event, timestamp and objects'),
  EL_STDIN_TWICE: error(EXIT.config, 'standard input (-) is named more than once'),
  EL_TARGET_OPTIONS: error(EXIT.config, 'the targets.<name> section of a mapping or config file breaks that target\'s schema'),
  EL_SANDBOX_RATE_LIMIT: error(EXIT.config, 'eventload sandbox --rate-limit is not PER_MINUTE[,BURST]'),
  EL_SANDBOX_PORT_IN_USE: error(EXIT.config, 'eventload sandbox --port N: the port is taken'),
  EL_SANDBOX_OPTIONS: error(EXIT.config, 'bad sandbox options, or a sandbox for a target that is not known'),

  // Exit 3: the run could not go on; what was not delivered is sent by the next run.
  EL_AUTH: error(EXIT.aborted, 'the target refused the credentials'),
  EL_REMOTE_SETUP: error(EXIT.aborted, 'a set-up call to the target (a catalogue, a login) failed'),
  EL_UNCONFIRMED_ANSWER: error(EXIT.aborted, 'the answer does not confirm what happened to the events: they are not counted as delivered'),
  EL_WRONG_ENDPOINT: error(EXIT.aborted, 'the endpoint answers, but not as this target: check --endpoint and --target'),
  EL_SERVER_FAILING: error(EXIT.aborted, 'the server kept failing (5xx) after every retry'),
  EL_NETWORK: error(EXIT.aborted, 'a network error that retrying cannot fix'),
  EL_UNREACHABLE: error(EXIT.aborted, 'the endpoint could not be reached after every retry'),
  EL_REDIRECT: error(EXIT.aborted, 'the endpoint answered with a redirect, which is not followed (it would carry the token)'),
  EL_REQUEST_TIMEOUT: error(EXIT.aborted, 'no complete answer within --request-timeout, after every retry'),
  EL_ANSWER_TOO_LARGE: error(EXIT.aborted, 'the answers were larger than any documented answer, after every retry'),
  EL_JOURNAL_WRITE: error(EXIT.aborted, 'the journal stopped taking writes (full disk, I/O error): sending stopped'),
  EL_OUTPUT_WRITE: error(EXIT.aborted, 'an output file stopped taking writes (full disk, I/O error): the run stopped'),
  EL_VERIFY_READ: error(EXIT.aborted, 'reading back failed: the read endpoint answered with an error, an undocumented shape, or paging that does not advance'),
  EL_CONNECT: error(EXIT.aborted, 'the target\'s set-up failed in a way eventload has no better code for'),

  // Other exits.
  EL_ERROR_RATE_EXCEEDED: error(EXIT.someRejected, 'more than --max-error-rate percent of the records were invalid (after at least 100): the run stopped there'),
  EL_LOCKED: error(EXIT.locked, 'another run holds the journal: wait for it, or give this run another journal'),
  EL_STOPPED: error(EXIT.interrupted, 'the run was stopped (a signal, or another request\'s abort) before a request was sent; the summary tells how the run ended'),
  EL_INTERNAL: error(EXIT.internal, 'a bug in eventload: please report it (EVENTLOAD_DEBUG=1 prints the stack)'),
  EL_PLUGIN_DUPLICATE: error(EXIT.internal, 'a target or format was registered twice under one name (a bug in the code that registers it)'),
} as const satisfies Record<`EL_${string}`, Entry>;

type Codes = typeof CODES;
export type Code = keyof Codes;

/** The codes that label a rejected record. */
export type ReasonCode = { [C in Code]: Codes[C] extends { reason: true } ? C : never }[Code];

/** The codes an error ending a run with exit code `E` may carry. */
export type ErrorCode<E extends ExitCode = ExitCode> = { [C in Code]: Codes[C] extends { exit: E } ? C : never }[Code];

export function isReasonCode(code: string): code is ReasonCode {
  return Object.hasOwn(CODES, code) && (CODES as Record<string, Entry>)[code]!.reason === true;
}

/** The exit code of an error code. */
export function exitCodeOf(code: ErrorCode): ExitCode {
  return CODES[code].exit;
}
