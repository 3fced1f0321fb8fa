// Typed errors with stable codes. Only src/cli prints them or turns them into exit codes. The code
// is typed to the table in src/codes.ts, and the exit code comes from there: an error cannot carry a
// code the table does not list, nor an exit code other than its code's.
import { exitCodeOf, type ErrorCode, type EXIT, type ReasonCode } from './codes.js';

export { EXIT } from './codes.js';

/** Where a record came from: the file as the user named it, and the 1-based line it starts on. */
export interface Position {
  file: string;
  line: number;
}

export function formatPosition(position: Position): string {
  return `${position.file}:${position.line}`;
}

export class EventloadError extends Error {
  readonly exitCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EventloadError';
    this.exitCode = exitCodeOf(code);
  }
}

/** Bad flag, bad mapping, unreadable file: nothing was sent. Exit 2. The code says which (docs/codes.md). */
export class ConfigError extends EventloadError {
  constructor(message: string, code: ErrorCode<typeof EXIT.config>) {
    super(code, message);
    this.name = 'ConfigError';
  }
}

/** The run cannot go on (authentication refused, endpoint unreachable after retries). Exit 3. */
export class AbortError extends EventloadError {
  constructor(message: string, code: ErrorCode<typeof EXIT.aborted>) {
    super(code, message);
    this.name = 'AbortError';
  }
}

/** One problem with one record: a field path such as `objects[0].id` and what is wrong with it. */
export interface Issue {
  path: string;
  message: string;
  /** Stable reason code from src/codes.ts: what the summary, --json, the rejects file and reporters group by. */
  code: ReasonCode;
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

/** A rejected record's one reason code: its first issue's (the one its message starts with). */
export function reasonOf(issues: readonly Issue[]): ReasonCode {
  return issues[0]?.code ?? 'EL_EVENT_INVALID';
}
