// Why: the docs' examples are tested by reading them out of the Markdown itself, so the words a user
// copies are the words that run. This module finds the fenced blocks and the HTML-comment markers
// written right above them (the only way a doc says how its example is to be run).

/** A fenced code block and the markers above it. */
export interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string;
  markers: Marker[];
}

export type Marker =
  | { kind: 'not-runnable'; reason: string }
  | { kind: 'exit'; code: number }
  | { kind: 'file'; path: string }
  | { kind: 'same-as'; path: string }
  | { kind: 'skip'; commands: string[]; reason: string }
  | { kind: 'fresh-folder' }
  | { kind: 'invalid'; text: string; problem: string };

export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

/** Every fenced block of a Markdown text, with the markers in the comment lines just above it. */
export function blocksOf(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence); i++) body.push(lines[i]!);
    blocks.push({ file, line: start + 1, lang: open[3]!.toLowerCase(), body: body.join('\n'), markers: markersAbove(lines, start) });
  }
  return blocks;
}

/** Marker comments that sit above no block (a misplaced marker would silently do nothing). */
export function strayMarkers(text: string): { line: number; text: string }[] {
  const lines = text.split('\n');
  const stray: { line: number; text: string }[] = [];
  lines.forEach((raw, index) => {
    const comment = /^<!--\s*(not runnable|exit|file|same as|skip|fresh folder)\b.*-->$/.exec(raw.trim());
    if (!comment) return;
    let next = index + 1;
    while (next < lines.length && (lines[next]!.trim() === '' || /^<!--.*-->$/.test(lines[next]!.trim()))) next++;
    if (!/^\s*(```|~~~)/.test(lines[next] ?? '')) stray.push({ line: index + 1, text: raw.trim() });
  });
  return stray;
}

/** The `<!-- … -->` lines directly above a fence (blank lines between them allowed). */
function markersAbove(lines: string[], fenceIndex: number): Marker[] {
  const markers: Marker[] = [];
  for (let j = fenceIndex - 1; j >= 0; j--) {
    const line = lines[j]!.trim();
    if (line === '') continue;
    const comment = /^<!--(.*)-->$/.exec(line);
    if (!comment) break;
    markers.unshift(parseMarker(comment[1]!.trim()));
  }
  return markers;
}

export function parseMarker(text: string): Marker {
  const invalid = (problem: string): Marker => ({ kind: 'invalid', text, problem });
  if (text === 'fresh folder') return { kind: 'fresh-folder' };
  const notRunnable = /^not runnable\s*(?::\s*(.*))?$/.exec(text);
  if (notRunnable) {
    const reason = notRunnable[1]?.trim() ?? '';
    return reason.length >= 10 ? { kind: 'not-runnable', reason } : invalid('a "not runnable" marker needs its reason: <!-- not runnable: why -->');
  }
  const exit = /^exit:\s*(.*)$/.exec(text);
  if (exit) return /^\d+$/.test(exit[1]!) ? { kind: 'exit', code: Number(exit[1]) } : invalid('"exit:" takes one exit code');
  const file = /^file:\s*(\S*)$/.exec(text);
  if (file) return file[1] ? { kind: 'file', path: file[1] } : invalid('"file:" takes a relative path');
  const sameAs = /^same as:\s*(\S*)$/.exec(text);
  if (sameAs) return sameAs[1] ? { kind: 'same-as', path: sameAs[1] } : invalid('"same as:" takes a repository path');
  const skip = /^skip (.+?) because (.*)$/.exec(text);
  if (skip) {
    const reason = skip[2]!.trim();
    if (reason.length < 10) return invalid('a "skip" marker needs its reason: <!-- skip CMD, CMD because why -->');
    return { kind: 'skip', commands: skip[1]!.split(',').map((c) => c.trim()).filter(Boolean), reason };
  }
  if (/^skip\b/.test(text)) return invalid('write <!-- skip CMD, CMD because why -->');
  return invalid('unknown marker (known: "not runnable: why", "exit: N", "file: PATH", "same as: PATH", "skip CMD because why", "fresh folder")');
}

/**
 * The command lines of a shell block: `\` continuations joined, comments and blank lines dropped;
 * in a `console` block only the `$ ` lines are commands (the rest is output).
 */
export function commandsOf(block: Block): { line: number; command: string }[] {
  const commands: { line: number; command: string }[] = [];
  const raw = block.body.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const line = block.line + 1 + i;
    let text = raw[i]!;
    if (block.lang === 'console') {
      if (!text.startsWith('$ ')) continue;
      text = text.slice(2);
    }
    while (text.endsWith('\\') && i + 1 < raw.length) text = `${text.slice(0, -1).trimEnd()} ${raw[++i]!.trim()}`;
    const command = stripComment(text).trim();
    if (command !== '') commands.push({ line, command });
  }
  return commands;
}

/** A `#` that starts a word outside quotes starts a comment (as in sh). */
export function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i);
  }
  return text;
}

/** GitHub Actions steps are shell too: the `run:` lines of a YAML block. */
export function runLinesOf(block: Block): { line: number; command: string }[] {
  return block.body.split('\n').flatMap((text, i) => {
    const run = /^\s*(?:-\s+)?run:\s*(.+)$/.exec(text);
    return run && !run[1]!.startsWith('|') ? [{ line: block.line + 1 + i, command: run[1]!.trim() }] : [];
  });
}

/** A block with no language that holds a command should say it is shell (or be marked). */
export function looksLikeCommand(body: string): boolean {
  return body.split('\n').some((line) => /^\s*(\$\s+)?(eventload|npx|npm|node|export)\s/.test(line));
}
