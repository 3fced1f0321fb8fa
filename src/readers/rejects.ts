// Rejects files as input: what `import` and `validate` wrote for records they could not deliver,
// possibly corrected by hand, read back so `eventload replay REJECTS_FILE` can send them again.
// A line with an `event` is sent as that canonical event; a line with only the original
// `record` is mapped again with --mapping; a line with only `raw` text must be corrected first.
// The header line that starts each run's lines is not a record, and is passed over like a blank line.
import { isRejectsHeader } from '../report/rejects.js';
import { identityMapper } from '../mapping/compile.js';
import type { RecordMapper } from '../mapping/types.js';
import { ndjsonOptionsSchema, ndjsonReader, type NdjsonOptions } from './ndjson.js';
import type { RawRecord, ReaderPlugin } from './types.js';

const STAGES = new Set(['read', 'map', 'validate', 'target', 'server']);

/** A rejects line has a stage, a reason and at least one of event, record or raw. */
export function isRejectsLine(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const line = value as Record<string, unknown>;
  return STAGES.has(line.stage as string) && typeof line.reason === 'string' && ('event' in line || 'record' in line || 'raw' in line);
}

export function rejectsMapper(userMapper: RecordMapper | undefined, timezone: string | undefined): RecordMapper {
  const events = identityMapper({ timezone });
  return {
    columns: [],
    map(line, position) {
      const { event, record, raw } = line as { event?: unknown; record?: unknown; raw?: unknown };
      if (event && typeof event === 'object') return events.map(event as RawRecord, position);
      if (record && typeof record === 'object') {
        if (userMapper) return userMapper.map(record as RawRecord, position);
        return { ok: false, issues: [{ path: 'record', message: 'this line has the original record but no mapped event: pass --mapping to map it', code: 'EL_REJECTS_NEEDS_MAPPING' }] };
      }
      const what = typeof raw === 'string' ? `only the raw text ${JSON.stringify(raw.slice(0, 60))}` : 'no event, record or raw text';
      return { ok: false, issues: [{ path: 'raw', message: `this line has ${what}: correct it into an "event" (canonical) or a "record" (original row) first`, code: 'EL_REJECTS_UNUSABLE' }] };
    },
  };
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
