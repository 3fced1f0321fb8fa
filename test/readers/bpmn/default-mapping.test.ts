import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bpmnDefaultMapper, typedContent } from '../../../src/readers/bpmn/default-mapping.js';
import { isCompleted, phaseOf } from '../../../src/readers/bpmn/phases.js';
import { canonicalEventSchema, type CanonicalEvent } from '../../../src/events/canonical.js';
import type { MapResult } from '../../../src/mapping/types.js';

const fixture = fileURLToPath(new URL('../../../fixtures/bpmn/hiring.ndjson', import.meta.url));
const raw = readFileSync(fixture, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as any);
const mapper = bpmnDefaultMapper();
const position = { file: 'hiring.ndjson', line: 1 };

function map(record: Record<string, unknown>): MapResult {
  return mapper.map(record, position);
}

function mapOk(record: Record<string, unknown>): CanonicalEvent {
  const result = map(record);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return canonicalEventSchema.parse(result.event);
}

const find = (type: string, activity?: string, instance = '1201') =>
  raw.find((event) => event.type === type && (activity === undefined || event.source['bpm.name'] === activity) && event.context['bpm.starting-process-instance'].endsWith(`.${instance}`));

const CASE_1201 = '7f4c8e2a-1b6d-4f3e-9a58-3c2d1e0b9f71.2064.5be0a3c1-9d47-4e2b-8f16-0c7a9d3e2b54.1201';

describe('event names', () => {
  it('turn the type into a phase word after the activity or process name', () => {
    expect(phaseOf('bpmnx:ACTIVITY_COMPLETED')).toEqual({ subject: 'activity', phase: 'completed' });
    expect(phaseOf('bpmnx:PROCESS_STARTED')).toEqual({ subject: 'process', phase: 'started' });
    expect(phaseOf('wle:PROCESS_AT_RISK_DATE_ASSIGNED')).toEqual({ subject: 'process', phase: 'at risk date assigned' });
    expect(phaseOf('bpmnx:ACTIVITY_RESOURCE_ ASSIGNED')).toEqual({ subject: 'activity', phase: 'resource assigned' });
    expect(phaseOf('bpmnx:ACTIVITY_LOOP_CONDITION_TRUE')).toEqual({ subject: 'activity', phase: 'loop condition true' });
    expect(phaseOf('bpmnx:GATEWAY_ACTIVATED')).toEqual({ subject: 'other', phase: 'gateway activated' });
    expect([isCompleted('bpmnx:ACTIVITY_COMPLETED'), isCompleted('bpmnx:PROCESS_COMPLETED'), isCompleted('bpmnx:ACTIVITY_ACTIVE')]).toEqual([true, true, false]);

    expect(mapOk(find('bpmnx:ACTIVITY_COMPLETED', 'Submit position request')).event).toBe('Submit position request completed');
    expect(mapOk(find('bpmnx:PROCESS_STARTED')).event).toBe('Standard HR Open New Position started');
    expect(mapOk(find('wle:PROCESS_AT_RISK_DATE_ASSIGNED', undefined, '1202')).event).toBe('Standard HR Open New Position at risk date assigned');
  });

  it('fall back to the source id when the source has no name', () => {
    const event = structuredClone(find('bpmnx:ACTIVITY_READY', 'Notify hiring manager'));
    delete event.source['bpm.name'];
    expect(mapOk(event).event).toBe('bpdid:5a7e1c0b9d3f2e48:-4b21d6e3:18d9f0a2c7e:-7ff1 ready');
  });
});

describe('timestamp and idempotency key', () => {
  it('keep the raw timestamp byte for byte and use the raw event id as the key', () => {
    for (const event of raw) {
      const mapped = mapOk(event);
      expect(mapped.timestamp).toBe(event.timestamp);
      expect(mapped.idempotency_key).toBe(event.id);
    }
  });
});

