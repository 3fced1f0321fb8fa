// Parsing JSON that comes from users (records, cells read "as json", request bodies in the
// sandbox). Two promises: nesting deeper than a limit is refused before anything recurses over it
// (key derivation, JSON.stringify and the exact parser all recurse), and numbers a double cannot
// hold keep their digits (exact-number.ts). The fast path is JSON.parse itself (iterative in V8);
// only a text holding a long digit run or a three-digit exponent goes through the exact parser.
import { parse as parseExact } from 'lossless-json';
import { numberFromJson } from './exact-number.js';

/** Default nesting limit for a record: far beyond any event's shape, far below any stack's. */
export const DEFAULT_MAX_DEPTH = 64;
/** The most a `maxDepth` option may allow: every recursion downstream stays this shallow. */
export const MAX_DEPTH_CEILING = 1000;

export type JsonParse =
  | { ok: true; value: unknown }
  | { ok: false; code: 'EL_JSON_INVALID' | 'EL_RECORD_TOO_DEEP'; message: string };

export function parseJsonText(text: string, maxDepth = DEFAULT_MAX_DEPTH): JsonParse {
  if (nestedDeeperThan(text, maxDepth)) return { ok: false, code: 'EL_RECORD_TOO_DEEP', message: `nested more than ${maxDepth} levels deep (the limit)` };
  try {
    const value = mayHoldInexactNumber(text) ? parseExact(text, undefined, { parseNumber: numberFromJson, onDuplicateKey: ({ newValue }) => newValue }) : JSON.parse(text);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, code: 'EL_JSON_INVALID', message: (error as Error).message };
  }
}

/** The JSON structure's character codes, shared with the streaming reader (readers/json.ts). */
export const OPEN_BRACE = 0x7b;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACE = 0x7d;
export const CLOSE_BRACKET = 0x5d;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;

/** Deeper than `limit`? Counting brackets first (a native search) settles it for almost every text. */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let brackets = 0;
  for (const opener of ['{', '[']) {
    for (let at = text.indexOf(opener); at !== -1 && brackets <= limit; at = text.indexOf(opener, at + 1)) brackets++;
  }
  return brackets > limit && depthOf(text, limit) > limit;
}

/** The nesting depth of a JSON text, brackets inside strings not counted; stops once past `limit`. */
function depthOf(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > limit) return depth;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return depth;
}

const isNumberChar = (code: number) => (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d;
// What may stand before a number in JSON (`:`, `[`, `,`, white space) and after it (`,`, `]`, `}`, white space).
const isBeforeNumber = (code: number) => code === 0x3a || code === 0x5b || code === 0x2c || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const isAfterNumber = (code: number) => code === 0x2c || code === 0x5d || code === 0x7d || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/**
 * Whether the text may hold a number a double cannot represent: 16 or more digits, or an exponent
 * of three digits. Such a number is at least 5 characters long, so looking at every 4th character
 * finds a piece of each; the run of number characters around it is then judged whole. A run inside
 * a string (an id, a UUID) is told apart by what stands around it. Only lines that say yes pay for
 * the exact parser; a yes that was wrong costs time, never a different value.
 */
export function mayHoldInexactNumber(text: string): boolean {
  const length = text.length;
  for (let index = 0; index < length; index += 4) {
    if (!isNumberChar(text.charCodeAt(index))) continue;
    let start = index;
    while (start > 0 && isNumberChar(text.charCodeAt(start - 1))) start--;
    let end = index + 1;
    while (end < length && isNumberChar(text.charCodeAt(end))) end++;
    if (end - start >= 5 && (start === 0 || isBeforeNumber(text.charCodeAt(start - 1))) && (end === length || isAfterNumber(text.charCodeAt(end))) && isLongNumber(text, start, end)) return true;
    index = end; // the next token starts after this one (the loop adds 4: a token of 5 covers end + 4)
  }
  return false;
}

function isLongNumber(text: string, start: number, end: number): boolean {
  let digits = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x65 || code === 0x45) {
      let exponentDigits = 0;
      for (let at = index + 1; at < end; at++) if (text.charCodeAt(at) >= 0x30 && text.charCodeAt(at) <= 0x39) exponentDigits++;
      return digits >= 16 || exponentDigits >= 3;
    }
    if (code >= 0x30 && code <= 0x39) digits++;
  }
  return digits >= 16;
}
