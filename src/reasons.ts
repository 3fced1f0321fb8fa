// Every reason a record can be rejected for, in one table. Messages name the value and say what to
// do; they differ from row to row. The code is what stays the same, so it is what the summary,
// --json, the rejects file and the reporters group by, and what scripts match on.
// To add a reason: add a line here (SCREAMING_SNAKE, `EL_` prefix, one-line description) and the
// same line to docs/reason-codes.md; test/ux/reason-codes.test.ts checks that the two agree.

export const REASONS = {
  // Reading: the record could not be read at all.
  EL_RECORD_TOO_LARGE: 'the record is larger than --max-record-size',
  EL_CSV_FIELD_COUNT: 'a CSV row has more or fewer fields than the header',
  EL_CSV_UNCLOSED_QUOTE: 'a CSV quote is never closed; the rest of the file could not be split into records',
  EL_CSV_RECORD_UNBOUNDED: 'a CSV record grew past the hard limit; reading the file stopped there',
  EL_JSON_INVALID: 'the line or element is not valid JSON',
  EL_JSON_NOT_OBJECT: 'the JSON value is not an object (an array, a string, null...)',
  EL_JSON_TRAILING_CONTENT: 'there is content after the end of a JSON array',
  EL_RECORD_TOO_DEEP: "the JSON record is nested deeper than the reader's maxDepth (64 by default)",
  EL_ENCODING_INVALID_UTF8: 'the record has bytes that are not valid UTF-8 (pass --encoding for another encoding)',
  EL_GZIP_CORRUPT: 'the gzip file is corrupt from here on; what came before it was read',
  EL_GZIP_TRUNCATED: 'the gzip file is cut off from here on; what came before it was read',
  EL_BPMN_INVALID: 'a BPMN raw event lacks a documented attribute or has one of the wrong type',
  EL_REJECTS_NEEDS_MAPPING: 'a rejects-file line has the original record but no event: pass --mapping',
  EL_REJECTS_UNUSABLE: 'a rejects-file line has neither an "event" nor a "record" to send',

  // Mapping: the record was read, but a mapped value is missing or cannot be converted.
  EL_FIELD_REQUIRED: 'a required field is missing, or the column it is mapped from is empty',
  EL_OBJECTS_EMPTY: 'every mapped object id is empty in this record; an event needs at least one object',
  EL_VALUE_NOT_NUMBER: '"as": "number" or "integer" on a value that is not a number',
  EL_VALUE_NOT_INTEGER: '"as": "integer" on a number with a fraction',
  EL_INTEGER_OUT_OF_RANGE: '"as": "integer" on a value beyond ±2^53 - 1, which cannot be sent without rounding',
  EL_VALUE_NOT_BOOLEAN: '"as": "boolean" on a value that is not true/false, yes/no, 1/0',
  EL_VALUE_NOT_JSON: '"as": "json" on a value that is not valid JSON',

  // Timestamps (src/events/timestamp.ts).
  EL_TIMESTAMP_MISSING: 'the timestamp is empty (a historical import never uses "now")',
  EL_TIMESTAMP_NO_ZONE: 'the timestamp has no time zone and none is set ("timezone" in the mapping, or --timezone)',
  EL_TIMESTAMP_INVALID: 'the timestamp is not a valid ISO 8601 date-time or epoch number',
  EL_TIMESTAMP_AMBIGUOUS_EPOCH: 'a number too short to be an epoch time, with "format": "auto"',
  EL_TIMESTAMP_PATTERN_MISMATCH: 'the timestamp does not match the mapping\'s "format" pattern',
  EL_TIMESTAMP_NONEXISTENT: 'the local time does not exist in that zone (skipped by a daylight-saving change)',

  // The canonical event (src/events/canonical.ts).
  EL_FIELD_TYPE: 'a field of the event has the wrong type (text where an object is expected...)',
  EL_FIELD_LENGTH: 'a text field of the event is empty or longer than its limit',
  EL_FIELD_UNKNOWN: 'the event has a field the canonical format does not know',
  EL_EVENT_INVALID: 'the event breaks another rule of the canonical format',
  EL_NUL_CHARACTER: "a text field holds a NUL character, which the targets' stores refuse or cut",

  // A target's own limits, checked before sending.
  EL_IMMUTABLE_NO_ACTOR: 'immutable needs an actor: map "actor", or qualify an object as actor, initiator or performer',
  EL_IMMUTABLE_ACTION_TOO_LONG: 'immutable takes an action (event name) of at most 255 characters',
  EL_IMMUTABLE_METADATA_KEYS: 'immutable metadata (properties) takes at most 50 keys',
  EL_IMMUTABLE_METADATA_SIZE: 'immutable metadata (properties) takes at most 64 KB',
  EL_FLARING_EVENT_TYPE: 'flaring has no usable event type for this event name',
  EL_FLARING_FIELD_REQUIRED: 'a field the flaring event type requires is missing',
  EL_FLARING_FIELD_TYPE: 'a property has the wrong type for its flaring field (number or text)',
  EL_FLARING_FIELD_OPTION: 'a property is not one of the options of its flaring field',
  EL_FLARING_FIELD_UNKNOWN: 'a property is not a field of the flaring event type',

  // The server's answer.
  EL_SERVER_REJECTED: 'the server refused the event; its HTTP status is kept beside the code',
} as const satisfies Record<`EL_${string}`, string>;

export type ReasonCode = keyof typeof REASONS;

export function isReasonCode(code: string): code is ReasonCode {
  return Object.hasOwn(REASONS, code);
}
