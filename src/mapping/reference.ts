// Value references compiled once into small getter functions, so mapping a row is only lookups.
import type { RawRecord } from '../readers/types.js';
import type { ReasonCode } from '../reasons.js';
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
  if ('column' in reference) return compileColumn(reference.column, reference.as, reference.default);
  if ('const' in reference) {
    const value = reference.const;
    return { columns: [], get: () => value, describe: 'constant' };
  }
  return compileTemplate(reference.template);
}

function compileColumn(column: string, as: Conversion | undefined, fallback: unknown): CompiledReference {
  const read = getter(column);
  const describe = `column "${column}"`;
  return {
    columns: [column],
    describe,
    get(record) {
      const raw = read(record);
      if (raw === undefined || raw === '') return fallback;
      return as === undefined ? raw : convert(raw, as, describe);
    },
  };
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
      return typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    case 'number':
    case 'integer': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : Number.NaN;
      if (!Number.isFinite(number)) return new Unconvertible(`${describe}: "${clip(raw)}" is not a number`, 'EL_VALUE_NOT_NUMBER');
      if (as === 'integer' && !Number.isInteger(number)) return new Unconvertible(`${describe}: "${clip(raw)}" is not an integer`, 'EL_VALUE_NOT_INTEGER');
      return number;
    }
    case 'boolean':
      return toBoolean(raw, describe);
    case 'json':
      if (typeof raw !== 'string') return raw;
      try {
        return JSON.parse(raw);
      } catch {
        return new Unconvertible(`${describe}: not valid JSON`, 'EL_VALUE_NOT_JSON');
      }
  }
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
        out += typeof value === 'object' ? JSON.stringify(value) : String(value);
      }
      return out;
    },
  };
}

function clip(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
