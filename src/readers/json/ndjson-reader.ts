// NDJSON / JSON Lines reader: one JSON object per line; blank lines skipped; CRLF and a BOM at the
// start of any line tolerated. An invalid line is one rejected record naming its line, never the end of the run.
import { splitLines } from '../lines-split.js';
import type { ReaderPlugin } from '../types.js';
import { parseRecordText } from './json-value.js';
import { ndjsonOptionsSchema, type NdjsonOptions } from './options.js';

export const ndjsonReader = {
  name: 'ndjson',
  description: 'one JSON object per line (.ndjson, .jsonl); canonical events need no mapping',
  extensions: ['.ndjson', '.jsonl'],
  optionsSchema: ndjsonOptionsSchema,
  async *read(input, options) {
    for await (const line of splitLines(input.stream, options.maxRecordBytes)) {
      const position = { file: input.name, line: line.number };
      if (line.tooLong !== undefined) {
        yield { kind: 'invalid', position, raw: `${line.text}…`, issue: { path: 'record', message: `line is ${line.tooLong} bytes, over the limit of ${options.maxRecordBytes} (--max-record-size)`, code: 'EL_RECORD_TOO_LARGE' } };
        continue;
      }
      // A BOM starts the first line of a file written by many Windows tools, and any line of files
      // concatenated from them (cat *.ndjson): JSON has no use for it.
      const text = line.text.charCodeAt(0) === 0xfeff ? line.text.slice(1) : line.text;
      if (text.trim() === '') continue;
      yield parseRecordText(text, position, options.maxDepth);
    }
  },
} satisfies ReaderPlugin<NdjsonOptions>;
