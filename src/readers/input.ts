// Opens an input as a stream of UTF-8 bytes: a file, `-` for standard input, gzip undone for `.gz`,
// other encodings (named by --encoding, a BOM or an XML declaration) decoded (decode.ts), and a cut-off last line held back where it must be (complete-lines.ts).
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ConfigError } from '../errors.js';
import { CompleteLines, type LineState } from './complete-lines.js';
import { bomEncoding, checkEncoding, checkHeadIsUtf8, declaredEncoding, IconvToUtf8, Utf8Check, type InputState } from './decode.js';

export interface OpenedInput {
  name: string;
  stream: Readable;
  /** Size on disk in bytes when known (for progress), else undefined. */
  size: number | undefined;
  /** The first bytes of the (decompressed, decoded) content, for format detection. */
  head: string;
  /** What the byte layer finds while the stream is read: invalid UTF-8, a broken gzip, a pending last line. */
  state: ByteState;
  /** Bytes of the file (compressed, undecoded) read so far, for progress; undefined for standard input. */
  bytesRead?: () => number;
  /** The content as a file that can be read more than once (see Rewindable); call before reading `stream`. */
  rewindable: () => Promise<Rewindable>;
  /** Sets the longest line held back (CompleteLines.holdAtMost) once the reader is known: before reading `stream`. */
  holdAtMost: (bytes: number) => void;
}

/**
 * The content of an input on disk, for readers that need it twice (an OCEL log whose events come
 * before its objects) or need a file (SQLite). A plain file is itself; standard input and gzip are
 * spooled (decompressed, decoded) to a temporary file, removed by `dispose`.
 */
export interface Rewindable {
  path: string;
  /** The content from its first byte, as `stream` gives it (decompressed, decoded). */
  open(): Readable;
  dispose(): Promise<void>;
}

export type ByteState = InputState & LineState;

export interface OpenOptions {
  /** --encoding: any name iconv-lite knows; when given, an XML declaration's encoding is not used (BOMs are recognised either way). */
  encoding?: string;
  /** sync: a final line without a line end is held back as pending, not read. */
  holdIncompleteTail?: boolean;
  /** The longest line held back while it may be cut off (CompleteLines.holdAtMost), until the reader is known. */
  holdAtMost?: number;
}

const HEAD_BYTES = 64 * 1024;
// Small reads on purpose: a chunk's text must stay under V8's large-object size (128 KiB, and a
// character can take two bytes). Larger texts live in the large-object space, outlive the records
// sliced from them, and are only freed by full collections: 256 KiB reads made peak RSS ~70% higher.
const READ_BYTES = 32 * 1024;

export function isGzip(name: string): boolean {
  return name.toLowerCase().endsWith('.gz');
}

