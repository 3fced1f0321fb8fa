// Value references compiled once into small getter functions, so mapping a row is only lookups.
import { ExactNumber, isWholeNumber, numberFromText, toJsonText } from '../events/exact-number.js';
import { parseJsonText } from '../events/json-text.js';
import type { RawRecord } from './types.js';
import type { ReasonCode } from '../codes.js';
import type { Conversion, Reference } from './schema.js';

/** What a reference gives for a value it could not convert; `error` names the column and the value. */
export class Unconvertible {
  constructor(
    readonly error: string,
    readonly code: ReasonCode,
  ) {}
}

export interface CompiledReference {
  /** Column names this reference reads (for the up-front header check). */
  columns: string[];
  /**
   * The value, `undefined` when absent (an empty CSV cell counts as absent), or an Unconvertible.
   * A bare value, not a wrapper object: this runs for every field of every row.
   */
  get(record: RawRecord): unknown;
  /** How to name the source in a message: `column "status"`. */
  describe: string;
}

export function compileReference(reference: Reference): CompiledReference {
  if (typeof reference === 'string') return compileColumn(reference, undefined, undefined);
  if ('column' in reference) return compileColumn(reference.column, reference.as, reference.default, reference.decimal === ',');
  if ('const' in reference) {
    const value = reference.const;
    return { columns: [], get: () => value, describe: 'constant' };
  }
  return compileTemplate(reference.template);
}

function compileColumn(column: string, as: Conversion | undefined, fallback: unknown, decimalComma = false): CompiledReference {
  const read = getter(column);
  const describe = `column "${column}"`;
  return {
    columns: [column],
    describe,
    get(record) {
      const raw = read(record);
      if (raw === undefined || raw === '') return fallback;
      if (decimalComma && typeof raw === 'string') {
        const text = commaDecimalText(raw);
        if (text === undefined) return new Unconvertible(`${describe}: "${clip(raw)}" is not a number written with a decimal comma (such as 1.234,56 or -0,5)`, as === 'integer' ? 'EL_VALUE_NOT_INTEGER' : 'EL_VALUE_NOT_NUMBER');
        return convert(text, as!, describe);
      }
      return as === undefined ? raw : convert(raw, as, describe);
    },
  };
}

