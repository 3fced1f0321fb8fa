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
 * `nulFree`: the mapper vouches that no text in the event can hold a NUL character, because every
 * string in it came from a source that cannot carry one (an XML document: U+0000 is not an XML
 * character, and the XML layer stops at one), so the per-event scan for it (checkCanonical) is
 * skipped. A mapper that adds anything else (a mapping file laid over it) makes a new result
 * without it.
 */
export type MapResult = { ok: true; event: CanonicalEvent; nulFree?: boolean } | { ok: false; issues: Issue[]; partial?: CanonicalEvent };

export interface RecordMapper {
  /** Top-level columns the mapping reads; checked against a CSV header before any row is read. */
  columns: readonly string[];
  map(record: RawRecord, position: Position): MapResult;
}
