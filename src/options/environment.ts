// The credential variables of every registered target, for --help and docs/cli.md: read from the
// target registry when asked, so a target registered before the CLI runs is listed too.
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
