// Turns one command's use of an option into commander Options (two for a flag with a `--no-` form).
// Choices and descriptions that list registry entries are read here, when the program is built.
import { InvalidArgumentError, Option } from 'commander';
import { optionUse, type OptionUse } from './commands.js';
import type { OptionName } from './schema.js';
import { optionSpec, textOf } from './schema.js';
import { firstMessage, type TextValue } from './values.js';

export function commanderOptions(entry: OptionName | OptionUse): Option[] {
  const use = optionUse(entry);
  const spec = optionSpec(use.name);
  const option = new Option(use.flag ?? spec.flag, textOf(use.description ?? spec.description));
  // A variadic use (`<file...>`) keeps commander's own collecting of the values.
  if (spec.text && !spec.choices && !option.variadic) option.argParser(parseWith(spec.text));
  if (spec.choices && use.choices !== false) option.choices(spec.choices());
  if (spec.default !== undefined) option.default(spec.default);
  // Only the first of two conflicting options names the conflict, so the message reads one way.
  if (spec.conflicts) option.conflicts([...spec.conflicts]);
  if (use.mandatory) option.makeOptionMandatory();
  const options = [option];
  if (spec.negation && use.negation !== false) options.push(new Option(spec.negation.flag, spec.negation.description));
  return options;
}

/** Commander's argument parser from a text value: its message becomes the usage error. */
function parseWith(text: TextValue<unknown>): (value: string) => unknown {
  return (value) => {
    const parsed = text.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(firstMessage(parsed.error));
    return parsed.data;
  };
}
