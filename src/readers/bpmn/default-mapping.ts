// The default mapping of BPMN raw events to canonical events, used when no mapping file maps
// `event`/`timestamp`/`objects` (docs/bpmn.md is the user-facing description).
//
// Event name: `<source.bpm.name> <phase>`, where the phase is the `type` in words (phases.ts):
//   the namespace (`bpmnx:`, `wle:`) and a leading PROCESS_ / ACTIVITY_ are dropped and the rest is
//   written in lower case with spaces:
//     bpmnx:ACTIVITY_COMPLETED on "Submit position request"        → "Submit position request completed"
//     bpmnx:PROCESS_STARTED on "Standard HR Open New Position"     → "Standard HR Open New Position started"
//     wle:PROCESS_AT_RISK_DATE_ASSIGNED on the process              → "… at risk date assigned"
//   For process events the source is the process, so the name is the process name. Without a
//   `source.bpm.name` the source id stands in. Which phases are loaded is the reader's `phases` option.
//
// Objects: the process instance that started the work (`context.bpm.starting-process-instance`,
// type "Process", qualifier "case"), the activity (or gateway/event) instance the event is about,
// the user (`user.id`, qualifier from `user.bpm.role`), and the tracking group.
//
// The model hierarchy (`source.parent`, recursive: activity → process → process app) describes
// where the element is defined, not who called whom: an activity of a linked process has that
// linked process as parent, while the case is the starting process. So the hierarchy only adds
// properties (name, process app, snapshot) to the case object when it contains the starting
// process itself, and the case object's type is always "Process" rather than a name that would
// differ between the starting and a linked process.
import type { Issue } from '../../errors.js';
import type { ReasonCode } from '../../codes.js';
import type { CanonicalEvent, CanonicalObject } from '../../events/canonical.js';
import type { MapResult, RecordMapper } from '../../mapping/types.js';
import { phaseOf } from './phases.js';
import { checkBpmnEvent, type BpmnEvent, type BpmnNode, type TrackedField } from './schema.js';

export const PROCESS_TYPE = 'Process';
export const USER_TYPE = 'User';
export const TRACKING_GROUP_TYPE = 'TrackingGroup';

/** The event properties the default mapping sets itself; a tracked field with one of these names becomes `tracked_<name>`. */
const OWN_PROPERTIES = new Set(['type', 'category', 'sequence_id', 'snapshot', 'system_id', 'due_date', 'at_risk_date']);

/**
 * The reader has checked every record it yields: checkBpmnEvent hands back its remembered result
 * (schema.ts), so the schema runs once per record (tested). Only a record that never went through
 * the reader (a unit test) is checked here.
 */
export function bpmnDefaultMapper(): RecordMapper {
  return {
    columns: [],
    map(record): MapResult {
      const checked = checkBpmnEvent(record);
      return checked.ok ? mapBpmnEvent(checked.event) : { ok: false, issues: checked.issues };
    },
  };
}

/** Maps one checked raw event. */
export function mapBpmnEvent(raw: BpmnEvent): MapResult {
  const issues: Issue[] = [];
  const { subject, phase } = phaseOf(raw.type);
  const source = raw.source;
  const startingInstance = raw.context['bpm.starting-process-instance'];

  const objects: CanonicalObject[] = [processObject(source, startingInstance)];
  const element = subject === 'process' || source.type === 'bpmn:process' ? undefined : elementObject(source, startingInstance);
  if (element) objects.push(element);
  if (raw.user) {
    const user: CanonicalObject = { type: USER_TYPE, id: raw.user.id };
    const role = raw.user['bpm.role'];
    if (role) user.qualifier = role.toLowerCase();
    if (raw.user['bpm.name']) user.properties = { name: raw.user['bpm.name'] };
    objects.push(user);
  }
  const point = raw['data.bpm.tracking-point'];
  const group = point?.['tracking-group'];
  const groupId = typeof group === 'string' ? group : (group?.name ?? group?.id);
  if (groupId) objects.push({ type: TRACKING_GROUP_TYPE, id: groupId, qualifier: 'tracking_group' });

  const properties: Record<string, unknown> = { type: raw.type, category: raw.category, sequence_id: raw['bpm.sequenceId'] };
  if (source['bpm.snapshot-name'] !== undefined) properties.snapshot = source['bpm.snapshot-name'];
  if (raw['system.id'] !== undefined) properties.system_id = raw['system.id'];
  if (raw['bpm.dueDate'] !== undefined) properties.due_date = raw['bpm.dueDate'];
  if (raw['bpm.atRiskDate'] !== undefined) properties.at_risk_date = raw['bpm.atRiskDate'];
  point?.['tracked-field']?.forEach((field, index) => {
    const typed = typedContent(field);
    if ('error' in typed) {
      issues.push({ path: `data.bpm.tracking-point.tracked-field[${index}].content`, message: typed.error, code: typed.code });
      return;
    }
    properties[OWN_PROPERTIES.has(field.name) ? `tracked_${field.name}` : field.name] = typed.value;
  });
  if (issues.length > 0) return { ok: false, issues };

  const event: CanonicalEvent = {
    event: `${source['bpm.name'] ?? source.id} ${phase}`,
    // Already ISO 8601 with its offset (checked by the schema): kept byte for byte.
    timestamp: raw.timestamp,
    objects,
    properties,
    idempotency_key: raw.id,
  };
  return { ok: true, event };
}

