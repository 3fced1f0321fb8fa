// XES attribute values (IEEE 1849): the element name is the type, `key` and `value` its attributes,
// and any attribute may hold more attributes. Values become JSON: numbers and booleans typed,
// dates kept as written (only time:timestamp is a timestamp, and the mapping normalises that one),
// lists and containers nested. A value its type cannot hold, or a type the standard does not
// define, is kept as the written string, with a note on the event: never dropped, never silent.
import { setMember } from '../../events/members.js';

export const SIMPLE_TYPES = new Set(['string', 'date', 'int', 'float', 'boolean', 'id']);
export const ATTRIBUTE_TYPES = new Set([...SIMPLE_TYPES, 'list', 'container']);

/** Where a value's note goes (a value kept as a string, and why): written to only when there is one. */
export interface Notes {
  push(note: string): void;
}

/** An attribute element being read: its children arrive before it closes. */
export interface AttributeNode {
  type: string;
  key: string;
  value: string | undefined;
  children: Array<[string, unknown]>;
}

/**
 * The attribute's JSON value:
 *   - a simple attribute: its typed value; with nested attributes, {"value": v, "attributes": {...}};
 *   - a list: its children in order, each a one-key object [{"revision": "2.0"}, ...] (a list's
 *     keys may repeat, and its order matters);
 *   - a container: an object of its children (a key that repeats keeps every value, in an array).
 */
export function attributeValue(node: AttributeNode, notes: Notes): unknown {
  if (node.type === 'list') return node.children.map(([key, value]) => ({ [key]: value }));
  if (node.type === 'container') return containerOf(node.children);
  const value = typedValue(node, notes);
  return node.children.length === 0 ? value : { value, attributes: containerOf(node.children) };
}

export function containerOf(children: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of children) addEntry(out, key, value);
  return out;
}

/** Adds one child to a container being built: a key that repeats keeps every value, in an array. */
export function addEntry(out: Record<string, unknown>, key: string, value: unknown): void {
  // A value is never undefined, so an undefined read is a key not yet given (the common case, one
  // load); a defined one may still be inherited (a key named "toString"), hence hasOwn.
  const existing = out[key];
  if (existing === undefined || !Object.hasOwn(out, key)) setMember(out, key, value);
  else if (Array.isArray(existing) && repeated.has(existing)) existing.push(value);
  else {
    const values = [existing, value];
    repeated.add(values);
    out[key] = values;
  }
}
// Arrays made for repeated keys (so a list value is never mistaken for one).
const repeated = new WeakSet<unknown[]>();

function typedValue(node: AttributeNode, notes: Notes): unknown {
  return simpleValue(node.type, node.key, node.value, notes);
}

/** The typed value of an attribute that is neither a list nor a container, read from its own tag. */
export function simpleValue(type: string, key: string, text: string | undefined, notes: Notes): unknown {
  if (text === undefined) {
    notes.push(`attribute "${key}" (${type}) has no value; kept as null`);
    return null;
  }
  switch (type) {
    case 'string':
    case 'id':
    case 'date':
      return text;
    case 'int': {
      const trimmed = text.trim();
      if (!/^[+-]?\d+$/.test(trimmed)) return kept(type, key, text, notes, 'is not an integer');
      const number = Number(trimmed);
      // Digits a double cannot hold exactly are kept as written.
      return Number.isSafeInteger(number) ? number : trimmed;
    }
    case 'float': {
      const number = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(number) ? number : kept(type, key, text, notes, 'is not a finite number');
    }
    case 'boolean': {
      const word = text.trim();
      if (word === 'true' || word === '1') return true;
      if (word === 'false' || word === '0') return false;
      return kept(type, key, text, notes, 'is not a boolean');
    }
    default:
      notes.push(`attribute "${key}" has type "${type}", which XES does not define; kept as the string "${clip(text)}"`);
      return text;
  }
}

function kept(type: string, key: string, text: string, notes: Notes, problem: string): string {
  notes.push(`attribute "${key}" (${type}) value "${clip(text)}" ${problem}; kept as a string`);
  return text;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
