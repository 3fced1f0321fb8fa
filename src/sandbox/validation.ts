// Validation helpers shared by the emulations: ISO 8601 checks and the two error dialects
// (FastAPI/pydantic `detail[]` for FlowMyna and flaring, "path: message" for Immutable).
import { z } from 'zod';
import type { TargetApi } from './types.js';

/** One item of a FastAPI 422 `detail` array. */
export interface FastApiIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * True for an ISO 8601 date-time such as 2024-03-01T12:00:00Z or 2024-03-01T12:00:00.123+01:00.
 * Date-only strings are refused: a historical import must say when in the day, or the server
 * would silently pick midnight in some zone.
 */
export function isIso8601(value: string): boolean {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second] = match.map((part) => Number(part));
  if (month! < 1 || month! > 12 || hour! > 23 || minute! > 59 || (second ?? 0) > 59) return false;
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return day! >= 1 && day! <= daysInMonth;
}

/** A zod string that must be an ISO 8601 date-time; tagged so FastAPI-style errors name it. */
export const isoDateTime = z
  .string()
  .refine(isIso8601, { message: 'Input should be a valid datetime', params: { type: 'datetime_parsing' } });

/** A JSON object (pydantic `dict`): not null, not an array. */
export const jsonObject = z.record(z.string(), z.unknown());

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns zod issues into FastAPI's `detail` items, with `loc` starting at `prefix`. */
export function toFastApiDetail(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix: (string | number)[] = ['body'],
): FastApiIssue[] {
  return issues.map((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    const { msg, type } = describeIssue(issue, valueAt(input, path));
    return { loc: [...prefix, ...path], msg, type };
  });
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): { msg: string; type: string } {
  if (issue.code === 'invalid_type') {
    if (value === undefined) return { msg: 'Field required', type: 'missing' };
    return typeMismatch(issue.expected);
  }
  if (issue.code === 'too_small' && issue.origin === 'string') {
    return { msg: `String should have at least ${issue.minimum} character${plural(issue.minimum)}`, type: 'string_too_short' };
  }
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return { msg: `String should have at most ${issue.maximum} character${plural(issue.maximum)}`, type: 'string_too_long' };
  }
  if (issue.code === 'too_small' && issue.origin === 'array') {
    const length = Array.isArray(value) ? value.length : 0;
    return { msg: `List should have at least ${issue.minimum} item${plural(issue.minimum)} after validation, not ${length}`, type: 'too_short' };
  }
  if (issue.code === 'too_big' && issue.origin === 'array') {
    const length = Array.isArray(value) ? value.length : 0;
    return { msg: `List should have at most ${issue.maximum} item${plural(issue.maximum)} after validation, not ${length}`, type: 'too_long' };
  }
  if (issue.code === 'custom' && typeof issue.params?.['type'] === 'string') {
    return { msg: issue.message, type: issue.params['type'] };
  }
  return { msg: issue.message, type: 'value_error' };
}

function typeMismatch(expected: string): { msg: string; type: string } {
  switch (expected) {
    case 'string':
      return { msg: 'Input should be a valid string', type: 'string_type' };
    case 'array':
      return { msg: 'Input should be a valid list', type: 'list_type' };
    case 'record':
    case 'object':
      return { msg: 'Input should be a valid dictionary', type: 'dict_type' };
    case 'int':
      return { msg: 'Input should be a valid integer', type: 'int_type' };
    case 'number':
      return { msg: 'Input should be a valid number', type: 'float_type' };
    case 'boolean':
      return { msg: 'Input should be a valid boolean', type: 'bool_type' };
    default:
      return { msg: `Input should be a valid ${expected}`, type: `${expected}_type` };
  }
}

/** Immutable-style message: every issue as "dot.path: message" ("body" for the root), joined. */
export function toPathMessages(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`)
    .join('; ');
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let current = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function plural(count: unknown): string {
  return Number(count) === 1 ? '' : 's';
}

/** The error answers of a FastAPI service (FlowMyna; flaring shares them, with its own 401 and 429). */
export const fastApiErrors = {
  unauthorized: { status: 401, body: { detail: 'Invalid API key' } },
  not_found: { status: 404, body: { detail: 'Not Found' } },
  method_not_allowed: { status: 405, body: { detail: 'Method Not Allowed' } },
  too_large: { status: 413, body: { detail: 'Request Entity Too Large' } },
  invalid_json: {
    status: 422,
    body: { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] },
  },
  rate_limited: { status: 429, body: { detail: 'Rate limit exceeded' } },
  internal: { status: 500, body: { detail: 'Internal Server Error' } },
  unavailable: { status: 503, body: { detail: 'Service Unavailable' } },
} satisfies TargetApi['errors'];
