// An OCEL attribute value as the type its event or object type declares (string, integer, float,
// boolean, time): XML and SQLite write every value as text, JSON may write numbers, so typing by
// the declaration is what makes the same log give the same values in every format.
export type Typed = { value: unknown; note?: string } | { error: string };

const INTEGER = /^[+-]?\d+$/;

/**
 * `declared` undefined: the attribute is not declared (OCEL 1.0 has no declarations), so the value
 * is kept as the file gives it. A type the standard does not name is kept as a string, with a note.
 */
export function typedValue(value: unknown, declared: string | undefined): Typed {
  if (declared === undefined) return { value };
  if (value === null || value === undefined) return { value: null };
  switch (declared.toLowerCase()) {
    case 'string':
      return { value: typeof value === 'string' ? value : textOf(value) };
    case 'time':
    case 'date':
    case 'datetime':
      return { value: textOf(value) };
    case 'integer':
    case 'int':
      return integer(value);
    case 'float':
    case 'double':
    case 'number':
      return float(value);
    case 'boolean':
      return boolean(value);
    default:
      return { value: textOf(value), note: `type "${declared}" is not an OCEL type; kept as a string` };
  }
}

/** What plainValue gives when the value needs typedValue (a conversion, a note or an error). */
export const NOT_PLAIN: unique symbol = Symbol('not plain');

/**
 * The value as typedValue would type it, for the common case where it is already of its declared
 * type (a string declared string, a whole number declared integer, …), without typedValue's
 * wrapper object: events of millions of attributes pay no allocation for them. NOT_PLAIN otherwise.
 */
export function plainValue(value: unknown, declared: string | undefined): unknown {
  if (declared === undefined) return value;
  switch (declared) {
    case 'string':
      return typeof value === 'string' ? value : NOT_PLAIN;
    case 'integer':
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? value : NOT_PLAIN;
    case 'float':
    case 'double':
    case 'number':
      return typeof value === 'number' ? value : NOT_PLAIN;
    case 'boolean':
      return typeof value === 'boolean' ? value : NOT_PLAIN;
    default:
      return NOT_PLAIN;
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function integer(value: unknown): Typed {
  if (typeof value === 'number' && Number.isInteger(value)) return { value };
  const text = textOf(value).trim();
  if (text === '') return { value: null };
  // pandas writes integer columns with missing values as floats: 3.0 is the integer 3.
  const number = Number(text);
  if (!INTEGER.test(text) && !(Number.isInteger(number) && /^[+-]?\d+\.0*$/.test(text))) return { error: `"${clip(text)}" is not an integer` };
  if (!Number.isSafeInteger(number)) return { value: text };
  return { value: number };
}

function float(value: unknown): Typed {
  if (typeof value === 'number') return { value };
  const text = textOf(value).trim();
  if (text === '') return { value: null };
  const number = Number(text);
  if (!Number.isFinite(number)) return { error: `"${clip(text)}" is not a number` };
  return { value: number };
}

function boolean(value: unknown): Typed {
  if (typeof value === 'boolean') return { value };
  const word = textOf(value).trim().toLowerCase();
  if (word === 'true' || word === '1') return { value: true };
  if (word === 'false' || word === '0') return { value: false };
  if (word === '') return { value: null };
  return { error: `"${clip(word)}" is not a boolean` };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
