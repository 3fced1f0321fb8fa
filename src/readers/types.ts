// What a reader plugin is: a streaming source of raw records, each with its position.
// Readers never throw for one bad record; they yield it as `invalid` and go on.
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Issue, Position } from '../errors.js';
import type { RecordMapper } from '../mapping/types.js';

/** A record as read: CSV column → string, or a parsed JSON object. */
export type RawRecord = Record<string, unknown>;

export type ReaderItem =
  /** The columns the file has, known before any record (CSV header): lets the mapping be checked up front. */
  | { kind: 'columns'; columns: string[] }
  | { kind: 'record'; position: Position; record: RawRecord }
  /** A record that could not be read (invalid JSON, broken quoting, oversize): rejected alone. */
  | { kind: 'invalid'; position: Position; raw: string; issue: Issue }
  /** A record the reader's own options leave out on purpose (e.g. BPMN phases); counted, never silent. */
  | { kind: 'skipped'; position: Position; reason: string };

export interface ReaderInput {
  /** The name the user gave (`-` for standard input); used in every message. */
  name: string;
  /** Decompressed bytes. */
  stream: Readable;
  /** The first bytes of the content as text (already part of `stream` too), for detection. */
  head: string;
}

export interface ReaderPlugin<Options = Record<string, unknown>> {
  name: string;
  description: string;
  /** File name endings (without `.gz`) that select this reader. */
  extensions: readonly string[];
  optionsSchema: z.ZodType<Options>;
  /** Recognises the reader's records from the first bytes of a file (for auto-detection). */
  sniff?(head: string): boolean;
  read(input: ReaderInput, options: Options): AsyncIterable<ReaderItem>;
  /**
   * The same items as `read`, grouped as the reader produced them (e.g. one group per chunk of the
   * file), so the pipeline pays for one asynchronous step per group instead of one per item.
   */
  readBatches?(input: ReaderInput, options: Options): AsyncIterable<ReaderItem[]>;
  /** The columns, from the head of the file alone, so a mapping is checked before any record is read. */
  columnsFromHead?(head: string, options: Options): string[] | undefined;
  /** The mapping used when the user gives no mapping file (e.g. BPMN raw events). */
  defaultMapper?(options: Options): RecordMapper;
  /** For inputs that wrap records of another shape (rejects files): the mapper, given the user's. */
  mapperFor?(options: Options, userMapper: RecordMapper | undefined, timezone: string | undefined): RecordMapper;
}