/** The case: the process instance that started the work, with what the hierarchy says about it. */
function processObject(source: BpmnEvent['source'], startingInstance: string): CanonicalObject {
  const object: CanonicalObject = { type: PROCESS_TYPE, id: startingInstance, qualifier: 'case' };
  const chain = hierarchy(source);
  const at = chain.findIndex((node) => isStartingProcess(node, startingInstance));
  if (at === -1) return object;
  const process = chain[at]!;
  const above = chain.slice(at + 1);
  const app = above.find((node) => /processapp/i.test(node.type ?? '')) ?? above[above.length - 1];
  const properties: Record<string, unknown> = {};
  if (process['bpm.name'] !== undefined) properties.name = process['bpm.name'];
  if (app?.['bpm.name'] !== undefined) properties.process_app = app['bpm.name'];
  const snapshot = process['bpm.snapshot-name'] ?? app?.['bpm.snapshot-name'];
  if (snapshot !== undefined) properties.snapshot = snapshot;
  if (Object.keys(properties).length > 0) object.properties = properties;
  return object;
}

/**
 * The starting process appears in the hierarchy as a `bpmn:process` whose instance id is the
 * starting instance, or, where instance ids are short numbers, whose definition id begins the
 * starting instance id (`<process id>.<snapshot id>.<instance number>`).
 */
function isStartingProcess(node: BpmnNode, startingInstance: string): boolean {
  if (node.type !== 'bpmn:process') return false;
  if (node['instance.id'] !== undefined && node['instance.id'] === startingInstance) return true;
  return node.id !== undefined && startingInstance.startsWith(`${node.id}.`);
}

/** The activity, gateway or event instance; its id is unique only within its process instance, so that instance is prefixed. */
function elementObject(source: BpmnEvent['source'], startingInstance: string): CanonicalObject | undefined {
  const instance = source['instance.id'];
  if (instance === undefined) return undefined;
  const process = hierarchy(source)
    .slice(1)
    .find((node) => node.type === 'bpmn:process');
  const processInstance = process === undefined || isStartingProcess(process, startingInstance) ? startingInstance : (process['instance.id'] ?? startingInstance);
  const id = instance.startsWith(`${processInstance}.`) ? instance : `${processInstance}.${instance}`;
  const kind = /gateway/i.test(source.type) ? 'Gateway' : /event$/i.test(source.type) ? 'Event' : 'Activity';
  const properties: Record<string, unknown> = { bpmn_type: source.type, definition_id: source.id };
  if (source['bpm.name'] !== undefined) properties.name = source['bpm.name'];
  return { type: kind, id, qualifier: kind.toLowerCase(), properties };
}

function hierarchy(source: BpmnNode): BpmnNode[] {
  const chain: BpmnNode[] = [];
  for (let node: BpmnNode | undefined = source; node !== undefined; node = node.parent) chain.push(node);
  return chain;
}

const NUMBER_TYPES = new Set([
  'int',
  'integer',
  'long',
  'short',
  'byte',
  'decimal',
  'double',
  'float',
  'unsignedint',
  'unsignedlong',
  'unsignedshort',
  'unsignedbyte',
  'nonnegativeinteger',
  'nonpositiveinteger',
  'positiveinteger',
  'negativeinteger',
]);

/**
 * A tracked field's content by its XML Schema type: numbers and booleans become JSON numbers and
 * booleans, an empty or missing value becomes null, everything else (strings, dates, durations)
 * stays as written. An integer too large for a JSON number keeps its digits as a string.
 */
export function typedContent(field: TrackedField): { value: unknown } | { error: string; code: ReasonCode } {
  const content = field.content;
  if (content === undefined || content === null) return { value: null };
  const type = (field.type ?? 'xs:string').replace(/^[^:]*:/, '').toLowerCase();
  if (NUMBER_TYPES.has(type)) {
    if (typeof content === 'number') return { value: content };
    if (typeof content !== 'string') return { error: `must be a number (${field.type}), got ${typeof content}`, code: 'EL_VALUE_NOT_NUMBER' };
    const trimmed = content.trim();
    if (trimmed === '') return { value: null };
    const number = Number(trimmed);
    if (!Number.isFinite(number)) return { error: `"${clip(content)}" is not a number (${field.type})`, code: 'EL_VALUE_NOT_NUMBER' };
    if (Number.isInteger(number) && !Number.isSafeInteger(number) && /^[+-]?\d+$/.test(trimmed)) return { value: trimmed };
    return { value: number };
  }
  if (type === 'boolean') {
    if (typeof content === 'boolean') return { value: content };
    const word = String(content).trim();
    if (word === 'true' || word === '1') return { value: true };
    if (word === 'false' || word === '0') return { value: false };
    if (word === '') return { value: null };
    return { error: `"${clip(String(content))}" is not a boolean (${field.type})`, code: 'EL_VALUE_NOT_BOOLEAN' };
  }
  return { value: content };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
