// BPMN reader: the raw events IBM Business Automation Workflow emits (`business-events-extension-version`
// "bpmn/…"), from any shape the JSON reader knows (one per line, a JSON array, an OpenSearch _bulk
// file). Each record is checked against the documented attributes and rejected alone, naming the
// attribute, when it does not fit. The default mapping (src/bpmn/default-mapping.ts) needs no file.
import { z } from 'zod';
import { formatIssues } from '../errors.js';
import { bpmnDefaultMapper } from '../bpmn/default-mapping.js';
import { isCompleted, phaseOf } from '../bpmn/phases.js';
import { checkBpmnEvent, looksLikeBpmn } from '../bpmn/schema.js';
import { toJsonText } from '../events/exact-number.js';
import { readJsonRecords } from './json.js';
import { maxDepthOption } from './json-value.js';
import type { ReaderPlugin } from './types.js';

export const bpmnOptionsSchema = z.object({
  phases: z
    .enum(['all', 'completed'])
    .default('all')
    .describe('all: every lifecycle event; completed: only PROCESS_COMPLETED and ACTIVITY_COMPLETED (one event per activity), the rest counted as skipped'),
  maxRecordBytes: z.number().int().positive().default(1024 * 1024).describe('a record larger than this is rejected'),
  maxDepth: maxDepthOption,
});
export type BpmnOptions = z.infer<typeof bpmnOptionsSchema>;

export const bpmnReader = {
  name: 'bpmn',
  description: 'IBM Business Automation Workflow BPMN raw events: one per line, a JSON array, or an OpenSearch _bulk file',
  extensions: ['.bpmn.json', '.bpmn.ndjson', '.bpmn.jsonl'],
  optionsSchema: bpmnOptionsSchema,
  sniff: looksLikeBpmn,
  async *read(input, options) {
    for await (const item of readJsonRecords(input, options.maxRecordBytes, options.maxDepth)) {
      if (item.kind !== 'record') {
        yield item;
        continue;
      }
      const checked = checkBpmnEvent(item.record);
      if (!checked.ok) {
        const [first, ...rest] = checked.issues;
        const message = rest.length === 0 ? first!.message : `${first!.message} (also ${formatIssues(rest)})`;
        yield { kind: 'invalid', position: item.position, raw: toJsonText(item.record), issue: { path: first!.path, message, code: 'EL_BPMN_INVALID' } };
        continue;
      }
      const type = checked.event.type;
      if (options.phases === 'completed' && !isCompleted(type)) {
        yield { kind: 'skipped', position: item.position, reason: `${type} (phase "${phaseOf(type).phase}") is not a completed event (phases: completed)` };
        continue;
      }
      yield item;
    }
  },
  defaultMapper() {
    return bpmnDefaultMapper();
  },
} satisfies ReaderPlugin<BpmnOptions>;
