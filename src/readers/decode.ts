// Text encodings at the byte layer. Readers only ever see UTF-8 bytes: UTF-8 input passes through
// after a cheap validity check (never re-decoded), anything else is decoded by iconv-lite's
// streaming decoder and re-encoded as UTF-8, so a character split across read chunks stays whole
// and line feeds (hence line numbers) are kept exactly. Invalid UTF-8 is never silently turned into
// U+FFFD: the first bytes decide whether the file is UTF-8 at all, and later invalid bytes mark the
// input so the pipeline rejects each record that holds them.
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { ConfigError } from '../errors.js';

/** What the byte layer found while reading, shared with the pipeline (which rejects records by it). */
export interface InputState {
  /** Invalid UTF-8 was seen and replaced by U+FFFD: records holding U+FFFD are rejected. */
  invalidUtf8: boolean;
}

const UTF8_NAMES = new Set(['utf8', 'utf-8', 'unicode-1-1-utf-8']);

/** The encoding's canonical name, or undefined for UTF-8 (the fast path); exit 2 for an unknown name. */
export function checkEncoding(name: string | undefined, where = '--encoding'): string | undefined {
  if (name === undefined) return undefined;
  const normal = name.trim().toLowerCase();
  if (UTF8_NAMES.has(normal)) return undefined;
  if (!iconv.encodingExists(normal)) {
    throw new ConfigError(`${where}: unknown encoding "${name}" (examples: utf-8, latin1, windows-1252, utf-16le, shift_jis)`, 'EL_ENCODING_UNKNOWN');
  }
  return normal;
}

/** The encoding a byte order mark announces: UTF-8 or UTF-16 (LE/BE). */
export function bomEncoding(head: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * The encoding an XML declaration at the very start of a file names (`<?xml version="1.0"
 * encoding="ISO-8859-1"?>`), as the name was written; undefined when there is none, or it names
 * UTF-8 or ASCII (read as UTF-8, of which ASCII is a part). An XML file says what it is in its first
 * line, and older process-mining tools write Latin-1 logs that say so. Without a BOM, UTF-16 shows in
 * the declaration's own bytes (XML 1.0, appendix F); a UTF-16 name in a declaration written in
 * single bytes contradicts itself and is passed over, leaving the UTF-8 check to judge the file.
 */
export function declaredEncoding(head: Buffer): string | undefined {
  if (head.subarray(0, 4).equals(UTF16LE_DECLARATION)) return 'utf-16le';
  if (head.subarray(0, 4).equals(UTF16BE_DECLARATION)) return 'utf-16be';
  const declaration = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._:-]*)\1/.exec(head.subarray(0, 256).toString('latin1'));
  const name = declaration?.[2];
  if (name === undefined || /^(utf-?8|(us-)?ascii|utf-?(16|32)(le|be)?|ucs-?[24])$/i.test(name)) return undefined;
  return name;
}

const UTF16LE_DECLARATION = Buffer.from('<?', 'utf16le');
const UTF16BE_DECLARATION = Buffer.from([0x00, 0x3c, 0x00, 0x3f]);

/**
 * Stops (exit 2) when the head of a file shows it is in another encoding: two or more invalid
 * sequences, outnumbering the valid multi-byte characters. One stray bad byte in a UTF-8 file does
 * not stop the run: that record alone is rejected.
 */
export function checkHeadIsUtf8(name: string, head: Buffer, ended: boolean): void {
  const { invalid, multibyte } = scanUtf8(head, ended);
  if (invalid < 2 || invalid <= multibyte) return;
  const guess = guessEncoding(head);
  const flag = guess === undefined ? 'windows-1252' : guess === 'iso-8859-1' ? 'windows-1252' : guess;
  const looks = guess === undefined ? 'another encoding' : guess === 'iso-8859-1' ? 'Latin-1 / Windows-1252' : guess;
  throw new ConfigError(
    `${name}: is not UTF-8 (${invalid} invalid byte sequences in its first ${head.length} bytes); it looks like ${looks}: pass --encoding ${flag} (or "encoding" in the mapping's reader section); nothing was sent`,
    'EL_ENCODING_NOT_UTF8',
  );
}

