// How eventload opens a file it writes (rejects, --out, --report, --junit, init's mapping), so that
// no run ever destroys a file it did not just create: a user's data, another run's rejects, an
// input. Three ways, chosen per output and documented in docs/operations.md ("Files eventload writes"):
// - `new`: created exclusively (O_EXCL); when the name is taken, `NAME-2.EXT`, `NAME-3.EXT`… so two
//   runs started in the same second each get their own file;
// - `append`: opened for appending, never truncated (a rejects file the user named keeps every run);
// - `replace`: a whole document written to a temporary file and renamed over the old one, allowed
//   only over an empty file or one `isOwn` recognises as eventload's own earlier output.
// Missing parent folders are created. Writes are synchronous: when `append` returns, the bytes are
// in the file (the journal may then settle what they record), and a full disk is known at once.
import { accessSync, closeSync, constants, existsSync, ftruncateSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { ErrorCode, EXIT } from '../codes.js';
import { AbortError, ConfigError } from '../errors.js';

/** Suffixes tried before giving up on a free name (a folder with 1,000 runs of one second is not normal). */
const MAX_SUFFIX = 1000;

/** The output could not be written (disk full, I/O error): the run stops, exit 3. */
export class OutputWriteError extends AbortError {
  constructor(readonly flag: string, readonly path: string, readonly reason: string) {
    super(`${flag} ${path}: cannot write (${reason})`, 'EL_OUTPUT_WRITE');
    this.name = 'OutputWriteError';
  }
}

/** The output could not be opened (no such folder, no permission, name taken): before the run, exit 2. */
export class OutputOpenError extends ConfigError {
  constructor(readonly flag: string, readonly path: string, readonly reason: string, code: ErrorCode<typeof EXIT.config> = 'EL_OUTPUT_OPEN') {
    super(`${flag} ${path}: ${reason}`, code);
    this.name = 'OutputOpenError';
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? 'error';
}

/** `rejects/orders.ndjson` → `rejects/orders-2.ndjson` (the extension kept, so readers still recognise it). */
export function suffixed(path: string, n: number): string {
  if (n <= 1) return path;
  const name = basename(path);
  const ext = name.endsWith('.ndjson.gz') ? '.ndjson.gz' : extname(name);
  return join(dirname(path), `${name.slice(0, name.length - ext.length)}-${n}${ext}`);
}

/** Creates the folders above `path`; a failure is left to the open that follows, which names it. */
function makeParents(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch {
    // e.g. EACCES, ENOTDIR: the open reports it with the file's name
  }
}

/** A file open for writing lines, created (`new`) or appended to (`append`). */
export class OutputFile {
  private constructor(private readonly fd: number, readonly path: string, readonly flag: string, private size: number) {}

  /** A new file: PATH, or PATH-2, PATH-3… when the name is taken. Never opens an existing file. */
  static createNew(path: string, flag: string): OutputFile {
    makeParents(path);
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const candidate = suffixed(path, n);
      try {
        return new OutputFile(openSync(candidate, 'wx'), candidate, flag, 0);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw new OutputOpenError(flag, candidate, `cannot write (${errorCode(error)})`);
      }
    }
    throw new OutputOpenError(flag, path, `${MAX_SUFFIX} files of that name exist already; clear them away`);
  }

  /**
   * PATH created exclusively; an existing file is refused (exit 2), unless it is empty (made by
   * mktemp, say) or not a regular file (/dev/stdout, a pipe), which hold nothing to destroy.
   */
  static create(path: string, flag: string): OutputFile {
    makeParents(path);
    try {
      return new OutputFile(openSync(path, 'wx'), path, flag, 0);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw new OutputOpenError(flag, path, `cannot write (${errorCode(error)})`);
    }
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && (!stat.isFile() || stat.size === 0)) return OutputFile.append(path, flag);
    throw new OutputOpenError(flag, path, 'already exists; eventload does not overwrite it (remove it, or name another file)', 'EL_OUTPUT_EXISTS');
  }

  /** PATH, created when missing, written after what it holds (never truncated). */
  static append(path: string, flag: string): OutputFile {
    makeParents(path);
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o666);
      return new OutputFile(fd, path, flag, fstatSync(fd).size);
    } catch (error) {
      throw new OutputOpenError(flag, path, `cannot write (${errorCode(error)})`);
    }
  }

  /**
   * Writes the text whole, or not at all: a write cut short (disk full) is cut back, so the file
   * never ends in half a line, and the error names the file and the cause.
   */
  append(text: string): void {
    const bytes = Buffer.from(text);
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
    } catch (error) {
      if (written > 0) {
        try {
          ftruncateSync(this.fd, this.size);
        } catch {
          // the half line stays; readers reject it as invalid JSON, alone
        }
      }
      throw new OutputWriteError(this.flag, this.path, errorCode(error));
    }
    this.size += bytes.length;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed, or a close error after every write succeeded: nothing more to record
    }
  }
}

/**
 * May a whole document be written at PATH? Yes when nothing is there, when the file is empty, or when
 * `isOwn` says it is eventload's own earlier output of that kind; otherwise a ConfigError naming it.
 * Called before the run reads or sends anything.
 */
export function checkReplaceable(path: string, flag: string, isOwn: (text: string) => boolean): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new ConfigError(`${flag} ${path}: is a folder`, 'EL_OUTPUT_OPEN');
    if (!stat.isFile()) return; // a device or a pipe (/dev/stdout): written to, nothing to destroy
    size = stat.size;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    checkCreatable(path, flag);
    return;
  }
  if (size === 0) return;
  let own = false;
  try {
    own = size <= 64 * 1024 * 1024 && isOwn(readFileSync(path, 'utf8'));
  } catch {
    own = false;
  }
  if (!own) throw new ConfigError(`${flag} ${path}: already exists and was not written by eventload; eventload does not overwrite it (remove it, or name another file)`, 'EL_OUTPUT_EXISTS');
}

/** A missing file can be created: the nearest folder above it that exists is a folder we may write in. */
export function checkCreatable(path: string, flag: string): void {
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new OutputOpenError(flag, path, `cannot write (${errorCode(error)})`);
  }
}

/**
 * Writes a whole document: into a temporary file beside PATH, then renamed over it, so a failure
 * (disk full) leaves the earlier file as it was, never half written. A device or pipe is written directly.
 */
export function replaceFile(path: string, text: string, flag: string): void {
  makeParents(path);
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && !stat.isFile() && !stat.isDirectory()) {
      writeFileSync(path, text);
      return;
    }
  } catch (error) {
    throw new OutputWriteError(flag, path, errorCode(error));
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    rmSync(temporary, { force: true }); // left by a killed run that had this pid
    writeFileSync(temporary, text, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new OutputWriteError(flag, path, errorCode(error));
  }
}

/** Creates PATH with this text, exclusively: an existing file (or a dangling link) is EEXIST. */
export function createFileExclusively(path: string, text: string, flag: string): void {
  makeParents(path);
  try {
    writeFileSync(path, text, { flag: 'wx' });
  } catch (error) {
    if (errorCode(error) === 'EEXIST') throw new ConfigError(`${flag} ${path}: already exists; eventload does not overwrite it (remove it, or name another file)`, 'EL_OUTPUT_EXISTS');
    throw new ConfigError(`${flag} ${path}: cannot write (${errorCode(error)})`, 'EL_OUTPUT_OPEN');
  }
}
