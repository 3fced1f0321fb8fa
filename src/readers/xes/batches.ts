// An XES log's items, batch by batch, from its bytes: the XML layer driving the walk (log.ts). What
// the reader runs, on its own thread for a small log and on a worker thread (worker.ts) for a large
// one. A file that stops being well-formed XML part way is one rejected record at the fault's line
// and column, after every event before it.
import type { ReaderItem } from '../types.js';
import { xmlParse, XmlMalformedError } from '../xml/stream.js';
import { XesLog } from './log.js';

/** `holdEvents`: the reader option (XesOptions). */
export async function* xesBatches(chunks: AsyncIterable<Uint8Array | string>, file: string, holdEvents: number): AsyncGenerator<ReaderItem[]> {
  const log = new XesLog(file, holdEvents);
  try {
    yield* xmlParse(chunks, log);
  } catch (error) {
    if (!(error instanceof XmlMalformedError)) throw error;
    yield [...log.flush(), malformed(file, error)];
  }
}

function malformed(file: string, error: XmlMalformedError): ReaderItem {
  const message = `${error.message}; the rest of the file could not be read`;
  return { kind: 'invalid', position: { file, line: error.line }, raw: '', issue: { path: 'file', message, code: 'EL_XML_MALFORMED' } };
}
