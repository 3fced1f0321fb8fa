// The BPMN reader's options: the `reader` section of a mapping file and the flags that feed it,
// checked before any byte is read. `phases` is BPMN's own; the size and depth limits are the JSON readers'.
import { z } from 'zod';
import { DEFAULT_MAX_RECORD_BYTES } from '../types.js';
import { maxDepthOption } from '../json/options.js';

export const bpmnOptionsSchema = z.object({
  phases: z
    .enum(['all', 'completed'])
    .default('all')
    .describe('all: every lifecycle event; completed: only PROCESS_COMPLETED and ACTIVITY_COMPLETED (one event per activity), the rest counted as skipped'),
  maxRecordBytes: z.number().int().positive().default(DEFAULT_MAX_RECORD_BYTES).describe('a record larger than this is rejected'),
  maxDepth: maxDepthOption,
});
export type BpmnOptions = z.infer<typeof bpmnOptionsSchema>;
