// The CSV reader's options: the `reader` section of a mapping file and the flags that feed it
// (--delimiter, --max-record-size), checked before any byte is read.
import { z } from 'zod';
import { DEFAULT_MAX_RECORD_BYTES } from '../types.js';

export const csvOptionsSchema = z.object({
  delimiter: z
    .string()
    .transform((value) => (value === 'tab' || value === '\\t' ? '\t' : value))
    .pipe(z.string().length(1, 'must be one character (or "tab")'))
    .optional()
    .describe('field delimiter; when not given, an Excel sep= line names it, else it is detected from the header line (, ; tab |)'),
  maxRecordBytes: z.number().int().positive().default(DEFAULT_MAX_RECORD_BYTES).describe('a record larger than this is rejected'),
});
export type CsvOptions = z.infer<typeof csvOptionsSchema>;
