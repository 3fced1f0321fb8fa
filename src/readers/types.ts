// What a reader plugin is: a streaming source of raw records, each with its position, and what
// turns its records into canonical events when the user's mapping file does not. Readers never
// throw for one bad record; they yield it as `invalid` and go on.
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Issue, Position } from '../errors.js';
import type { RawRecord, RecordMapper } from '../mapping/types.js';
import type { Rewindable } from './input.js';

/** --max-record-size when not given: the largest record (line, element) a reader accepts, in bytes. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

// Defined with the mapping (what a mapper reads); named here too because it is what readers yield.
export type { RawRecord };

export type ReaderItem =
  /** The columns the file has, known before any record (CSV header): lets the mapping be checked up front. */
  | { kind: 'columns'; columns: string[] }
  | { kind: 'record'; position: Position; record: RawRecord }
  /**
   * A record that could not be read (invalid JSON, broken quoting, oversize, not the format's schema): rejected alone.
   * `cutOff`: the input ended inside it; when the bytes broke (a cut gzip), the break is reported instead.
   */
  | { kind: 'invalid'; position: Position; raw: string; issue: Issue; cutOff?: true }
  /** A record the reader's own options leave out on purpose (e.g. BPMN phases); counted, never silent. */
  | { kind: 'skipped'; position: Position; reason: string };

/** What a default mapping may need beyond the reader's options. */
export interface MapperContext {
  /** --timezone: for timestamps written without a zone. */
  timezone?: string;
}

export interface ReaderInput {
  /** The name the user gave (`-` for standard input); used in every message. */
  name: string;
  /** Decompressed bytes. */
  stream: Readable;
  /** The first bytes of the content as text (already part of `stream` too), for detection. */
  head: string;
  /**
   * The content as a file that can be read again from the start (a second pass, or a library that
   * needs a path): standard input and gzip are spooled to a temporary file. Call it instead of
   * reading `stream`, never after; absent where the caller gives only a stream (then a reader that
   * needs it says so).
   */
  rewindable?: () => Promise<Rewindable>;
}

/**
 * One input format. Which mapper turns its records into canonical events, when the mapping file
 * maps no `event`, `timestamp` and `objects` (or there is no mapping file), is the plugin's to say:
 *   - `mapperFor`: the records wrap records of another shape (rejects files); it alone decides.
 *   - `defaultMapper`: the format's own mapping (BPMN raw events).
 *   - `needsMapping`: none; the run stops (EL_MAPPING_REQUIRED) and says what the mapping lacks (CSV).
 *   - none of these: the records are canonical events as they are (JSON, NDJSON).
 * A mapping file that maps fewer than all of event, timestamp and objects is laid over the default
 * (mapping/compile.ts, overlayMapping).
 */
export interface ReaderPlugin<Options = Record<string, unknown>> {
  /** The `--format` value; also names the format in messages (in capitals: "CSV input needs…"). */
  name: string;
  description: string;
  /** File name endings (without `.gz`) that select this reader; the longest match wins. */
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
  /** The format's own mapping, used when the user's mapping file gives no event/timestamp/objects. */
  defaultMapper?(options: Options, context: MapperContext): RecordMapper;
  /**
   * `init --override`: the fields of a mapping file to lay over the default mapping, as the default
   * maps them, for the user to edit (the reader's options are added by init).
   */
  overrideSkeleton?(): Record<string, unknown>;
  /** The records have no shape eventload knows: a mapping file must map event, timestamp and objects. */
  needsMapping?: true;
  /** For inputs that wrap records of another shape (rejects files): the mapper, given the user's. */
  mapperFor?(options: Options, userMapper: RecordMapper | undefined, timezone: string | undefined): RecordMapper;
}
