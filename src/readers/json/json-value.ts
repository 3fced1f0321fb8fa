// One JSON record's text to one reader item, shared by every JSON-based reader (NDJSON, JSON,
// BPMN, rejects files): the same nesting limit, exact numbers and reason codes wherever a record
// comes from. The parsing itself is events/json-text.ts.
import type { Issue, Position } from '../../errors.js';
import { ExactNumber } from '../../events/exact-number.js';
import { parseJsonText, type JsonParse } from '../../events/json-text.js';
import type { RawRecord, ReaderItem } from '../types.js';

/** A record's text as a record, or as an invalid item naming why (invalid JSON, too deep, not an object). */
export function parseRecordText(text: string, position: Position, maxDepth: number): ReaderItem {
  const parsed = parseJsonText(text, maxDepth);
  return parsed.ok ? toRecord(parsed.value, position, text) : { kind: 'invalid', position, raw: text, issue: parseIssue(parsed) };
}

export function parseIssue(failed: Extract<JsonParse, { ok: false }>): Issue {
  if (failed.code === 'EL_RECORD_TOO_DEEP') return { path: 'record', message: failed.message, code: failed.code };
  return { path: 'json', message: `invalid JSON: ${failed.message}`, code: failed.code };
}

export function toRecord(value: unknown, position: Position, raw: string): ReaderItem {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof ExactNumber) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : value instanceof ExactNumber ? 'number' : typeof value;
    return { kind: 'invalid', position, raw, issue: { path: 'record', message: `must be a JSON object, got ${got}`, code: 'EL_JSON_NOT_OBJECT' } };
  }
  return { kind: 'record', position, record: value as RawRecord };
}
