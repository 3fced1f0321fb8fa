// The rejects file: one NDJSON line per rejected record, with everything needed to fix and resend it.
// `code` (the first issue's reason code) lets `jq` and scripts group lines without reading messages.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ConfigError, formatIssues, reasonOf, type Issue, type Position } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';
import type { RawRecord } from '../readers/types.js';
import type { Stage } from '../pipeline/read-events.js';

export interface Rejection {
  position: Position;
  stage: Stage;
  issues: Issue[];
  record?: RawRecord;
  raw?: string;
  event?: CanonicalEvent;
  status?: number;
}

export class RejectsWriter {
  private stream: WriteStream | undefined;
  count = 0;

  constructor(readonly path: string) {}

  /** Fails before any record is read when the file could not be written (it is created lazily). */
  async checkWritable(): Promise<void> {
    const { access, stat } = await import('node:fs/promises');
    const { constants } = await import('node:fs');
    const { dirname } = await import('node:path');
    try {
      const existing = await stat(this.path).catch(() => undefined);
      if (existing?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      await access(existing ? this.path : dirname(this.path), constants.W_OK);
    } catch (error) {
      throw new ConfigError(`--rejects ${this.path}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  async write(rejection: Rejection): Promise<void> {
    const stream = await this.open();
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
    this.count++;
    if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    const stream = this.stream;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  // Opened on the first rejection, so a clean run leaves no empty file behind.
  private async open(): Promise<WriteStream> {
    if (this.stream) return this.stream;
    const stream = createWriteStream(this.path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new ConfigError(`--rejects ${this.path}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    this.stream = stream;
    return stream;
  }
}
