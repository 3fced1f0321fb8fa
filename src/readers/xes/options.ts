// The XES reader's options: the `reader` section of a mapping file and the flags that feed it,
// checked before any byte is read. They shape the default mapping (docs/process-mining.md).
import { z } from 'zod';

export const xesOptionsSchema = z.object({
  caseType: z.string().min(1).max(100).default('Case').describe("the object type of each event's case object (the trace)"),
  resourceType: z.string().min(1).max(100).default('Resource').describe('the object type of the org:resource object'),
  lifecycleInName: z
    .boolean()
    .default(false)
    .describe('append lifecycle:transition to the event name ("decide+complete"), for logs that record both start and complete'),
  holdEvents: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .default(100)
    .describe("events of one trace held until the trace ends, so that trace attributes written after its events still reach them all; a longer trace's events are read on as they come"),
});
export type XesOptions = z.infer<typeof xesOptionsSchema>;
