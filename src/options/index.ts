// The one option schema: what every flag is, which command takes it, and what a --config file may
// hold. Everything that needs an option's definition imports it from here.
export { COMMANDS, PROGRAM, commandSpecs, commandsTaking, optionUse, type ArgumentSpec, type CommandName, type CommandSpec, type OptionUse } from './commands.js';
export { commanderOptions } from './commander.js';
export type { CommandFlags } from './flags.js';
export { OPTIONS, REPORTERS, REQUEST_TIMEOUT_FACTOR, longFlag, optionNames, optionSpec, textOf, type OptionName, type OptionSpec, type OptionValue, type Text } from './schema.js';
export { helpEpilogue } from './help.js';
export { credentialLines, environmentBlock, type CredentialLine } from './environment.js';
export { cliReference, REGENERATE } from './reference.js';
