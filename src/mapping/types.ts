// What a compiled mapping is, whether it came from a mapping file or from a reader's default, and
// what it reads. The record type lives here, not with the readers, so that mapping depends on
// nothing above it: readers build on mapping (a format's default mapping), never the other way.
import type { Issue, Position } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';

/** A record as read: CSV column → string, or a parsed JSON object. */
export type RawRecord = Record<string, unknown>;

/**
 * `partial`: what a default mapping could build despite its issues, so that a mapping file laid over
 * it (compile.ts, overlayMapping) can supply the fields it failed on.
 */
export type MapResult = { ok: true; event: CanonicalEvent } | { ok: false; issues: Issue[]; partial?: CanonicalEvent };

export interface RecordMapper {
  /** Top-level columns the mapping reads; checked against a CSV header before any row is read. */
  columns: readonly string[];
  map(record: RawRecord, position: Position): MapResult;
}
