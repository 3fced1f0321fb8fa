// Column profiles for `eventload init`: what each column's sampled values look like and what its
// name suggests (XES/pm4py conventions, ids, users, times, activities). Pure: no I/O.
import { ExactNumber, isJsonNumber, toJsonText } from '../events/exact-number.js';
import { commaDecimalText, getter } from '../mapping/reference.js';
import type { RawRecord } from '../readers/types.js';

/** What every sampled value of a column is; `text` when they disagree. */
export type ValueKind = 'empty' | 'number' | 'boolean' | 'text' | 'structured';

export interface ColumnProfile {
  /** The column name (CSV header) or dot path (JSON). */
  name: string;
  /** Its name split into lower-case words: `Case ID` → case, id; `createdAt` → created, at. */
  words: string[];
  /** Each sampled record's value (undefined where absent), in record order. */
  cells: unknown[];
  /** The non-empty sampled values, in record order. */
  values: unknown[];
  /** How many records were sampled, and in how many this column has a value. */
  total: number;
  filled: number;
  distinct: number;
  kind: ValueKind;
  /** Every value is already a JSON number or boolean: no `as` conversion is needed. */
  native: boolean;
  /** Numbers written with a decimal comma (12,50; 1.234,5): kind `number`, converted with `"decimal": ","`. */
  decimalComma: boolean;
}

// No leading zeros: `007` or `0123` is a code, and converting it would lose the zeros.
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

/** Columns as listed (CSV header) or, for JSON, top-level keys and one level of nesting as dot paths. */
export function columnNames(records: readonly RawRecord[], header: readonly string[] | undefined): string[] {
  if (header) return [...header];
  const names = new Set<string>();
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (isPlainObject(value) && Object.keys(value).length > 0) for (const inner of Object.keys(value)) names.add(`${key}.${inner}`);
      else names.add(key);
    }
  }
  return [...names];
}

export function profileColumn(name: string, records: readonly RawRecord[]): ColumnProfile {
  const get = getter(name);
  const cells = records.map((record) => {
    const value = get(record);
    return value === null || value === '' ? undefined : value;
  });
  const values = cells.filter((value) => value !== undefined);
  const kinds = new Set(values.map(kindOf));
  const decimalComma = writtenWithDecimalComma(values);
  const kind: ValueKind = decimalComma ? 'number' : kinds.size === 0 ? 'empty' : kinds.size === 1 ? [...kinds][0]! : 'text';
  const native = values.length > 0 && values.every((value) => isJsonNumber(value) || typeof value === 'boolean');
  const distinct = new Set(values.map((value) => (typeof value === 'object' && !(value instanceof ExactNumber) ? toJsonText(value) : String(value)))).size;
  return { name, words: nameWords(name), cells, values, total: records.length, filled: values.length, distinct, kind, native, decimalComma };
}

/**
 * Every value a number with a decimal comma or none, and one at least with a comma that cannot be
 * a thousands separator (not followed by exactly three digits: 12,50 but not 1,234).
 */
function writtenWithDecimalComma(values: readonly unknown[]): boolean {
  if (values.length === 0 || !values.every((value) => typeof value === 'string' && commaDecimalText(value) !== undefined)) return false;
  return values.some((value) => /,(\d{1,2}|\d{4,})$/.test((value as string).trim()));
}

function kindOf(value: unknown): ValueKind {
  if (isJsonNumber(value)) return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object') return 'structured';
  const text = String(value).trim();
  if (NUMBER.test(text)) return 'number';
  if (BOOLEAN.test(text)) return 'boolean';
  return 'text';
}

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** pm4py/XES column names (as `pm4py.write` and XES-to-CSV exports write them). */
export const XES = { case: 'case:concept:name', activity: 'concept:name', timestamp: 'time:timestamp', resource: 'org:resource' } as const;

/** `case:channel`, `case:deadline`: attributes of the case, not of the event. */
export function isCaseAttribute(name: string): boolean {
  return name.startsWith('case:') && name !== XES.case;
}

/** The empty header cell pandas writes for its index, named `column_N` by the CSV reader. */
export function isIndexColumn(profile: ColumnProfile): boolean {
  return /^column_\d+$/.test(profile.name) && profile.kind === 'number';
}

