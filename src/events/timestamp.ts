// THE timestamp module, the entry point of src/events/timestamp/: the one ISO 8601 grammar and
// everything eventload does with a timestamp (read one into what is sent, shift one, read an
// instant from the command line, select a window). Readers, the mapping, replay, BPMN and init
// all import from here, so a timestamp is read the same way everywhere.
export { isValidTimeZone, normalizeTimestamp, type TimestampFormat, type TimestampResult } from './timestamp/normalize.js';
export { endsWithZone, isDateOnly, isEpochText, isoParts, isStrictOffsetDateTime, startsWithIsoDate, type IsoParts } from './timestamp/grammar.js';
export { instantOf, shiftTimestamp } from './timestamp/shift.js';
export { inWindow, parseInstant, type InstantResult, type TimeWindow } from './timestamp/window.js';
