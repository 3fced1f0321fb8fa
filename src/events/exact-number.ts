// Numbers a double cannot hold (9007199254740993, 1e400, thirty-digit ids) would be changed
// silently by JavaScript's own number type. Such a number is kept as the digits the source wrote
// and written out verbatim in JSON (JSON allows any number of digits); every other number stays
// an ordinary double, so ordinary inputs give the same events, bodies and keys as ever.

/** A number from the input that no double represents exactly: its JSON text, as written. */
export class ExactNumber {
  constructor(readonly text: string) {}

  /** JSON.stringify cannot emit raw text: this placeholder is swapped for the digits by toJsonText. */
  toJSON(): string {
    return `${PLACEHOLDER}${this.text}`;
  }

  toString(): string {
    return this.text;
  }
}

// A random tag per process: a string in the data cannot be mistaken for a placeholder.
const PLACEHOLDER = `\u0000el-exact-${Math.random().toString(36).slice(2, 12)}:`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER).slice(0, -1); // `"\u0000el-exact-…:`, as it appears in JSON text
const PLACEHOLDERS = new RegExp(`${escapeRegExp(PLACEHOLDER_JSON)}([-+.0-9eE]+)"`, 'g');

/**
 * JSON text of a value, with every ExactNumber written as its digits. As fast as JSON.stringify
 * for values without one (a single substring search over the text).
 */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text !== undefined && text.includes(PLACEHOLDER_JSON) ? text.replace(PLACEHOLDERS, '$1') : text;
}

export function isJsonNumber(value: unknown): value is number | ExactNumber {
  return (typeof value === 'number' && Number.isFinite(value)) || value instanceof ExactNumber;
}

/** A JSON number token (valid JSON grammar) as a double when that is exact, else as an ExactNumber. */
export function numberFromJson(token: string): number | ExactNumber {
  const value = Number(token);
  return roundTrips(token, value) ? value : new ExactNumber(token);
}

const DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal written in a text cell (`1234.5`, `+7`, `.5`, `1e400`) as a number: a double when that
 * is exact, else an ExactNumber holding it in JSON form. Undefined for anything that is not a
 * plain decimal (hex, `Infinity`, words), which callers treat the way they always did.
 */
export function numberFromText(text: string): number | ExactNumber | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const value = Number(text);
  if (roundTrips(text, value)) return value;
  const [, sign, whole, fraction, onlyFraction, exponent] = match;
  const integer = (whole ?? '0').replace(/^0+(?=\d)/, '');
  const decimals = fraction ?? onlyFraction ?? '';
  return new ExactNumber(`${sign === '-' ? '-' : ''}${integer}${decimals === '' ? '' : `.${decimals}`}${exponent === undefined ? '' : `e${exponent}`}`);
}

/** True when `value` (the double nearest to `text`) stands for exactly the decimal `text` wrote. */
function roundTrips(text: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  // Up to 15 digits and no exponent: always exact within a double's 15.95 significant digits.
  if (text.length <= 15 && !/[eE]/.test(text)) return true;
  return decimalValue(text) === decimalValue(String(value));
}

/** A decimal's value in one normal form: sign, significant digits, and where the point goes. */
function decimalValue(text: string): string {
  const match = DECIMAL.exec(text);
  if (!match) return text;
  const [, sign, whole = '', fraction = '', onlyFraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}${onlyFraction}`;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(leading).replace(/0+$/, '');
  if (significant === '') return '0';
  const point = whole.length - leading + Number(exponent);
  return `${sign === '-' ? '-' : ''}${significant}e${point}`;
}

/** Whether an exact number is a whole number (`1e400` is; `1.5` is not). */
export function isWholeNumber(number: ExactNumber): boolean {
  const normal = decimalValue(number.text);
  if (normal === '0') return true;
  const [digits, point] = normal.replace('-', '').split('e') as [string, string];
  return Number(point) >= digits.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
