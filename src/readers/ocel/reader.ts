// The OCEL reader: object-centric event logs with no mapping file. One plugin for every OCEL
// format, told apart by content (an OCEL 2.0 or 1.0 JSON or XML document, an OCEL 2.0 SQLite database); each event
// becomes one canonical event (model.ts), with an idempotency key of its own (events/keys.ts).
//
// Each format's reader (and its parser: @streamparser/json, saxes, SQLite) is loaded when a log of
// that format is read, not when the registry is: every eventload process loads every reader's entry.
import type { ReaderInput, ReaderItem, ReaderPlugin } from '../types.js';
import { ocelOptionsSchema, type OcelOptions } from './options.js';

// Keys only an OCEL JSON document has; the first 64 KiB hold one of them whatever the section order.
const JSON_MARKERS = ['"objectTypes"', '"eventTypes"', '"ocel:events"', '"ocel:objects"', '"ocel:global-log"', '"objectId"'];

export function looksLikeOcelJson(head: string): boolean {
  return head.trimStart().startsWith('{') && JSON_MARKERS.some((marker) => head.includes(marker));
}

// Elements only an OCEL XML document has (2.0: the declarations; 1.0: the object map, the object globals).
const XML_MARKERS = ['<object-types', '<event-types', 'key="omap"', 'key="ocel:omap"', '<global scope="object"', '<objects>'];

export function looksLikeOcelXml(head: string): boolean {
  return head.trimStart().startsWith('<') && XML_MARKERS.some((marker) => head.includes(marker));
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export function looksLikeSqlite(head: string): boolean {
  return head.startsWith(SQLITE_MAGIC);
}

async function* readBatches(input: ReaderInput, options: OcelOptions): AsyncIterable<ReaderItem[]> {
  if (looksLikeSqlite(input.head)) yield* (await import('./sqlite-reader.js')).readOcelSqlite(input, options);
  else if (input.head.trimStart().startsWith('<')) yield* (await import('./xml-reader.js')).readOcelXml(input, options);
  else yield* (await import('./json-reader.js')).readOcelJson(input, options);
}

export const ocelReader = {
  name: 'ocel',
  description: 'Object-Centric Event Logs: OCEL 2.0 JSON, XML and SQLite, OCEL 1.0 JSON and XML; no mapping file needed',
  extensions: ['.jsonocel', '.xmlocel', '.sqlite', '.db'],
  optionsSchema: ocelOptionsSchema,
  sniff: (head: string) => looksLikeOcelJson(head) || looksLikeOcelXml(head) || looksLikeSqlite(head),
  readBatches,
  async *read(input, options) {
    for await (const batch of readBatches(input, options)) yield* batch;
  },
} satisfies ReaderPlugin<OcelOptions>;
