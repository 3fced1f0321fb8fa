// BPMN reader: the raw events IBM Business Automation Workflow emits (`business-events-extension-version`
// "bpmn/…"), from any shape the JSON reader knows (one per line, a JSON array, an OpenSearch _bulk
// file). Each record is checked against the documented attributes and rejected alone, naming the
// attribute, when it does not fit. The default mapping (default-mapping.ts) needs no file.
import { formatIssues } from '../../errors.js';
import { toJsonText } from '../../events/exact-number.js';
import { readJsonRecords } from '../json/reader.js';
import type { ReaderPlugin } from '../types.js';
import { bpmnDefaultMapper } from './default-mapping.js';
import { bpmnOptionsSchema, type BpmnOptions } from './options.js';
import { isCompleted, phaseOf } from './phases.js';
import { checkBpmnEvent, looksLikeBpmn } from './schema.js';

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
