// The rejects file: one NDJSON line per rejected record, with everything needed to fix and resend it.
// Each run's lines follow a header line naming the run, so a file named by the user (appended to,
// never truncated) keeps every run's rejects apart; a default-named file is new for each run.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
// `code` (the first issue's reason code) lets `jq` and scripts group lines without reading messages.
import { ConfigError, formatIssues, reasonOf, type Issue, type Position } from '../errors.js';
import { checkCreatable, OutputFile, OutputOpenError, OutputWriteError } from '../output/file.js';
import type { CanonicalEvent } from '../events/canonical.js';
import { toJsonText } from '../events/exact-number.js';
import type { RawRecord } from '../readers/types.js';
import type { Stage } from '../pipeline/stage.js';
import { redact } from '../secrets/redact.js';

export interface Rejection {
  position: Position;
  stage: Stage;
  issues: Issue[];
  record?: RawRecord;
  raw?: string;
  event?: CanonicalEvent;
  status?: number;
}

/** Which run wrote the lines below it: `{"run": {"id", "startedAt", "command", "files"}}`. */
export interface RejectsHeader {
  run: { id: string; startedAt: string; command: string; files: readonly string[] };
}

/** A header line, not a rejected record: readers of rejects files pass over it. */
export function isRejectsHeader(value: unknown): value is RejectsHeader {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const run = (value as { run?: unknown }).run;
  return Object.keys(value).length === 1 && !!run && typeof run === 'object' && typeof (run as { id?: unknown }).id === 'string' && typeof (run as { startedAt?: unknown }).startedAt === 'string';
}

export interface RejectsOptions {
  /** A file the user named: appended to. Otherwise a new file (PATH, or PATH-2… when taken). */
  append?: boolean;
  /** For the header line. */
  command?: string;
  files?: readonly string[];
}

export class RejectsWriter {
  private file: OutputFile | undefined;
  private failure: OutputWriteError | undefined;
  private readonly header: RejectsHeader;
  /** The file written (a suffixed name when the default one was taken). */
  path: string;
  count = 0;
  /** Rejections whose line could not be written (disk full): not settled, so the next run rejects them again. */
  notWritten = 0;

  constructor(path: string, private readonly options: RejectsOptions = {}) {
    this.path = path;
    const run = { id: randomBytes(6).toString('hex'), startedAt: new Date().toISOString(), command: options.command ?? 'import', files: options.files ?? [] };
    this.header = { run };
  }

  /** Fails before any record is read when the file could not be written (it is created lazily, folders too). */
  async checkWritable(): Promise<void> {
    let existing;
    try {
      existing = statSync(this.path, { throwIfNoEntry: false });
    } catch {
      existing = undefined; // ENOTDIR: a file where a folder should be, which checkCreatable names
    }
    if (!existing) return checkCreatable(this.path, '--rejects');
    try {
      if (existing.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      accessSync(this.path, constants.W_OK);
    } catch (error) {
      throw new ConfigError(`--rejects ${this.path}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'EL_OUTPUT_OPEN');
    }
  }

  /**
   * Returns once the line is in the file. A write that fails (disk full) throws an OutputWriteError
   * (exit 3), and so does every write after it: the caller stops the run and leaves these records unsettled.
   */
  async write(rejection: Rejection): Promise<void> {
    const line = {
      file: rejection.position.file,
      line: rejection.position.line,
      stage: rejection.stage,
      code: reasonOf(rejection.issues),
      ...(rejection.status !== undefined && { status: rejection.status }),
      reason: formatIssues(rejection.issues),
      issues: rejection.issues,
      ...(rejection.record !== undefined && { record: rejection.record }),
      ...(rejection.raw !== undefined && { raw: rejection.raw }),
      ...(rejection.event !== undefined && { event: rejection.event }),
    };
    // Reasons quote the server, which may echo a token.
    this.append(`${redact(toJsonText(line))}\n`);
    this.count++;
  }

  async close(): Promise<void> {
    this.file?.close();
    this.file = undefined;
  }

  private append(text: string): void {
    try {
      if (this.failure) throw this.failure;
      this.open().append(text);
    } catch (error) {
      this.notWritten++;
      if (error instanceof OutputOpenError) this.failure = new OutputWriteError('--rejects', error.path, error.reason);
      else if (error instanceof OutputWriteError) this.failure = error;
      throw this.failure ?? error;
    }
  }

  // Opened on the first rejection, so a clean run leaves no empty file behind.
  private open(): OutputFile {
    if (this.file) return this.file;
    const file = this.options.append ? OutputFile.append(this.path, '--rejects') : OutputFile.createNew(this.path, '--rejects');
    this.path = file.path;
    this.file = file;
    file.append(`${JSON.stringify(this.header)}\n`);
    return file;
  }
}
