// The text --help shows after the options (environment, examples, notes, exit codes). Light on
// purpose: `eventload --help` builds it without loading the registries (see src/cli/main.ts); the
// environment block, which lists the registered targets' variables, comes from environment.ts.
import type { CommandSpec } from './commands.js';

/** What follows the option list in `eventload <command> --help`; `environment` is environmentBlock() for commands that read credentials. */
export function helpEpilogue(command: Pick<CommandSpec, 'examples' | 'notes' | 'exitCodes'>, environment?: string): string {
  const tail = [command.notes, command.exitCodes && `Exit codes: ${command.exitCodes}`].filter(Boolean).join('\n');
  const blocks = [environment, `Examples:\n${command.examples.map((line) => `  ${line}`).join('\n')}`, tail || undefined];
  return `\n${blocks.filter(Boolean).join('\n\n')}`;
}
