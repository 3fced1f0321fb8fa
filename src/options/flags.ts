// The flag types commands receive (ImportFlags and the others), inferred from the option table and
// the command table, so a new option is typed where it is defined and nowhere else.
import type { COMMANDS, CommandName } from './commands.js';
import type { OPTIONS, OptionName, OptionValue } from './schema.js';

type EntryName<E> = E extends OptionName ? E : E extends { name: infer N extends OptionName } ? N : never;
type Entries<C extends CommandName> = (typeof COMMANDS)[C]['options'][number];
type Mandatory<C extends CommandName> = Entries<C> extends infer E ? (E extends { mandatory: true; name: infer N } ? N : never) : never;
type Defaulted = { [N in OptionName]: (typeof OPTIONS)[N] extends { default: unknown } ? N : never }[OptionName];
type Always<C extends CommandName> = Defaulted | Mandatory<C>;

/** The options of command C as its action receives them: those with a default (or required) are always there. */
export type CommandFlags<C extends CommandName> = {
  [N in EntryName<Entries<C>> as N extends Always<C> ? N : never]: OptionValue<N>;
} & {
  [N in EntryName<Entries<C>> as N extends Always<C> ? never : N]?: OptionValue<N>;
};
