// The text --help shows after the options (environment, examples, notes, exit codes), built from the
// command table and the target registry; docs/cli.md is built from the same pieces.
import { allTargets } from '../targets/index.js';
import type { CommandSpec } from './commands.js';

export interface CredentialLine {
  variable: string;
  target: string;
  help: string;
}

/** Every credential variable of every registered target, in registry order. */
export function credentialLines(): CredentialLine[] {
  return allTargets().flatMap((target) => target.credentials.map((credential) => ({ variable: credential.variable, target: target.name, help: credential.help })));
}

function environmentBlock(): string {
  const lines = credentialLines();
  const width = Math.max(...lines.map((line) => line.variable.length)) + 3;
  return `Environment (tokens are read from here, never from flags):\n${lines.map((line) => `  ${line.variable.padEnd(width)}${line.target}: ${line.help}`).join('\n')}`;
}

/** What follows the option list in `eventload <command> --help`. */
export function helpEpilogue(command: Pick<CommandSpec, 'examples' | 'notes' | 'exitCodes' | 'environment'>): string {
  const tail = [command.notes, command.exitCodes && `Exit codes: ${command.exitCodes}`].filter(Boolean).join('\n');
  const blocks = [command.environment ? environmentBlock() : undefined, `Examples:\n${command.examples.map((line) => `  ${line}`).join('\n')}`, tail || undefined];
  return `\n${blocks.filter(Boolean).join('\n\n')}`;
}
