// Is this output a person at a terminal, and may it be coloured? Decided here and nowhere else,
// so the spinner, the summary and the tests agree.
//
// EVENTLOAD_FORCE_TTY=1 (or 0) forces the answer for every stream: it exists for tests, which run
// the CLI with pipes but need to see what a terminal would get.

interface MaybeTerminal {
  isTTY?: boolean;
  columns?: number;
}

/** A terminal a person watches: spinners and colour are welcome. CI logs are not, even on a pty. */
export function isInteractive(stream: MaybeTerminal): boolean {
  const forced = process.env.EVENTLOAD_FORCE_TTY;
  if (forced === '1') return true;
  if (forced === '0') return false;
  return Boolean(stream.isTTY) && !process.env.CI;
}

/**
 * A spinner needs a terminal with a width: a pseudo-terminal nobody sized (`script` without a
 * terminal, some containers) reports 0 columns, and ora 9 then loops forever clearing lines.
 * Such a terminal gets the plain progress lines instead.
 */
export function canAnimate(stream: MaybeTerminal): boolean {
  return isInteractive(stream) && stream.columns !== 0;
}

/** Colour only on a terminal, and never under NO_COLOR (https://no-color.org) or FORCE_COLOR=0. */
export function colorEnabled(stream: MaybeTerminal): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR === '0') return false;
  return isInteractive(stream);
}

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const plain = (text: string) => text;
const sgr = (open: number, close: number) => (text: string) => `\u001B[${open}m${text}\u001B[${close}m`;

/** Colour functions for one stream: real SGR codes when colour is enabled there, identity otherwise. */
export function paint(stream: MaybeTerminal): Paint {
  if (!colorEnabled(stream)) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };
}
