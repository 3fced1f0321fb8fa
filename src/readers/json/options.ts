// The options of the JSON-based readers (JSON, NDJSON, and through them BPMN and rejects files):
// the `reader` section of a mapping file and the flags that feed it, checked before any byte is read.
import { z } from 'zod';
import { DEFAULT_MAX_RECORD_BYTES } from '../types.js';
import { DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING } from '../../events/json-text.js';

export const maxDepthOption = z
  .number()
  .int()
  .min(1)
  .max(MAX_DEPTH_CEILING)
  .default(DEFAULT_MAX_DEPTH)
  .describe(`a record nested deeper than this many levels is rejected (EL_RECORD_TOO_DEEP); at most ${MAX_DEPTH_CEILING}`);

export const jsonOptionsSchema = z.object({
  maxRecordBytes: z.number().int().positive().default(DEFAULT_MAX_RECORD_BYTES).describe('a record larger than this is rejected'),
  maxDepth: maxDepthOption,
  records: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe('when the file is one JSON object wrapping its records, the member whose array holds them: "data", or a dot path such as "result.items"'),
});
export type JsonOptions = z.infer<typeof jsonOptionsSchema>;

export const ndjsonOptionsSchema = z.object({
  maxRecordBytes: z.number().int().positive().default(DEFAULT_MAX_RECORD_BYTES).describe('a line longer than this is rejected'),
  maxDepth: maxDepthOption,
});
export type NdjsonOptions = z.infer<typeof ndjsonOptionsSchema>;