export async function openInput(name: string, options: OpenOptions = {}): Promise<OpenedInput> {
  const encoding = checkEncoding(options.encoding);
  let size: number | undefined;
  let source: Readable;
  if (name === '-') {
    source = process.stdin;
  } else {
    try {
      const info = await stat(name);
      if (info.isDirectory()) throw new ConfigError(`${name}: is a folder, not a file`, 'EL_INPUT_IS_FOLDER');
      size = info.size;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      // A pattern the shell did not expand (quoted, or matching nothing) names no file.
      const pattern = code === 'ENOENT' && /[*?[]/.test(name) ? ': eventload does not expand patterns; leave it unquoted for the shell to expand, or name the files' : '';
      throw new ConfigError(`${name}: cannot read file (${code})${pattern}`, 'EL_INPUT_UNREADABLE');
    }
    source = createReadStream(name, { highWaterMark: READ_BYTES });
  }
  const state: ByteState = { invalidUtf8: false, completeLines: 0 };
  const bytes = isGzip(name) ? gunzip(source, state) : source;
  const raw = await peek(bytes, HEAD_BYTES);
  const binary = binaryFormat(raw.bytes);
  if (binary) {
    raw.stream.destroy();
    throw new ConfigError(`${name}: is ${binary.what}, not a file eventload reads: ${binary.advice}; nothing was sent`, 'EL_INPUT_BINARY');
  }
  const decoder = isSqlite(raw.bytes) ? new PassThrough() : chooseDecoder(name, raw, encoding, options.encoding !== undefined, state);
  let stream = pipeOn(raw.stream, decoder);
  const lines = isGzip(name) || options.holdIncompleteTail ? new CompleteLines(state, options.holdIncompleteTail ?? false, options.holdAtMost) : undefined;
  if (lines) stream = pipeOn(stream, lines);
  const head = await peek(stream, HEAD_BYTES);
  if (state.broken && head.bytes.length === 0) {
    throw new ConfigError(`${name}: ${state.broken.message}; nothing could be read from it`, state.broken.code);
  }
  const file = name === '-' ? undefined : (source as ReadStream);
  const asIs = file !== undefined && !isGzip(name) && decoder instanceof PassThrough;
  const rewindable = () => (asIs ? fileAsIs(name, head.stream) : spool(head.stream));
  const holdAtMost = (bytes: number) => lines?.holdAtMost(bytes);
  return { name, stream: head.stream, size, head: head.bytes.toString('utf8'), state, bytesRead: file && (() => file.bytesRead), rewindable, holdAtMost };
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

const EXPORT_AS_CSV = 'save it as "CSV UTF-8" (Excel: File > Save As) and import that';
const DECOMPRESS = 'decompress it first (eventload undoes gzip only, for names ending in .gz)';
/**
 * Binary formats people pass by mistake, by their first bytes: read as text they would stop with a
 * wrong guess at an encoding (a workbook "looks like windows-1252"). SQLite is no mistake: OCEL.
 */
const BINARY_FORMATS: Array<{ magic: Buffer; what: string; advice: string; then?: RegExp }> = [
  { magic: Buffer.from([0x50, 0x4b, 0x03, 0x04]), what: 'a ZIP archive (as an Excel .xlsx or OpenDocument .ods workbook is)', advice: `${EXPORT_AS_CSV}, or unzip it` },
  { magic: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), what: 'an Excel 97-2003 workbook (.xls)', advice: EXPORT_AS_CSV },
  { magic: Buffer.from([0x1f, 0x8b]), what: 'gzip-compressed', advice: 'name it with .gz at the end, or gunzip it' },
  // PAR1 then a page header's first byte (a CSV header may begin "PAR1,PAR2").
  { magic: Buffer.from('PAR1\x15', 'latin1'), what: 'a Parquet file', advice: 'export it as CSV or NDJSON (for example with DuckDB: COPY (SELECT * FROM \'file.parquet\') TO \'file.csv\')' },
  { magic: Buffer.from('%PDF-', 'latin1'), what: 'a PDF document', advice: 'export the data it was made from as CSV or JSON' },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), what: 'zstd-compressed', advice: DECOMPRESS },
  { magic: Buffer.from([0x42, 0x5a, 0x68]), what: 'bzip2-compressed', advice: DECOMPRESS, then: /^[1-9]1AY&SY/ },
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), what: 'xz-compressed', advice: DECOMPRESS },
];

/** What a binary input is, by its first bytes; undefined for text (and SQLite). */
function binaryFormat(head: Buffer): { what: string; advice: string } | undefined {
  return BINARY_FORMATS.find((format) => head.subarray(0, format.magic.length).equals(format.magic) && (!format.then || format.then.test(head.toString('latin1', format.magic.length, format.magic.length + 16))));
}

