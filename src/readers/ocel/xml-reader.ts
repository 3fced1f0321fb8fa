// OCEL XML, 2.0 (`<log>` with object-types, event-types, objects, events) and 1.0 (typed value
// elements: `<event><string key="id" …/><list key="omap">…`), streamed on the shared XML layer
// (readers/xml/stream.ts, saxes). One `<event>` or `<object>` at a time is built into a small
// tree and converted; memory is the object index. As with JSON, when events come before the
// objects and declarations they need, a second pass over the same content converts them.
import type { Readable } from 'node:stream';
import type { ReaderInput, ReaderItem } from '../types.js';
import { xmlEvents, XmlMalformedError } from '../xml/stream.js';
import { convertEvent, OcelLogState, type OcelAttributeValue, type OcelEvent, type OcelObject, type OcelRelationship } from './model.js';
import type { OcelOptions } from './options.js';
import { withRewindable } from './source.js';

/** One element with what it holds: small, since only one event or object is built at a time. */
interface Node {
  name: string;
  attributes: Record<string, string>;
  children: Node[];
  text: string;
  line: number;
}

/** The elements (by their parent's name) that are read whole: declarations, objects, events. */
const RECORDS: Record<string, string> = { 'object-types': 'object-type', 'event-types': 'event-type', objects: 'object', events: 'event' };
/** The sections an event needs ended before it can be converted (2.0: objects and both declarations; 1.0: objects). */
const NEEDS_20 = ['objects', 'object-types', 'event-types'];
const NEEDS_10 = ['objects'];

export async function* readOcelXml(input: ReaderInput, options: OcelOptions): AsyncGenerator<ReaderItem[]> {
  yield* withRewindable(input, async function* (file) {
    const state = new OcelLogState(options.logId);
    await (yield* pass(file.open(), input.name, state, false));
    if (state.deferred) yield* pass(file.open(), input.name, state, true);
  });
}

async function* pass(stream: Readable, name: string, state: OcelLogState, eventsOnly: boolean): AsyncGenerator<ReaderItem[], void> {
  const path: string[] = [];
  let building: Node[] = []; // the record being built, innermost element last
  try {
    for await (const batch of xmlEvents(stream, { text: true })) {
      const out: ReaderItem[] = [];
      for (const event of batch) {
        if (event.kind === 'open') {
          const parent = path[path.length - 1];
          path.push(event.name);
          const node: Node = { name: event.name, attributes: event.attributes, children: [], text: '', line: event.line };
          if (building.length > 0) {
            building[building.length - 1]!.children.push(node);
            building.push(node);
          } else if (path.length === 3 && parent !== undefined && RECORDS[parent] === event.name) {
            building = [node];
          }
        } else if (event.kind === 'text') {
          if (building.length > 0) building[building.length - 1]!.text += event.text;
        } else {
          path.pop();
          const node = building.pop();
          if (node && building.length === 0) {
            const item = take(node, path[path.length - 1]!, state, name, eventsOnly);
            if (item) out.push(item);
          }
          if (path.length === 1) state.done.add(event.name);
        }
      }
      if (out.length > 0) yield out;
    }
  } catch (error) {
    if (!(error instanceof XmlMalformedError)) throw error;
    stream.destroy();
    // Found again by the second pass, after the events before it: reported there.
    if (state.deferred && !eventsOnly) return;
    const message = `not well-formed XML at line ${error.line}, column ${error.column}: ${error.reason}; the rest of the file could not be read`;
    yield [{ kind: 'invalid', position: { file: name, line: error.line }, raw: '', issue: { path: 'file', message, code: 'EL_OCEL_SYNTAX' } }];
  }
}

