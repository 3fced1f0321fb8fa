// Read → map → validate, in one streaming pass over every input file. Every record comes out
// as exactly one item: an event, a rejection (with stage and reasons), or a skip.
import { ConfigError, type Issue, type Position } from '../errors.js';
import { checkCanonical, type CanonicalEvent } from '../events/canonical.js';
import { KeyDeriver, MAX_REPEAT_WINDOW } from '../events/keys.js';
import { isValidTimeZone } from '../events/timestamp.js';
import { compileMapping, identityMapper, OVERLAY_FIELDS, overlayMapping } from '../mapping/compile.js';
import type { Mapping } from '../mapping/schema.js';
import type { RawRecord, RecordMapper } from '../mapping/types.js';
import { describeSchemaError } from '../mapping/load.js';
import { chooseReader } from '../readers/index.js';
import { checkEncoding, holdsReplacement } from '../readers/decode.js';
import { openInput, type OpenedInput } from '../readers/input.js';
import { DEFAULT_MAX_RECORD_BYTES, type ReaderPlugin } from '../readers/types.js';
import { shardOfRecord, type Shard } from './shard.js';
import type { Stage } from './stage.js';

export type PipelineItem =
  | { kind: 'event'; event: CanonicalEvent; position: Position; record: RawRecord }
  | { kind: 'rejected'; position: Position; stage: Stage; issues: Issue[]; record?: RawRecord; raw?: string; event?: CanonicalEvent }
  | { kind: 'skipped'; position: Position; reason: string }
  /** --shard over one file: a record another worker handles (counted as read, and as other shards'). */
  | { kind: 'other-shard'; position: Position };

export interface ReadOptions {
  files: string[];
  mapping?: Mapping;
  /** Where the mapping came from, for messages. */
  mappingFile?: string;
  format?: string;
  timezone?: string;
  /** Reader options from flags (win over the mapping's `reader` section). */
  readerOptions?: Record<string, unknown>;
  /** --encoding (wins over the mapping's `reader.encoding`); UTF-8 when neither is given. */
  encoding?: string;
  /** sync: a final line without a line end is not read yet but counted as pending. */
  holdIncompleteTail?: boolean;
  /** --repeat-window (wins over the mapping's `repeat_window`); the key module's default when neither is given. */
  repeatWindow?: number;
  /** A target's own limits, applied after the canonical checks. */
  targetCheck?: (event: CanonicalEvent) => Issue[];
  /** --shard over one file: keep only this shard's records (several files are split before reading: shard.ts). */
  shard?: Shard;
  /** Bodies are sent or written, and the journal keeps each delivered event's text: derived keys keep the content they are written from (keys.ts, keyedEventText). */
  keepEventText?: boolean;
}

interface PreparedInput {
  input: OpenedInput;
  reader: ReaderPlugin<any>;
  options: unknown;
  mapper: RecordMapper;
}

/** Opens and checks every input before any record is read, so configuration errors cost nothing. */
export async function prepareInputs(options: ReadOptions): Promise<PreparedInput[]> {
  if (options.timezone !== undefined && !isValidTimeZone(options.timezone)) {
    throw new ConfigError(`--timezone: unknown time zone "${options.timezone}" (use an IANA name such as Europe/Berlin)`, 'EL_TIMEZONE_UNKNOWN');
  }
  const window = options.repeatWindow;
  if (window !== undefined && !(Number.isInteger(window) && window >= 1 && window <= MAX_REPEAT_WINDOW)) {
    throw new ConfigError(`--repeat-window: expected a whole number from 1 to ${MAX_REPEAT_WINDOW.toLocaleString('en-US')}, got ${window}`, 'EL_REPEAT_WINDOW');
  }
  if (options.files.filter((file) => file === '-').length > 1) throw new ConfigError('standard input (-) can be named only once', 'EL_STDIN_TWICE');
  const prepared: PreparedInput[] = [];
  for (const file of options.files) {
    const { encoding: mappingEncoding, ...fromMapping } = options.mapping?.reader ?? {};
    const encoding = options.encoding ?? encodingFromMapping(mappingEncoding, options.mappingFile);
    const given = givenReaderOptions(fromMapping, options.readerOptions);
    const input = await openInput(file, { encoding, holdIncompleteTail: options.holdIncompleteTail, holdAtMost: heldLine(given.maxRecordBytes) ?? heldLine(DEFAULT_MAX_RECORD_BYTES) });
    const reader = chooseReader(file, input.head, options.format);
    const readerOptions = parseReaderOptions(reader, given);
    input.holdAtMost(heldLine((readerOptions as { maxRecordBytes?: unknown }).maxRecordBytes) ?? 0);
    const mapper = chooseMapper(reader, readerOptions, options, file);
    checkColumns(mapper, reader.columnsFromHead?.(input.head, readerOptions), file, options.mappingFile);
    prepared.push({ input, reader, options: readerOptions, mapper });
  }
  return prepared;
}

