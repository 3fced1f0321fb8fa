// The one streaming XML layer every XML format builds on (XES, OCEL XML): decoded UTF-8 bytes in,
// batches of element events out, each with its line and column, so a reader can say where a record
// came from and memory stays at one chunk of the file. Parsing is saxes' (chosen over sax by
// measurement: BENCHMARKS.md, "Issue 15: streaming XML parser"); this module only adapts its callbacks
// to an async iterable of batches, one batch per chunk read, so a consumer pays one asynchronous step
// per chunk rather than per element. saxes never expands external entities or DTD-declared ones, so a
// hostile file cannot read local files or blow up memory through entity expansion.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * Positions are 1-based lines and columns (columns count characters): an open tag's is its `<`, a
 * close tag's its `>` (a self-closing tag's close repeats its open's), a text's is where it ends.
 */
export type XmlEvent =
  | { kind: 'open'; name: string; attributes: Record<string, string>; selfClosing: boolean; line: number; column: number }
  | { kind: 'close'; name: string; line: number; column: number }
  | { kind: 'text'; text: string; line: number; column: number };

export const XML_MALFORMED = 'EL_XML_MALFORMED';

/** The document is not well-formed XML at this place; everything before it was delivered as events. */
export class XmlMalformedError extends Error {
  readonly code = XML_MALFORMED;

  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`not well-formed XML at line ${line}, column ${column}: ${reason}`);
    this.name = 'XmlMalformedError';
  }
}

export interface XmlEventOptions {
  /**
   * Deliver character data (text and CDATA) between tags. Off for formats that keep every value in
   * attributes (XES), which then pay nothing for the whitespace between elements. Whitespace-only
   * text is never delivered.
   */
  text?: boolean;
}

/**
 * What a format reader gives the layer to be called back synchronously, element by element, as
 * saxes reads: a reader that builds its records straight from these calls allocates nothing per
 * element beyond what saxes already made (XES does). Positions are as for XmlEvent; `attributes` is
 * the object saxes made for the tag.
 */
export interface XmlHandler<T> {
  open(name: string, attributes: Record<string, string>, selfClosing: boolean, line: number, column: number): void;
  close(name: string, line: number, column: number): void;
  /** Character data (text and CDATA) between tags; whitespace-only text is never delivered. Without it, none is. */
  text?(text: string, line: number, column: number): void;
  /** What the calls since the last take completed: handed out once per chunk read when not empty. */
  take(): T[];
}

/**
 * Runs a handler over a document, yielding its `take()` after each chunk. A malformed document ends
 * the iteration with an XmlMalformedError, thrown after what the handler completed before the fault
 * (no call reaches the handler after it).
 */
export async function* xmlParse<T>(stream: Readable | AsyncIterable<Buffer | Uint8Array | string>, handler: XmlHandler<T>): AsyncGenerator<T[]> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let failure: XmlMalformedError | undefined;
  // Where the tag being read began: saxes reports positions after a tag, a reader wants its start.
  let tagLine = 1;
  let tagColumn = 1;
  parser.on('opentagstart', (tag) => {
    if (failure) return;
    tagLine = parser.line;
    tagColumn = parser.column - tag.name.length - 1; // saxes has read `<name` and one more character (0-based): back to the `<`, 1-based
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (failure) return;
    handler.open(tag.name, tag.attributes, tag.isSelfClosing, tagLine, tagColumn);
    if (tag.isSelfClosing) handler.close(tag.name, tagLine, tagColumn);
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (!failure && !tag.isSelfClosing) handler.close(tag.name, parser.line, parser.column);
  });
  if (handler.text) {
    const onText = (text: string) => {
      if (!failure && text.trim() !== '') handler.text!(text, parser.line, parser.column + 1);
    };
    parser.on('text', onText);
    parser.on('cdata', onText);
  }
  parser.on('error', (error: Error) => {
    // Only the first fault counts: saxes goes on after one, and what follows it is unreliable.
    failure ??= new XmlMalformedError(error.message.replace(/^(?:[^:\n]*:)?\d+:\d+: /, '').replace(/\.$/, ''), parser.line, parser.column + 1);
  });

  const decoder = new StringDecoder('utf8');
  for await (const chunk of stream) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    const done = handler.take();
    if (done.length > 0) yield done;
    if (failure) throw failure;
  }
  const rest = decoder.end();
  if (rest) parser.write(rest);
  parser.close();
  const done = handler.take();
  if (done.length > 0) yield done;
  if (failure) throw failure;
}

/**
 * The element events of a document, in batches (one per chunk read). A malformed document ends the
 * iteration with an XmlMalformedError, thrown after the batch holding every event before the fault.
 */
export function xmlEvents(stream: Readable | AsyncIterable<Buffer | string>, options: XmlEventOptions = {}): AsyncGenerator<XmlEvent[]> {
  let batch: XmlEvent[] = [];
  const handler: XmlHandler<XmlEvent> = {
    open: (name, attributes, selfClosing, line, column) => batch.push({ kind: 'open', name, attributes, selfClosing, line, column }),
    close: (name, line, column) => batch.push({ kind: 'close', name, line, column }),
    take: () => {
      const done = batch;
      batch = [];
      return done;
    },
  };
  if (options.text) handler.text = (text, line, column) => batch.push({ kind: 'text', text, line, column });
  return xmlParse(stream, handler);
}
