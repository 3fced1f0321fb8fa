// The OCEL reader's options: the `reader` section of a mapping file. There is one: the name that
// stands for the log in its events' keys, for logs whose object set changes between exports.
import { z } from 'zod';

export const ocelOptionsSchema = z
  .object({
    logId: z
      .string()
      .min(1)
      .optional()
      .describe("the log's name in its events' idempotency keys; by default the keys derive from the log's objects (docs/process-mining.md)"),
  })
  .strict();
export type OcelOptions = z.infer<typeof ocelOptionsSchema>;