const ID_WORDS = new Set(['id', 'uuid', 'guid']);
// A column named exactly this identifies one of these things (bupaR's `patient`, a plain `case`).
const ENTITY_NAMES = new Set([
  'case', 'patient', 'customer', 'client', 'order', 'invoice', 'ticket', 'incident', 'claim', 'application',
  'account', 'product', 'item', 'document', 'shipment', 'supplier', 'vendor', 'contract', 'loan', 'trace',
]);
const USER_WORDS = new Set(['resource', 'user', 'username', 'employee', 'performer', 'actor', 'agent', 'operator', 'assignee', 'owner', 'staff', 'worker', 'rep']);
// Numbers that are codes, not quantities: converting them would be wrong.
const CODE_WORDS = new Set(['code', 'zip', 'postcode', 'postal', 'phone', 'iban', 'ean', 'sku', 'version']);

/** `org:resource`, `user`, `user_id`, `created_by`, `employee`: who did it. */
export function isUserName(profile: ColumnProfile): boolean {
  if (profile.name === XES.resource) return true;
  const words = profile.words;
  if (words[0] === 'org') return false; // org:group, org:role: groups, not people
  return words.some((word) => USER_WORDS.has(word)) || words.at(-1) === 'by';
}

/** `*_id`, `*ID`, `id`, `Case ID`, `case`, `patient`, `case:concept:name`. */
export function isIdName(profile: ColumnProfile): boolean {
  if (profile.name === XES.case) return true;
  const words = profile.words;
  if (words.length === 0) return false;
  if (ID_WORDS.has(words.at(-1)!)) return true;
  return words.length === 1 && ENTITY_NAMES.has(words[0]!);
}

export function isCodeName(profile: ColumnProfile): boolean {
  return profile.words.some((word) => CODE_WORDS.has(word));
}

/** `Case ID` → Case, `handling_id` → Handling, `purchase_order_id` → PurchaseOrder, `user` → User. */
export function typeFromName(profile: ColumnProfile): string {
  if (profile.name === XES.case) return 'Case';
  if (isUserName(profile)) return 'User';
  const words = profile.words.filter((word, index) => !(ID_WORDS.has(word) && index === profile.words.length - 1));
  const type = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return type === '' ? 'Record' : type;
}

// Event-name columns, best first: `Activity` beats `status` when both are there.
const EVENT_WORDS = ['activity', 'event', 'action', 'task', 'step', 'operation', 'status', 'state'];

/** Lower is better; undefined when the name does not suggest an event name. */
export function eventNameRank(profile: ColumnProfile): number | undefined {
  if (profile.name === XES.activity) return 0;
  if (profile.words.some((word) => ID_WORDS.has(word) || TIME_WORDS.has(word))) return undefined;
  const index = EVENT_WORDS.findIndex((word) => profile.words.includes(word));
  return index < 0 ? undefined : index + 1;
}

// XES lifecycle transitions (and their usual spellings): such a column says start/complete, not what happened.
const LIFECYCLE = new Set(['start', 'complete', 'completed', 'schedule', 'scheduled', 'assign', 'reassign', 'suspend', 'resume', 'withdraw', 'ate_abort', 'pi_abort', 'autoskip', 'manualskip', 'end', 'begin']);

export function isLifecycle(profile: ColumnProfile): boolean {
  return profile.filled > 0 && profile.values.every((value) => typeof value === 'string' && LIFECYCLE.has(value.trim().toLowerCase()));
}

const TIME_WORDS = new Set(['timestamp', 'time', 'date', 'datetime', 'ts', 'at', 'when', 'created', 'updated', 'occurred', 'modified']);
// Times that are not when the event happened: a case's deadline, a planned end, an activity's start.
const SECONDARY_TIME_WORDS = new Set(['start', 'begin', 'deadline', 'due', 'planned', 'expected', 'birth', 'enddate', 'startdate']);

/** Lower is better; undefined when the name does not suggest the event's time. */
export function timestampNameRank(profile: ColumnProfile): number | undefined {
  if (profile.name === XES.timestamp) return 0;
  const words = profile.words;
  if (!words.some((word) => TIME_WORDS.has(word))) return undefined;
  if (isCaseAttribute(profile.name) || words.some((word) => SECONDARY_TIME_WORDS.has(word))) return 2;
  return 1;
}

/**
 * The member of a lone JSON record, at its top level or one below (as columnNames looks), that holds
 * an array of objects (`{"total": 2, "data": [{...}, {...}]}`): the records, wrapped, as APIs
 * export them.
 */
export function recordsMember(record: RawRecord): { path: string; count: number } | undefined {
  const isRecords = (value: unknown): value is unknown[] => Array.isArray(value) && value.length > 0 && value.every(isPlainObject);
  for (const [key, value] of Object.entries(record)) {
    if (isRecords(value)) return { path: key, count: value.length };
    if (!isPlainObject(value)) continue;
    for (const [inner, nested] of Object.entries(value)) if (isRecords(nested)) return { path: `${key}.${inner}`, count: nested.length };
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