/** The mapping's `reader.encoding`: a name, checked when the input is opened. */
function encodingFromMapping(value: unknown, mappingFile = 'mapping'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`${mappingFile}: reader.encoding must be an encoding name such as "windows-1252"`, 'EL_ENCODING_UNKNOWN');
  return checkEncoding(value, `${mappingFile}: reader.encoding`) ?? 'utf-8';
}

/** The reader options as given: the mapping's `reader` section, with the flags that were set laid over it (an absent flag is undefined). */
function givenReaderOptions(fromMapping: Record<string, unknown> = {}, fromFlags: Record<string, unknown> = {}): Record<string, unknown> {
  const flags = Object.fromEntries(Object.entries(fromFlags).filter(([, value]) => value !== undefined));
  return { ...fromMapping, ...flags };
}

function parseReaderOptions(reader: ReaderPlugin<any>, given: Record<string, unknown>): unknown {
  const parsed = reader.optionsSchema.safeParse(given);
  if (!parsed.success) throw new ConfigError(`${reader.name} reader options: ${describeSchemaError(parsed.error, given)}`, 'EL_READER_OPTIONS');
  return parsed.data;
}

/**
 * A full mapping file (event, timestamp and objects) replaces the reader's default; one that maps
 * fewer is laid over the default (the format's own, or canonical events as they are), field by
 * field, never ignored (compile.ts, overlayMapping). Which default a format has, or that it has
 * none, is the plugin's to say (readers/types.ts).
 */
function chooseMapper(reader: ReaderPlugin<any>, readerOptions: unknown, options: ReadOptions, file: string): RecordMapper {
  const mapping = options.mapping;
  const full = mapping?.event !== undefined && mapping.timestamp !== undefined && mapping.objects !== undefined;
  const userMapper = full ? compileMapping({ ...mapping, event: mapping.event!, timestamp: mapping.timestamp!, objects: mapping.objects! }, { timezone: options.timezone }) : undefined;
  if (reader.mapperFor) return reader.mapperFor(readerOptions, userMapper, options.timezone);
  if (userMapper) return userMapper;
  if (reader.needsMapping) throw new ConfigError(noDefaultMapping(reader.name.toUpperCase(), file, options.mappingFile, mapping), 'EL_MAPPING_REQUIRED');
  const base = reader.defaultMapper?.(readerOptions, { timezone: options.timezone }) ?? identityMapper({ timezone: options.timezone });
  const overlay = mapping && OVERLAY_FIELDS.some((key) => mapping[key] !== undefined);
  return overlay ? overlayMapping(base, mapping, { timezone: options.timezone }) : base;
}

/**
 * A line that may be cut off is held back while it could still be a record the reader accepts (its
 * limit, and its line end); longer, it would be rejected as too large anyway. A reader without a
 * record limit (undefined here) reads a document, whose parser never takes a cut-off element for a
 * record: nothing is held back for it, so a minified JSON or XML file is never held whole in memory.
 */
function heldLine(maxRecordBytes: unknown): number | undefined {
  return typeof maxRecordBytes === 'number' ? maxRecordBytes + 2 : undefined;
}

/** A format without a default mapping (CSV): say so, and when a mapping file was given, what it lacks. */
function noDefaultMapping(format: string, file: string, mappingFile: string | undefined, mapping: Mapping | undefined): string {
  const init = `\`eventload init ${file}\` writes a starting one`;
  if (!mappingFile) return `${file}: ${format} input needs a mapping file (--mapping FILE); ${init}`;
  const given = mapping ? OVERLAY_FIELDS.filter((key) => mapping[key] !== undefined) : [];
  const maps = given.length > 0 ? `maps only ${given.join(', ')}` : 'maps no fields';
  return `${file}: the mapping ${mappingFile} ${maps}; ${format} input has no default mapping, so it must map "event", "timestamp" and "objects" (${init})`;
}

function checkColumns(mapper: RecordMapper, columns: string[] | undefined, file: string, mappingFile = 'mapping'): void {
  if (!columns) return;
  const have = new Set(columns);
  const missing = mapper.columns.filter((column) => !have.has(column) && !have.has(column.split('.')[0]!));
  if (missing.length > 0) {
    const list = missing.map((column) => `"${column}"`).join(', ');
    throw new ConfigError(`${mappingFile} names column${missing.length > 1 ? 's' : ''} ${list} that ${file} does not have (it has: ${columns.join(', ')})`, 'EL_MISSING_COLUMN');
  }
}

/**
 * Every item of every input, in order. Also hands out the same items in groups (`batches`), as the
 * readers produced them: a consumer that takes groups pays one asynchronous step per group, where
 * one per item used to cost more than mapping the item.
 */
export interface PipelineStream extends AsyncIterable<PipelineItem> {
  batches(): AsyncIterable<PipelineItem[]>;
}