/** A SQLite database is binary: its bytes are passed on undecoded (the OCEL reader opens it as a file). */
function isSqlite(head: Buffer): boolean {
  return head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

/** A plain file that needs no decoding: read again from disk, and the first stream closed unread. */
async function fileAsIs(name: string, first: Readable): Promise<Rewindable> {
  first.destroy();
  return { path: name, open: () => createReadStream(name, { highWaterMark: READ_BYTES }), dispose: async () => {} };
}

/** Writes what is left of the stream (all of it, when called before reading) to a temporary file. */
export async function spool(stream: Readable): Promise<Rewindable> {
  const dir = await mkdtemp(join(tmpdir(), 'eventload-spool-'));
  const path = join(dir, 'input');
  try {
    await pipeline(stream, createWriteStream(path));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new ConfigError(`cannot read input: ${(error as Error).message}`, 'EL_INPUT_UNREADABLE');
  }
  return { path, open: () => createReadStream(path, { highWaterMark: READ_BYTES }), dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Undoes gzip. A file that breaks part way (corrupt, truncated) ends the stream cleanly with the
 * break recorded, so what was read before it is accounted for and the break is one rejected record.
 */
function gunzip(source: Readable, state: ByteState): Readable {
  const inflate = new KeepingGunzip(state);
  source.on('error', (error) => inflate.destroy(error));
  inflate.on('close', () => {
    if (!source.readableEnded) source.destroy();
  });
  inflate.once('broken', () => {
    source.unpipe(inflate);
    source.destroy();
    inflate.end();
  });
  return source.pipe(inflate);
}

/**
 * zlib's stream drops the output it still buffers when it fails: this one passes on every byte
 * inflated before the failure, then ends without an error (state.broken says why).
 */
class KeepingGunzip extends Transform {
  private readonly inflate = createGunzip();
  private failed = false;
  private waiting: TransformCallback | undefined; // the callback of the chunk (or the end) being inflated

  constructor(private readonly state: ByteState) {
    super();
    this.inflate.on('data', (data: Buffer) => this.push(data));
    this.inflate.on('error', (error: NodeJS.ErrnoException) => {
      this.failed = true;
      const truncated = error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message);
      this.state.broken = truncated
        ? { code: 'EL_GZIP_TRUNCATED', message: `the gzip file is cut off (${error.message})` }
        : { code: 'EL_GZIP_CORRUPT', message: `the gzip file is corrupt (${error.message})` };
      this.release();
      this.emit('broken');
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failed) return callback();
    this.waiting = callback;
    this.inflate.write(chunk, () => this.release(callback));
  }

  override _flush(callback: TransformCallback): void {
    if (this.failed) return callback();
    this.waiting = callback;
    this.inflate.once('end', () => this.release(callback));
    this.inflate.end();
  }

  /** Calls the waiting callback once, whichever of success or failure comes first. */
  private release(only?: TransformCallback): void {
    const callback = this.waiting;
    if (!callback || (only && only !== callback)) return;
    this.waiting = undefined;
    callback();
  }
}

/**
 * UTF-8 (checked, never re-decoded) unless something says otherwise: --encoding (or the mapping's or
 * config's "encoding") first, as the user's word; then a BOM; then an XML declaration's encoding,
 * unless an encoding was named (`--encoding utf-8` overrides a declaration that is wrong).
 */
function chooseDecoder(name: string, raw: Peeked, encoding: string | undefined, named: boolean, state: ByteState): Transform {
  if (encoding !== undefined) return new IconvToUtf8(encoding);
  const bom = bomEncoding(raw.bytes);
  if (bom === 'utf-16le' || bom === 'utf-16be') return new IconvToUtf8(bom);
  const declared = bom === undefined && !named ? declaredEncoding(raw.bytes) : undefined;
  if (declared !== undefined) return new IconvToUtf8(knownDeclared(name, declared));
  checkHeadIsUtf8(name, raw.bytes.subarray(0, HEAD_BYTES), raw.ended);
  return new Utf8Check(state);
}

/** The canonical name of an encoding an XML declaration names; exit 2 when eventload does not know it. */
function knownDeclared(name: string, declared: string): string {
  try {
    return checkEncoding(declared) ?? 'utf-8';
  } catch {
    throw new ConfigError(`${name}: its XML declaration names encoding "${declared}", which eventload does not know; pass --encoding with the file's real encoding (examples: latin1, windows-1252, shift_jis)`, 'EL_ENCODING_UNKNOWN');
  }
}

/**
 * Pipes into the next stage, carrying a stream error forward and a destroy (a reader that stops
 * early) back to the file, so its descriptor is closed: pipe alone does neither.
 */
function pipeOn(from: Readable, to: Transform): Readable {
  from.on('error', (error) => to.destroy(error));
  to.on('close', () => {
    if (!from.readableEnded) from.destroy();
  });
  return from.pipe(to);
}

interface Peeked {
  bytes: Buffer;
  ended: boolean;
  stream: Readable;
}

/**
 * Reads up to `bytes` from the start of a stream and puts them back (`unshift`), so detection
 * never costs the reader a byte and adds no copying stage to the hot path.
 */
async function peek(stream: Readable, bytes: number): Promise<Peeked> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length < bytes && !ended) {
      const chunk = stream.read() as Buffer | string | null;
      if (chunk !== null) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(buffer);
        length += buffer.length;
        continue;
      }
      ended = await waitReadable(stream);
    }
  } catch (error) {
    throw new ConfigError(`cannot read input: ${(error as Error).message}`, 'EL_INPUT_UNREADABLE');
  }
  const head = Buffer.concat(chunks);
  if (ended) return { bytes: head, ended, stream: Readable.from(head.length > 0 ? [head] : []) };
  if (head.length > 0) stream.unshift(head);
  return { bytes: head.subarray(0, bytes), ended, stream };
}

/** Resolves true at end of stream, false when more can be read; rejects on a stream error. */
function waitReadable(stream: Readable): Promise<boolean> {
  // A pipe (stdin) can emit 'end' during the read() that found the end, before anyone listens.
  if (stream.readableEnded) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const done = (value: boolean, error?: Error) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (error) reject(error);
      else resolve(value);
    };
    const onReadable = () => done(false);
    const onEnd = () => done(true);
    const onError = (error: Error) => done(false, error);
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