describe('objects', () => {
  it('link the case, the activity instance, the performer and the tracking group', () => {
    const mapped = mapOk(find('bpmnx:ACTIVITY_COMPLETED', 'Submit position request'));
    expect(mapped.objects).toEqual([
      { type: 'Process', id: CASE_1201, qualifier: 'case', properties: { name: 'Standard HR Open New Position', process_app: 'Hiring Sample', snapshot: 'HSS v2.1' } },
      {
        type: 'Activity',
        id: `${CASE_1201}.3`,
        qualifier: 'activity',
        properties: { bpmn_type: 'bpmn:userTask', definition_id: 'bpdid:5a7e1c0b9d3f2e48:-4b21d6e3:18d9f0a2c7e:-7ffa', name: 'Submit position request' },
      },
      { type: 'User', id: 'tmiller', qualifier: 'performer', properties: { name: 'Tom Miller' } },
      { type: 'TrackingGroup', id: 'PositionRequest', qualifier: 'tracking_group' },
    ]);
  });

  it('give every lifecycle event of one activity instance the same activity object', () => {
    const ids = ['bpmnx:ACTIVITY_READY', 'bpmnx:ACTIVITY_ACTIVE', 'bpmnx:ACTIVITY_COMPLETED'].map((type) => mapOk(find(type, 'Approve or reject position request', '1202')).objects[1]);
    expect(new Set(ids.map((object) => JSON.stringify(object))).size).toBe(1);
    expect(ids[0]).toMatchObject({ type: 'Activity', id: `${CASE_1201.replace(/1201$/, '1202')}.4` });
  });

  it('mark potential performers, and a user without a role has no qualifier', () => {
    expect(mapOk(find('bpmnx:ACTIVITY_READY', 'Submit position request')).objects[2]).toEqual({ type: 'User', id: 'HiringManagers', qualifier: 'potential_performer', properties: { name: 'HiringManagers' } });
    expect(mapOk(find('bpmnx:PROCESS_STARTED')).objects).toEqual([
      expect.objectContaining({ type: 'Process', qualifier: 'case' }),
      { type: 'User', id: 'tmiller', properties: { name: 'Tom Miller' } },
    ]);
  });

  it('link only the case for process events, and no user where the event has none', () => {
    const mapped = mapOk(find('bpmnx:PROCESS_COMPLETED'));
    expect(mapped.objects.map((object) => object.type)).toEqual(['Process']);
    expect(mapOk(find('bpmnx:ACTIVITY_ACTIVE', 'Notify hiring manager')).objects.map((object) => object.type)).toEqual(['Process', 'Activity']);
  });

  it('do not take a linked process from the hierarchy for the case', () => {
    // An activity of a linked process: its parent is the linked process, the case is the caller.
    const event = structuredClone(find('bpmnx:ACTIVITY_COMPLETED', 'Notify hiring manager'));
    event.source.parent = { type: 'bpmn:process', id: 'a1b2c3d4-linked', 'bpm.name': 'Send notification', instance: { id: '1388' }, parent: { type: 'wle:toolkit', 'bpm.name': 'Notifications' } };
    const [process, activity] = mapOk(event).objects;
    expect(process).toEqual({ type: 'Process', id: CASE_1201, qualifier: 'case' });
    expect(activity).toMatchObject({ type: 'Activity', id: '1388.5' });
  });

  it('recognise the starting process by a long instance id too', () => {
    const event = structuredClone(find('bpmnx:ACTIVITY_ACTIVE', 'Submit position request'));
    event.source.parent.id = 'other-form';
    event.source.parent.instance.id = CASE_1201;
    event.source.instance.id = `${CASE_1201}.3`;
    const [process, activity] = mapOk(event).objects;
    expect(process!.properties).toEqual({ name: 'Standard HR Open New Position', process_app: 'Hiring Sample', snapshot: 'HSS v2.1' });
    expect(activity!.id).toBe(`${CASE_1201}.3`);
  });
});

