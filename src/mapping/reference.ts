// Value references compiled once into small getter functions, so mapping a row is only lookups.
import type { RawRecord } from '../readers/types.js';
import type { Conversion, Reference } from './schema.js';

/** The value, or `undefined` when absent (an empty CSV cell counts as absent); `error` when a conversion failed. */
export type Resolved = { value: unknown; error?: undefined } | { value?: undefined; error: string };

export interface CompiledReference {
  /** Column names this reference reads (for the up-front header check). */
  columns: string[];
  resolve(record: RawRecord): Resolved;
  /** How to name the source in a message: `column "status"`. */
  describe: string;
}

const ABSENT: Resolved = { value: undefined };

export function compileReference(reference: Reference): CompiledReference {
  if (typeof reference === 'string') return compileColumn(reference, undefined, undefined);
  if ('column' in reference) return compileColumn(reference.column, reference.as, reference.default);
  if ('const' in reference) {
    const value: Resolved = { value: reference.const };
    return { columns: [], resolve: () => value, describe: 'constant' };
  }
  return compileTemplate(reference.template);
}

function compileColumn(column: string, as: Conversion | undefined, fallback: unknown): CompiledReference {
  const get = getter(column);
  const withDefault: Resolved = { value: fallback };
  const describe = `column "${column}"`;
  return {
    columns: [column],
    describe,
    resolve(record) {
      const raw = get(record);
      if (raw === undefined || raw === '') return fallback === undefined ? ABSENT : withDefault;
      if (as === undefined) return { value: raw };
      return convert(raw, as, describe);
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

function convert(raw: unknown, as: Conversion, describe: string): Resolved {
  switch (as) {
    case 'string':
      return { value: typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw) };
    case 'number':
    case 'integer': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : Number.NaN;
      if (!Number.isFinite(number)) return { error: `${describe}: "${clip(raw)}" is not a number` };
      if (as === 'integer' && !Number.isInteger(number)) return { error: `${describe}: "${clip(raw)}" is not an integer` };
      return { value: number };
    }
    case 'boolean':
      return toBoolean(raw, describe);
    case 'json':
      if (typeof raw !== 'string') return { value: raw };
      try {
        return { value: JSON.parse(raw) };
      } catch {
        return { error: `${describe}: not valid JSON` };
      }
  }
}

const TRUE = new Set(['true', 'yes', 'y', '1', 't']);
const FALSE = new Set(['false', 'no', 'n', '0', 'f']);

function toBoolean(raw: unknown, describe: string): Resolved {
  if (typeof raw === 'boolean') return { value: raw };
  const text = String(raw).trim().toLowerCase();
  if (TRUE.has(text)) return { value: true };
  if (FALSE.has(text)) return { value: false };
  return { error: `${describe}: "${clip(raw)}" is not a boolean (true/false, yes/no, 1/0)` };
}

function compileTemplate(template: string): CompiledReference {
  const parts = template.split(/(\{[^{}]+\})/).filter((part) => part !== '');
  const pieces = parts.map((part) => (part.startsWith('{') && part.endsWith('}') ? { column: part.slice(1, -1), get: getter(part.slice(1, -1)) } : part));
  const columns = pieces.flatMap((piece) => (typeof piece === 'string' ? [] : [piece.column]));
  return {
    columns,
    describe: `template "${template}"`,
    resolve(record) {
      let out = '';
      for (const piece of pieces) {
        if (typeof piece === 'string') {
          out += piece;
          continue;
        }
        const value = piece.get(record);
        // A template with an empty part would make a misleading value ("  order"): treat it as absent.
        if (value === undefined || value === null || value === '') return ABSENT;
        out += typeof value === 'object' ? JSON.stringify(value) : String(value);
      }
      return { value: out };
    },
  };
}

function clip(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
