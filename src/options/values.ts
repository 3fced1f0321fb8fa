// The value kinds options share, each twice: how a command-line string becomes a value (with the
// messages users already know, "expected a whole number, got …"), and what a --config file may hold.
// The two differ on purpose where they always did: the command line accepts 0 for every whole
// number and leaves "at least 1" to the command, so its message names the flag.
import { z } from 'zod';

/** Turns command-line text into a value; a bad value fails with the message the user sees. */
export type TextValue<T> = z.ZodType<T, string>;

/** A command-line string parsed by `read`, or the issue `message(text)` when it returns undefined. */
function textValue<T>(read: (text: string) => T | undefined, message: (text: string) => string): TextValue<T> {
  return z.string().transform((text, context) => {
    const value = read(text);
    if (value === undefined) {
      context.addIssue({ code: 'custom', message: message(text) });
      return z.NEVER;
    }
    return value;
  });
}

function finiteNumber(text: string): number | undefined {
  const number = Number(text);
  return text.trim() === '' || !Number.isFinite(number) || number < 0 ? undefined : number;
}

/** Text as it is (file names, URLs, zone names). */
export const anyText: TextValue<string> = z.string();

/** A whole number of at least 0. */
export const wholeNumberText = textValue((text) => {
  const number = finiteNumber(text);
  return number !== undefined && Number.isInteger(number) ? number : undefined;
}, (text) => `expected a whole number, got "${text}"`);

/** A number of at least 0. */
export const numberText = textValue(finiteNumber, (text) => `expected a number, got "${text}"`);

/** A percentage from 0 to 100. */
export const percentText = textValue((text) => {
  const number = finiteNumber(text);
  return number !== undefined && number <= 100 ? number : undefined;
}, (text) => `expected a percentage from 0 to 100, got "${text}"`);

/** A whole number, or `auto` (any case, surrounding blanks ignored). */
export const concurrencyText: TextValue<number | 'auto'> = textValue<number | 'auto'>((text) => {
  if (text.trim().toLowerCase() === 'auto') return 'auto';
  const parsed = wholeNumberText.safeParse(text);
  return parsed.success ? parsed.data : undefined;
}, (text) => `expected a whole number, got "${text}"`);

/** The first message of a failed parse: what a command-line error says. */
export function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid value';
}

// What a --config file may hold.
export const wholeNumber = (minimum: number) => z.number().int().min(minimum);
export const nonEmptyText = () => z.string().min(1);
