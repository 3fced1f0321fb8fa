// The reader registry: every input format eventload reads, listed explicitly.
import { ConfigError } from '../errors.js';
import { bpmnReader } from './bpmn.js';
import { csvReader } from './csv.js';
import { jsonReader } from './json.js';
import { ndjsonReader } from './ndjson.js';
import { rejectsReader } from './rejects.js';
import type { ReaderPlugin } from './types.js';

// Sniffing readers first: a .ndjson file of BPMN raw events is read as BPMN.
export const readers: readonly ReaderPlugin<any>[] = [bpmnReader, rejectsReader, csvReader, ndjsonReader, jsonReader];

export function readerNames(): string[] {
  return readers.map((reader) => reader.name);
}

export function findReader(name: string): ReaderPlugin<any> {
  const reader = readers.find((candidate) => candidate.name === name);
  if (!reader) throw new ConfigError(`unknown format "${name}" (known: ${readerNames().join(', ')})`);
  return reader;
}

/** `--format` wins; then a reader that recognises the content; then the file name ending. */
export function chooseReader(file: string, head: string, format: string | undefined): ReaderPlugin<any> {
  if (format) return findReader(format);
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const byExtension = readers.filter((reader) => reader.extensions.some((extension) => name.endsWith(extension)));
  const sniffed = readers.find((reader) => reader.sniff?.(head) && (file === '-' || byExtension.length === 0 || isJsonName(name)));
  if (sniffed) return sniffed;
  if (byExtension[0]) return byExtension[0];
  if (file === '-') return head.trimStart().startsWith('[') ? jsonReader : head.trimStart().startsWith('{') ? ndjsonReader : csvReader;
  throw new ConfigError(`${file}: cannot tell the format from the file name; pass --format (${readerNames().join(', ')})`);
}

function isJsonName(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.ndjson') || name.endsWith('.jsonl');
}
