// Rejects files as input: what `import` and `validate` wrote for records they could not deliver,
// possibly corrected by hand, read back so `eventload replay REJECTS_FILE` can send them again.
// A line with an `event` is sent as that canonical event; a line with only the original
// `record` is mapped again with --mapping; a line with only `raw` text must be corrected first.
// The header line that starts each run's lines is not a record, and is passed over like a blank line.
// What a line is sent as is the plugin's mapperFor (mapper.ts), whatever the mapping file says.
import { STAGES } from '../../pipeline/stage.js';
import { isRejectsHeader } from '../../report/rejects.js';
import { ndjsonReader } from '../json/ndjson-reader.js';
import { ndjsonOptionsSchema, type NdjsonOptions } from '../json/options.js';
import type { ReaderPlugin } from '../types.js';
import { rejectsMapper } from './mapper.js';

const STAGE_NAMES = new Set<string>(STAGES);

/** A rejects line has a stage, a reason and at least one of event, record or raw. */
export function isRejectsLine(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const line = value as Record<string, unknown>;
  return STAGE_NAMES.has(line.stage as string) && typeof line.reason === 'string' && ('event' in line || 'record' in line || 'raw' in line);
}

export const rejectsReader = {
  name: 'rejects',
  description: 'a rejects file written by eventload (NDJSON), possibly corrected by hand',
  extensions: ['.rejects.ndjson'],
  optionsSchema: ndjsonOptionsSchema,
  sniff(head: string) {
    const lines = head.replace(/^\uFEFF/, '').split('\n', 2);
    try {
      const first = JSON.parse(lines[0] ?? '');
      if (!isRejectsHeader(first)) return isRejectsLine(first);
      // A header, then (when the head holds it whole) a rejects line.
      return lines.length < 2 || lines[1] === '' || isRejectsLine(JSON.parse(lines[1]!));
    } catch {
      return lines.length === 2 && isRejectsHeader(safeParse(lines[0]!)); // the second line cut short by the head
    }
  },
  async *read(input, options) {
    for await (const item of ndjsonReader.read(input, options)) {
      if (item.kind === 'record' && isRejectsHeader(item.record)) continue;
      yield item;
    }
  },
  mapperFor: (_options, userMapper, timezone) => rejectsMapper(userMapper, timezone),
} satisfies ReaderPlugin<NdjsonOptions>;

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