// A number written with a decimal comma: digits grouped by threes with one separator (a dot, a
// space, a no-break space or an apostrophe), or not grouped, then an optional comma and decimals.
const COMMA_DECIMAL = /^([+-]?)(\d{1,3}(?:([. \u00a0\u202f'])\d{3})?(?:\3\d{3})*|\d+)(?:,(\d+))?$/;

/**
 * A number written with a decimal comma (1.234,56; 1 234,5; -0,25) as the same number written
 * with a point (1234.56), or undefined when it is not one. What `"decimal": ","` converts with,
 * and what init looks for in a column's values.
 */
export function commaDecimalText(raw: string): string | undefined {
  const match = COMMA_DECIMAL.exec(raw.trim());
  if (!match) return undefined;
  const [, sign, whole, separator, decimals] = match;
  const digits = separator === undefined ? whole! : whole!.split(separator).join('');
  return `${sign === '+' ? '' : sign}${digits}${decimals === undefined ? '' : `.${decimals}`}`;
}

/** Exact key first (CSV headers and JSON keys may contain dots), then a path into nested objects. */
export function getter(path: string): (record: RawRecord) => unknown {
  // Own keys only: a column named `constructor` must not find Object.prototype.constructor.
  if (!path.includes('.')) return (record) => (Object.hasOwn(record, path) ? record[path] : undefined);
  const segments = path.split('.');
  return (record) => (Object.hasOwn(record, path) ? record[path] : walk(record, segments, 0));
}

// At each level the longest run of segments that is a key wins: IBM BPMN events nest objects
// whose own keys contain dots (`source` → `bpm.name`).
function walk(value: unknown, segments: string[], from: number): unknown {
  if (from === segments.length) return value;
  if (value === null || typeof value !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  for (let end = segments.length; end > from; end--) {
    const key = end - from === 1 ? segments[from]! : segments.slice(from, end).join('.');
    if (Object.hasOwn(object, key)) {
      const found = walk(object[key], segments, end);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function convert(raw: unknown, as: Conversion, describe: string): unknown {
  switch (as) {
    case 'string':
      return asText(raw);
    case 'number':
      return toNumber(raw, describe);
    case 'integer':
      return toInteger(raw, describe);
    case 'boolean':
      return toBoolean(raw, describe);
    case 'list':
      return toList(raw, describe);
    case 'json': {
      if (typeof raw !== 'string') return raw;
      const parsed = parseJsonText(raw);
      if (parsed.ok) return parsed.value;
      return parsed.code === 'EL_RECORD_TOO_DEEP' ? new Unconvertible(`${describe}: JSON ${parsed.message}`, parsed.code) : new Unconvertible(`${describe}: not valid JSON`, 'EL_VALUE_NOT_JSON');
    }
  }
}

/**
 * A list cell as flattened OCEL exports write them: a Python list literal (pm4py: `['i4', 'i1']`),
 * a JSON array, or one bare value (a list of one). Elements are strings; `[]` is an empty list.
 */
function toList(raw: unknown, describe: string): string[] | Unconvertible {
  if (Array.isArray(raw)) return raw.map(asText);
  const text = asText(raw).trim();
  if (text === '') return [];
  if (!text.startsWith('[')) return [text];
  const items = listItems(text);
  return items ?? new Unconvertible(`${describe}: "${clip(raw)}" is not a list such as ['a', 'b']`, 'EL_VALUE_NOT_LIST');
}

/** The elements of `[...]`: quoted ('…' or "…", backslash escapes) or bare, comma-separated; undefined when malformed. */
function listItems(text: string): string[] | undefined {
  const items: string[] = [];
  let at = 1;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  skipSpace();
  if (text[at] === ']') return at === text.length - 1 ? items : undefined;
  for (;;) {
    skipSpace();
    const quote = text[at];
    let item = '';
    if (quote === "'" || quote === '"') {
      at++;
      while (at < text.length && text[at] !== quote) {
        if (text[at] === '\\' && at + 1 < text.length) at++;
        item += text[at++];
      }
      if (at >= text.length) return undefined;
      at++;
    } else {
      while (at < text.length && text[at] !== ',' && text[at] !== ']') item += text[at++];
      item = item.trim();
      if (item === '') return undefined;
    }
    items.push(item);
    skipSpace();
    if (text[at] === ',') {
      at++;
      continue;
    }
    return text[at] === ']' && at === text.length - 1 ? items : undefined;
  }
}

/** A value as text: an exact number as its digits, an object or array as its JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null && !(value instanceof ExactNumber) ? toJsonText(value) : String(value);
}

/**
 * A number, exact: a decimal a double cannot hold (9007199254740993, 1e400, thirty digits) stays
 * the digits written (sent verbatim), never a rounded double or null.
 */
function toNumber(raw: unknown, describe: string): number | ExactNumber | Unconvertible {
  if (typeof raw === 'number' || raw instanceof ExactNumber) return raw;
  const text = typeof raw === 'string' ? raw.trim() : '';
  const number = text === '' ? Number.NaN : Number(text);
  // Up to 15 characters without an exponent: at most 15 digits, which a double always holds.
  if (Number.isFinite(number) && text.length <= 15 && text.indexOf('e') === -1 && text.indexOf('E') === -1) return number;
  const exact = text === '' ? undefined : numberFromText(text);
  if (exact !== undefined) return exact;
  // Other forms Number() reads (0x1F) as they always were; Infinity, NaN and words are no number.
  if (Number.isFinite(number)) return number;
  return new Unconvertible(`${describe}: "${clip(raw)}" is not a number`, 'EL_VALUE_NOT_NUMBER');
}

/** An integer a double holds exactly (|n| < 2^53): a larger one is rejected, never rounded. */
function toInteger(raw: unknown, describe: string): number | Unconvertible {
  const number = toNumber(raw, describe);
  if (number instanceof Unconvertible) return number;
  const whole = number instanceof ExactNumber ? isWholeNumber(number) : Number.isInteger(number);
  if (!whole) return new Unconvertible(`${describe}: "${clip(raw)}" is not an integer`, 'EL_VALUE_NOT_INTEGER');
  if (number instanceof ExactNumber || !Number.isSafeInteger(number)) {
    return new Unconvertible(`${describe}: "${clip(raw)}" is beyond the integers a JSON number holds exactly (±9007199254740991); map it "as": "number" to send its digits as written, or "as": "string"`, 'EL_INTEGER_OUT_OF_RANGE');
  }
  return number;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 't']);
const FALSE = new Set(['false', 'no', 'n', '0', 'f']);

function toBoolean(raw: unknown, describe: string): unknown {
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return new Unconvertible(`${describe}: "${clip(raw)}" is not a boolean (true/false, yes/no, 1/0)`, 'EL_VALUE_NOT_BOOLEAN');
}

function compileTemplate(template: string): CompiledReference {
  const parts = template.split(/(\{[^{}]+\})/).filter((part) => part !== '');
  const pieces = parts.map((part) => (part.startsWith('{') && part.endsWith('}') ? { column: part.slice(1, -1), get: getter(part.slice(1, -1)) } : part));
  const columns = pieces.flatMap((piece) => (typeof piece === 'string' ? [] : [piece.column]));
  return {
    columns,
    describe: `template "${template}"`,
    get(record) {
      let out = '';
      for (const piece of pieces) {
        if (typeof piece === 'string') {
          out += piece;
          continue;
        }
        const value = piece.get(record);
        // A template with an empty part would make a misleading value ("  order"): treat it as absent.
        if (value === undefined || value === null || value === '') return undefined;
        out += asText(value);
      }
      return out;
    },
  };
}

function clip(raw: unknown): string {
  const text = asText(raw);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