export function readEvents(options: ReadOptions, prepared?: PreparedInput[]): PipelineStream {
  async function* batches(): AsyncGenerator<PipelineItem[]> {
    for (const input of prepared ?? (await prepareInputs(options))) yield* readOne(input, options);
  }
  return {
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/** Groups of items: a PipelineStream's own groups, or one group per item from any other iterable (a filter, a scheduler). */
export function batchesOf(items: AsyncIterable<PipelineItem>): AsyncIterable<PipelineItem[]> {
  const stream = items as Partial<PipelineStream>;
  return typeof stream.batches === 'function' ? stream.batches() : oneByOne(items);
}

async function* readOne({ input, reader, options: readerOptions, mapper }: PreparedInput, options: ReadOptions): AsyncGenerator<PipelineItem[]> {
  const keys = new KeyDeriver(options.repeatWindow ?? options.mapping?.repeat_window, options.keepEventText);
  const source = { name: input.name, stream: input.stream, head: input.head, rewindable: input.rewindable };
  const groups = reader.readBatches ? reader.readBatches(source, readerOptions) : oneByOne(reader.read(source, readerOptions));
  const shard = options.shard;
  // The reader's last rejection waits for the end: a file that broke (a cut gzip) makes the reader
  // fail on the cut-off element too (at the break's line, or one the reader says the end cut off),
  // and that is the break's doing, reported once below.
  let held: PipelineItem | undefined;
  const cutOff = new WeakSet<PipelineItem>();
  for await (const group of groups) {
    const out: PipelineItem[] = held ? [held] : [];
    held = undefined;
    for (const item of group) {
      switch (item.kind) {
        case 'columns':
          checkColumns(mapper, item.columns, input.name, options.mappingFile);
          break;
        case 'invalid': {
          const rejected: PipelineItem = elsewhere(shard, item.position) ?? { kind: 'rejected', position: item.position, stage: 'read', issues: [item.issue], raw: item.raw };
          if (item.cutOff) cutOff.add(rejected);
          out.push(rejected);
          break;
        }
        case 'skipped':
          out.push(elsewhere(shard, item.position) ?? item);
          break;
        case 'record':
          // Checked only once the byte layer saw invalid UTF-8: the common path pays nothing.
          if (input.state.invalidUtf8 && holdsReplacement(item.record)) out.push(elsewhere(shard, item.position) ?? invalidUtf8(item.position, item.record));
          else out.push(mapAndCheck(item.record, item.position, mapper, keys, options.targetCheck, shard));
          break;
      }
    }
    const last = out.at(-1);
    if (last?.kind === 'rejected' && last.stage === 'read') held = out.pop();
    if (out.length > 0) yield out;
  }
  const broken = input.state.broken;
  const line = input.state.completeLines + 1;
  if (held && !(broken && (held.position.line >= line || cutOff.has(held)))) yield [held];
  if (broken) {
    // What could not be read is one rejected record at the line where the file broke: counted, never silent.
    const message = `${broken.message} after line ${input.state.completeLines}; the rest of the file could not be read`;
    const position = { file: input.name, line };
    yield [elsewhere(shard, position) ?? { kind: 'rejected', position, stage: 'read', issues: [{ path: 'file', message, code: broken.code }], raw: '' }];
  }
}

function invalidUtf8(position: Position, record: RawRecord): PipelineItem {
  const issue = { path: 'record', message: 'holds bytes that are not valid UTF-8 (shown as U+FFFD); pass --encoding NAME if the file is in another encoding', code: 'EL_ENCODING_INVALID_UTF8' as const };
  return { kind: 'rejected', position, stage: 'read', issues: [issue], record };
}

/** Any stream as groups of one item (a reader without readBatches, a filter, a scheduler). */
async function* oneByOne<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const item of items) yield [item];
}

function mapAndCheck(record: RawRecord, position: Position, mapper: RecordMapper, keys: KeyDeriver, targetCheck: ReadOptions['targetCheck'], shard: Shard | undefined): PipelineItem {
  const mapped = mapper.map(record, position);
  if (!mapped.ok) return elsewhere(shard, position) ?? { kind: 'rejected', position, stage: 'map', issues: mapped.issues, record };
  const event = mapped.event;
  const issues = checkCanonical(event, mapped.nulFree);
  if (issues.length > 0) return elsewhere(shard, position) ?? { kind: 'rejected', position, stage: 'validate', issues, record, event };
  const targetIssues = targetCheck?.(event) ?? [];
  if (targetIssues.length > 0) return elsewhere(shard, position) ?? { kind: 'rejected', position, stage: 'validate', issues: targetIssues, record, event };
  const mappedKey = event.idempotency_key !== undefined;
  // Keys are derived for every event, this shard's or not: repeat numbering sees the whole file, as a single run does.
  if (!mappedKey) event.idempotency_key = keys.keyFor(event);
  if (shard && shardOfRecord(event, mappedKey, position.line, shard.count) !== shard.index) return { kind: 'other-shard', position };
  return { kind: 'event', event, position, record };
}

/** A record that is no event belongs to the shard of its line; undefined when it is this shard's (or there are no shards). */
function elsewhere(shard: Shard | undefined, position: Position): PipelineItem | undefined {
  if (!shard || shardOfRecord(undefined, false, position.line, shard.count) === shard.index) return undefined;
  return { kind: 'other-shard', position };
}