describe('properties', () => {
  it('carry type, category, sequence id, snapshot, system id and the typed tracked fields', () => {
    const mapped = mapOk(find('bpmnx:ACTIVITY_COMPLETED', 'Submit position request'));
    expect(mapped.properties).toEqual({
      type: 'bpmnx:ACTIVITY_COMPLETED',
      category: 'bpmnx:BPD',
      sequence_id: 4105,
      snapshot: 'HSS v2.1',
      system_id: 'c3f1a7d2-8e4b-4a96-b5d0-6e2f9a1c7b38',
      HiringManager: 'Tom Miller',
      Department: 'Engineering',
      EmploymentStatus: 'Full-time',
      NumberOfPositions: 2,
      Salary: 85000.5,
      GMApproval: false,
      RequestedStartDate: '2024-04-15T09:00:00.000-04:00',
      Notes: null,
    });
    expect(mapOk(find('bpmnx:ACTIVITY_COMPLETED', 'Approve or reject position request')).properties).toMatchObject({ GMApproval: true, ApprovalScore: 4.5, RequisitionNumber: 202403040001 });
  });

  it('carry due and at-risk dates', () => {
    expect(mapOk(find('wle:PROCESS_DUE_DATE_ASSIGNED')).properties).toMatchObject({ due_date: '2024-03-11T09:15:02.117-04:00' });
    expect(mapOk(find('wle:PROCESS_AT_RISK_DATE_ASSIGNED', undefined, '1202')).properties).toMatchObject({ at_risk_date: '2024-03-07T17:00:00.000-05:00' });
  });

  it('type tracked field contents by their xs: type', () => {
    const typed = (type: string, content: unknown) => typedContent({ name: 'f', type, content });
    expect(typed('xs:int', '42')).toEqual({ value: 42 });
    expect(typed('xs:long', '9007199254740993')).toEqual({ value: '9007199254740993' });
    expect(typed('xs:decimal', '0.00000000')).toEqual({ value: 0 });
    expect(typed('xs:double', 1.5)).toEqual({ value: 1.5 });
    expect(typed('xs:double', '')).toEqual({ value: null });
    expect(typed('xs:boolean', 'true')).toEqual({ value: true });
    expect(typed('xs:boolean', '0')).toEqual({ value: false });
    expect(typed('xs:string', null)).toEqual({ value: null });
    expect(typed('xs:string', '')).toEqual({ value: '' });
    expect(typed('xs:dayTimeDuration', 'P0DT1H0M0S')).toEqual({ value: 'P0DT1H0M0S' });
    expect(typedContent({ name: 'f', content: '7' })).toEqual({ value: '7' });
    expect(typed('xs:int', 'many')).toEqual({ error: '"many" is not a number (xs:int)', code: 'EL_VALUE_NOT_NUMBER' });
    expect(typed('xs:boolean', 'maybe')).toEqual({ error: '"maybe" is not a boolean (xs:boolean)', code: 'EL_VALUE_NOT_BOOLEAN' });
  });

  it('reject an event whose tracked field does not fit its type, naming the field', () => {
    const event = structuredClone(find('bpmnx:ACTIVITY_COMPLETED', 'Submit position request'));
    event.data['bpm.tracking-point']['tracked-field'][3].content = 'two';
    expect(map(event)).toEqual({ ok: false, issues: [{ path: 'data.bpm.tracking-point.tracked-field[3].content', message: '"two" is not a number (xs:int)', code: 'EL_VALUE_NOT_NUMBER' }] });
  });

  it('keep a tracked field whose name the mapping uses itself under tracked_<name>', () => {
    const event = structuredClone(find('bpmnx:ACTIVITY_COMPLETED', 'Submit position request'));
    event.data['bpm.tracking-point']['tracked-field'].push({ name: 'type', type: 'xs:string', content: 'Permanent' });
    expect(mapOk(event).properties).toMatchObject({ type: 'bpmnx:ACTIVITY_COMPLETED', tracked_type: 'Permanent' });
  });
});

describe('attribute layout', () => {
  it('maps fully nested attributes (bpm: {sequenceId}) the same as dotted keys', () => {
    const dotted = find('bpmnx:ACTIVITY_COMPLETED', 'Submit position request');
    const nest = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(nest);
      if (value === null || typeof value !== 'object') return value;
      const out: Record<string, any> = {};
      for (const [key, inner] of Object.entries(value)) {
        const [head, ...rest] = key.split('.');
        if (rest.length === 0 || key.startsWith('business-events')) out[key] = nest(inner);
        else (out[head!] ??= {})[rest.join('.')] = nest(inner);
      }
      return out;
    };
    const nested = nest(dotted) as any;
    expect(nested.bpm.sequenceId).toBe(4105);
    expect(nested.source.bpm.name).toBe('Submit position request');
    expect(nested.context.bpm['starting-process-instance']).toBe(CASE_1201);
    expect(mapOk(nested)).toEqual(mapOk(dotted));
  });

  it('reports schema issues from the mapper too when records were not checked by the reader', () => {
    const event = structuredClone(raw[0]);
    delete event.context;
    expect(map(event)).toEqual({ ok: false, issues: [{ path: 'context.bpm.starting-process-instance', message: 'is required', code: 'EL_FIELD_REQUIRED' }] });
  });
});
