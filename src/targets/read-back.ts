// What the targets' read-back (`eventload verify`) shares: comparing a body as sent with a record
// as the server returns it. A server may reorder keys, write 12.50 as 12.5, or give an instant in
// another offset; none of that is a different event, so values are compared as JSON data, and
// timestamps as instants.
import { toJsonText } from '../events/exact-number.js';
import { instantOf } from '../events/timestamp.js';

/** JSON text with object keys sorted at every level and numbers as JavaScript reads them: equal data, equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sorted(JSON.parse(toJsonText(value ?? null))));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, sorted(object[key])]));
}

/**
 * The top-level fields of `sent` that `record` holds with another value. An absent field and null
 * are the same (APIs echo optional fields as null); `instants` are compared as points in time.
 */
export function changedFields(sent: Record<string, unknown>, record: Record<string, unknown>, instants: readonly string[] = []): string[] {
  const changed: string[] = [];
  for (const [field, value] of Object.entries(sent)) {
    const stored = record[field];
    if ((value === undefined || value === null) && (stored === undefined || stored === null)) continue;
    if (instants.includes(field) && typeof value === 'string' && typeof stored === 'string') {
      if (instantOf(value) !== instantOf(stored)) changed.push(field);
      continue;
    }
    if (stableJson(value) !== stableJson(stored)) changed.push(field);
  }
  return changed;
}

/** The instant of a record's timestamp field, NaN when it has none that reads as one. */
export function recordInstant(record: Record<string, unknown>, field: string): number {
  const value = record[field];
  return typeof value === 'string' ? instantOf(value) : Number.NaN;
}

/** A query string of the defined parameters, in the order given. */
export function query(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) search.set(name, String(value));
  return search.toString();
}
