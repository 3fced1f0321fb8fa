// How an error that ends a run is shown: one line on stderr, `eventload: EL_CODE: what went wrong`
// (one line, so cron mail and log greps see all of it, and the code first, so scripts can match
// on it), and, when the command line asked for JSON, one JSON object on stdout in place of the
// summary, so a script parsing stdout gets an answer for a failed run too. docs/codes.md says so.
import type { ErrorCode } from '../codes.js';

/** The message on one line: a message may quote a multi-line server answer or file content. */
function oneLine(message: string): string {
  return message.replace(/\s*\r?\n\s*/g, ' ').trim();
}

export function errorLine(code: ErrorCode, message: string): string {
  return `eventload: ${code}: ${oneLine(message)}\n`;
}

/** The stdout of a run that failed with --json: one object, indented like the summaries. */
export function errorJson(code: ErrorCode, message: string): string {
  return `${JSON.stringify({ outcome: 'error', error: { code, message: oneLine(message) } }, null, 2)}\n`;
}

/**
 * Whether the command line asks for JSON on stdout: `--json`, or `--reporter json` (validate),
 * among the arguments before `--`, for a command that has the flag. Read from the arguments, not
 * from commander: an error may come before commander has parsed them (a usage error). A config
 * file's "json" is not read: the error may be that very file.
 */
export function asksForJson(args: readonly string[], flags: ReadonlySet<string>): boolean {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  return options.some(
    (arg, i) =>
      (flags.has('--json') && arg === '--json') ||
      (flags.has('--reporter') && (arg === '--reporter=json' || (arg === '--reporter' && options[i + 1] === 'json'))),
  );
}
