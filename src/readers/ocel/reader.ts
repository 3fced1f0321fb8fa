// The OCEL reader: object-centric event logs with no mapping file. One plugin for every OCEL
// format, told apart by content (an OCEL 2.0 or 1.0 JSON document, OCEL 2.0 SQLite); each event
// becomes one canonical event (model.ts), with an idempotency key of its own (events/keys.ts).
import type { ReaderInput, ReaderItem, ReaderPlugin } from '../types.js';
import { readOcelJson } from './json-reader.js';
import { ocelOptionsSchema, type OcelOptions } from './options.js';

// Keys only an OCEL JSON document has; the first 64 KiB hold one of them whatever the section order.
const JSON_MARKERS = ['"objectTypes"', '"eventTypes"', '"ocel:events"', '"ocel:objects"', '"ocel:global-log"', '"objectId"'];

export function looksLikeOcelJson(head: string): boolean {
  return head.trimStart().startsWith('{') && JSON_MARKERS.some((marker) => head.includes(marker));
}

function readBatches(input: ReaderInput, options: OcelOptions): AsyncIterable<ReaderItem[]> {
  return readOcelJson(input, options);
}

export const ocelReader = {
  name: 'ocel',
  description: 'Object-Centric Event Logs: OCEL 2.0 JSON, OCEL 1.0 JSON; no mapping file needed',
  extensions: ['.jsonocel'],
  optionsSchema: ocelOptionsSchema,
  sniff: (head: string) => looksLikeOcelJson(head),
  readBatches,
  async *read(input, options) {
    for await (const batch of readBatches(input, options)) yield* batch;
  },
} satisfies ReaderPlugin<OcelOptions>;
