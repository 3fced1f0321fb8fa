// What a compiled mapping is, whether it came from a mapping file or from a reader's default.
import type { Issue, Position } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';
import type { RawRecord } from '../readers/types.js';

export type MapResult = { ok: true; event: CanonicalEvent } | { ok: false; issues: Issue[] };

export interface RecordMapper {
  /** Top-level columns the mapping reads; checked against a CSV header before any row is read. */
  columns: readonly string[];
  map(record: RawRecord, position: Position): MapResult;
}
