// The variables eventload reads, for --help and docs/cli.md. Credentials come from the target
// registry when asked, so a target registered before the CLI runs is listed too; the others are
// listed below (a test checks that every variable the code reads by name is among them).
import { allTargets } from '../targets/index.js';

export interface CredentialLine {
  variable: string;
  target: string;
  help: string;
}

/** Every credential variable of every registered target, in registry order. */
export function credentialLines(): CredentialLine[] {
  return allTargets().flatMap((target) => target.credentials.map((credential) => ({ variable: credential.variable, target: target.name, help: credential.help })));
}

/** The Environment block of `import --help` (and of every command that reads credentials). */
export function environmentBlock(): string {
  const lines = credentialLines();
  const width = Math.max(...lines.map((line) => line.variable.length)) + 3;
  return `Environment (tokens are read from here, never from flags):\n${lines.map((line) => `  ${line.variable.padEnd(width)}${line.target}: ${line.help}`).join('\n')}`;
}

export interface SettingLine {
  variable: string;
  value: string;
  /** The page of docs/ that tells more. */
  doc: string;
}

/** The variables that are not credentials. */
export const SETTING_LINES: readonly SettingLine[] = [
  { variable: 'EVENTLOAD_JOURNAL', value: 'the journal used when --journal names none (default: .eventload/journal.db in the current folder)', doc: 'journal.md' },
  { variable: 'EVENTLOAD_READER_THREAD', value: '`off` (or 0): read every input on one thread; `on` (or 1): parse XES on a second thread whatever its size; unset: over 4 MiB, with two cores or more', doc: 'operations.md#concurrency-and-batches' },
  { variable: 'EVENTLOAD_DEBUG', value: 'set: an internal error (exit 70) prints its stack', doc: 'operations.md#troubleshooting' },
  { variable: 'EVENTLOAD_FORCE_TTY', value: '1 (or 0): behave as on a terminal (or not) whatever the output is; for tests', doc: 'operations.md#output-at-a-terminal-in-cron-in-ci-logs' },
  { variable: 'CI', value: 'set: even a pseudo-terminal is not a terminal (no spinner, no colour)', doc: 'operations.md#output-at-a-terminal-in-cron-in-ci-logs' },
  { variable: 'NO_COLOR', value: 'set to anything but the empty string: no colour', doc: 'operations.md#output-at-a-terminal-in-cron-in-ci-logs' },
  { variable: 'FORCE_COLOR', value: '0: no colour', doc: 'operations.md#output-at-a-terminal-in-cron-in-ci-logs' },
];
