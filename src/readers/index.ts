// The reader registry: the one list of input formats. `--format`, the config file's `format`,
// detection and messages all read it when used (never a copy taken at load time), so a reader
// added here, or registered by a test, is known everywhere at once.
import { ConfigError } from '../errors.js';
import { Registry } from '../registry.js';
import { bpmnReader } from './bpmn/reader.js';
import { csvReader } from './csv/reader.js';
import { jsonReader } from './json/reader.js';
import { ndjsonReader } from './json/ndjson-reader.js';
import { ocelReader } from './ocel/reader.js';
import { rejectsReader } from './rejects/reader.js';
import { xesReader } from './xes/reader.js';
import type { ReaderPlugin } from './types.js';

// Sniffing readers first: a .ndjson file of BPMN raw events is read as BPMN.
const registry = new Registry<ReaderPlugin<any>>('format', 'EL_FORMAT_UNKNOWN', [bpmnReader, rejectsReader, xesReader, csvReader, ndjsonReader, jsonReader, ocelReader]);

export const allReaders = (): readonly ReaderPlugin<any>[] => registry.all();
export const readerNames = (): string[] => registry.names();
export const findReader = (name: string): ReaderPlugin<any> => registry.find(name);
/** Adds a reader after the built-in ones (tests register a test-only format this way). */
export const registerReader = (reader: ReaderPlugin<any>): void => registry.register(reader);

/** `--format` wins; then a reader that recognises the content; then the file name ending (the longest that matches). */
export function chooseReader(file: string, head: string, format: string | undefined): ReaderPlugin<any> {
  if (format) return findReader(format);
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const byExtension = readersByEnding(name);
  const sniffed = registry.all().find((reader) => reader.sniff?.(head) && (file === '-' || byExtension.length === 0 || isJsonName(name)));
  if (sniffed) return sniffed;
  if (byExtension[0]) return byExtension[0];
  if (file === '-') return head.trimStart().startsWith('[') ? jsonReader : head.trimStart().startsWith('{') ? ndjsonReader : csvReader;
  throw new ConfigError(`${file}: cannot tell the format from the file name; pass --format (${readerNames().join(', ')})`, 'EL_FORMAT_UNDETECTED');
}

/** The readers whose endings the name has, the longest ending first (`.bpmn.json` before `.json`). */
function readersByEnding(name: string): ReaderPlugin<any>[] {
  const longest = (reader: ReaderPlugin<any>) => Math.max(...reader.extensions.filter((extension) => name.endsWith(extension)).map((extension) => extension.length));
  return registry
    .all()
    .filter((reader) => reader.extensions.some((extension) => name.endsWith(extension)))
    .map((reader, order) => ({ reader, length: longest(reader), order }))
    .sort((a, b) => b.length - a.length || a.order - b.order)
    .map(({ reader }) => reader);
}

function isJsonName(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.ndjson') || name.endsWith('.jsonl');
}
