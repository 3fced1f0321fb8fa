// What a rejects-file line is sent as: its `event` as a canonical event, else its original `record`
// through the user's mapping, else nothing (the line must be corrected first). A rejects file wraps
// records of another shape, so this mapper replaces the default and takes the user's mapping inside.
import { identityMapper } from '../../mapping/compile.js';
import type { RawRecord, RecordMapper } from '../../mapping/types.js';

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
