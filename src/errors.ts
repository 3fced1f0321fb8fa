// Typed errors with stable codes. Only src/cli prints them or turns them into exit codes.
import type { ReasonCode } from './reasons.js';

/** Where a record came from: the file as the user named it, and the 1-based line it starts on. */
export interface Position {
  file: string;
  line: number;
}

export function formatPosition(position: Position): string {
  return `${position.file}:${position.line}`;
}

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  someRejected: 1,
  config: 2,
  aborted: 3,
  interrupted: 130,
  terminated: 143,
  internal: 70,
} as const;

export class EventloadError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number) {
    super(message);
    this.name = 'EventloadError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad flag, bad mapping, unreadable file: nothing was sent. Exit 2. */
export class ConfigError extends EventloadError {
  constructor(message: string, code = 'EL_CONFIG') {
    super(code, message, EXIT.config);
    this.name = 'ConfigError';
  }
}

/** The run cannot go on (authentication refused, endpoint unreachable after retries). Exit 3. */
export class AbortError extends EventloadError {
  constructor(message: string, code = 'EL_ABORTED') {
    super(code, message, EXIT.aborted);
    this.name = 'AbortError';
  }
}

/** One problem with one record: a field path such as `objects[0].id` and what is wrong with it. */
export interface Issue {
  path: string;
  message: string;
  /** Stable reason code from src/reasons.ts: what the summary, --json, the rejects file and reporters group by. */
  code: ReasonCode;
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

/** A rejected record's one reason code: its first issue's (the one its message starts with). */
export function reasonOf(issues: readonly Issue[]): ReasonCode {
  return issues[0]?.code ?? 'EL_EVENT_INVALID';
}