function guessEncoding(head: Buffer): string | undefined {
  const found = chardet.analyse(head).find((match) => !/^(utf-8|ascii)$/i.test(match.name));
  return found?.name.toLowerCase();
}

/** Counts invalid sequences and valid multi-byte characters. */
function scanUtf8(bytes: Buffer, ended: boolean): { invalid: number; multibyte: number } {
  let invalid = 0;
  let multibyte = 0;
  const end = ended ? bytes.length : bytes.length - incompleteTail(bytes);
  for (let i = 0; i < end; ) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(bytes, i, end);
    if (length > 0) {
      multibyte++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return { invalid, multibyte };
}

/** The length of the valid multi-byte sequence starting at `at`, or 0 when it is invalid. */
function sequenceLength(bytes: Buffer, at: number, end: number): number {
  const lead = bytes[at]!;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || at + length > end) return 0;
  return isUtf8(bytes.subarray(at, at + length)) ? length : 0;
}

/** How many bytes at the end of `bytes` begin a multi-byte sequence that the next chunk may finish. */
export function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > back ? back : 0;
    }
  }
  return 0;
}

/**
 * Passes UTF-8 through untouched, dropping a BOM. A chunk that is not valid (rare) is re-encoded with
 * U+FFFD in place of each bad sequence and the input is marked, so the pipeline rejects those records.
 */
export class Utf8Check extends Transform {
  private carry: Buffer | undefined; // the start of a character the next chunk finishes
  private first = true;

  constructor(private readonly state: InputState) {
    super();
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let chunk = this.carry ? Buffer.concat([this.carry, data]) : data;
    this.carry = undefined;
    if (this.first && chunk.length < 3 && isBomPrefix(chunk)) {
      this.carry = chunk; // too short to tell whether it is a BOM yet
      return callback();
    }
    if (this.first) {
      this.first = false;
      if (bomEncoding(chunk) === 'utf-8') chunk = chunk.subarray(3);
    }
    const tail = incompleteTail(chunk);
    if (tail > 0) {
      this.carry = Buffer.from(chunk.subarray(chunk.length - tail));
      chunk = chunk.subarray(0, chunk.length - tail);
    }
    callback(null, this.checked(chunk));
  }

  override _flush(callback: TransformCallback): void {
    // A character cut off by the end of the file is an invalid sequence too.
    if (this.carry && this.carry.length > 0) callback(null, this.checked(this.carry));
    else callback();
  }

  private checked(chunk: Buffer): Buffer {
    if (isUtf8(chunk)) return chunk;
    this.state.invalidUtf8 = true;
    return Buffer.from(chunk.toString('utf8'), 'utf8');
  }
}

function isBomPrefix(chunk: Buffer): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < chunk.length; i++) if (chunk[i] !== bom[i]) return false;
  return true;
}

/** Decodes any encoding iconv-lite knows into UTF-8 bytes; its decoder keeps split characters whole and drops a BOM. */
export class IconvToUtf8 extends Transform {
  private readonly decoder;

  constructor(encoding: string) {
    super();
    this.decoder = iconv.getDecoder(encoding);
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.decoder.write(data);
    callback(null, text.length > 0 ? Buffer.from(text, 'utf8') : undefined);
  }

  override _flush(callback: TransformCallback): void {
    const text = this.decoder.end() ?? '';
    callback(null, text.length > 0 ? Buffer.from(text, 'utf8') : undefined);
  }
}

/** True when a record read from text with U+FFFD replacements holds one (iterative: no recursion on the input's depth). */
export function holdsReplacement(record: unknown): boolean {
  const stack: unknown[] = [record];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\uFFFD')) return true;
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.includes('\uFFFD')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}