/** A whole declaration, object or event: into the state, or (an event) out as an item. */
function take(node: Node, section: string, state: OcelLogState, name: string, eventsOnly: boolean): ReaderItem | undefined {
  if (section === 'events') {
    const version2 = node.attributes.id !== undefined;
    if (!eventsOnly && (state.deferred || !state.readyForEvents(version2 ? NEEDS_20 : NEEDS_10))) {
      state.deferred = true;
      return undefined;
    }
    return convertEvent(version2 ? event20(node) : event10(node), state.contextFor(), { file: name, line: node.line });
  }
  if (eventsOnly) return undefined;
  if (section === 'objects') {
    const object = node.attributes.id !== undefined ? object20(node) : object10(node);
    if (object) state.index.add(object);
  } else {
    const attributes = child(node, 'attributes')?.children.map((attribute) => ({ name: attribute.attributes.name ?? '', type: attribute.attributes.type ?? 'string' })) ?? [];
    if (node.attributes.name !== undefined) state.types.declare(section === 'object-types' ? 'objects' : 'events', node.attributes.name, attributes);
  }
  return undefined;
}

const child = (node: Node, name: string) => node.children.find((candidate) => candidate.name === name);

function relationships20(node: Node): OcelRelationship[] {
  return (child(node, 'objects')?.children ?? []).flatMap((relationship) => {
    const objectId = relationship.attributes['object-id'];
    if (objectId === undefined || objectId === '') return [];
    const qualifier = relationship.attributes.qualifier;
    return [qualifier === undefined ? { objectId } : { objectId, qualifier }];
  });
}

function attributes20(node: Node): OcelAttributeValue[] {
  return (child(node, 'attributes')?.children ?? []).flatMap((attribute) => {
    const name = attribute.attributes.name;
    if (name === undefined) return [];
    const time = attribute.attributes.time;
    return [time === undefined ? { name, value: attribute.text } : { name, value: attribute.text, time }];
  });
}

function object20(node: Node): OcelObject | undefined {
  const { id, type } = node.attributes;
  if (!id || type === undefined) return undefined;
  return { id, type, attributes: attributes20(node), relationships: relationships20(node) };
}

function event20(node: Node): OcelEvent {
  const { id = '', type = '', time = '' } = node.attributes;
  return { id, type, time, attributes: attributes20(node), relationships: relationships20(node) };
}

// ---- OCEL 1.0: every field is a typed value element named by `key` (optionally `ocel:`-prefixed).

const keyOf = (node: Node) => (node.attributes.key ?? '').replace(/^ocel:/, '');
const field = (node: Node, key: string) => node.children.find((candidate) => keyOf(candidate) === key);

function event10(node: Node): OcelEvent {
  const text = (key: string) => field(node, key)?.attributes.value ?? '';
  const omap = field(node, 'omap')?.children.flatMap((entry) => (entry.attributes.value ? [{ objectId: entry.attributes.value }] : [])) ?? [];
  return { id: text('id'), type: text('activity'), time: text('timestamp'), attributes: valueMap(field(node, 'vmap')), relationships: omap };
}

function object10(node: Node): OcelObject | undefined {
  const id = field(node, 'id')?.attributes.value;
  const type = field(node, 'type')?.attributes.value;
  if (!id || type === undefined) return undefined;
  return { id, type, attributes: valueMap(field(node, 'ovmap')), relationships: [] };
}

function valueMap(node: Node | undefined): OcelAttributeValue[] {
  return (node?.children ?? []).map((entry) => ({ name: keyOf(entry), value: typedElement(entry) }));
}

/**
 * A typed value element as JSON: numbers and booleans typed, dates and strings as written. A list
 * whose entries share one key (`item`, or the list's own) is an array; one with distinct keys is a
 * map, as OCEL 1.0 JSON writes the same values.
 */
function typedElement(node: Node): unknown {
  const value = node.attributes.value;
  switch (node.name) {
    case 'int':
    case 'float': {
      const number = Number(value);
      return value === undefined || value.trim() === '' || !Number.isFinite(number) ? (value ?? null) : number;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : (value ?? null);
    case 'list':
    case 'container': {
      const keys = new Set(node.children.map(keyOf));
      const shared = keys.size === 1 ? [...keys][0]! : undefined;
      const isArray = node.children.length > 0 && shared !== undefined && (node.children.length > 1 || shared === 'item' || shared === keyOf(node));
      return isArray ? node.children.map(typedElement) : Object.fromEntries(node.children.map((entry) => [keyOf(entry), typedElement(entry)]));
    }
    default:
      return value ?? node.text;
  }
}
