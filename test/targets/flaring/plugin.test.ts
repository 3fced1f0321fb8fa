// The flaring target's local field check: the event type's fields (required, number, text,
// select options, unknown names) checked before sending, with messages that say what to do.
import { describe, expect, it } from 'vitest';
import { checkFields } from '../../../src/targets/flaring/index.js';

const fields = [
  { name: 'volume_mscf', type: 'number', required: true },
  { name: 'reason', type: 'select', required: true, options: ['planned', 'unplanned', 'emergency'] },
  { name: 'notes', type: 'text', required: false },
];

describe('flaring field check', () => {
  it('passes fields that match the event type', () => {
    expect(checkFields({ volume_mscf: 12.5, reason: 'planned', notes: 'ok' }, fields, 'Flaring Event')).toEqual([]);
    expect(checkFields({ volume_mscf: 0, reason: 'emergency' }, fields, 'Flaring Event')).toEqual([]);
  });

  it('names a missing required field', () => {
    expect(checkFields({ reason: 'planned' }, fields, 'Flaring Event')).toEqual([{ path: 'properties.volume_mscf', message: 'is required by event type "Flaring Event"', code: 'EL_FLARING_FIELD_REQUIRED' }]);
  });

  it('asks for a number where the type wants one, and says how to map it', () => {
    const [issue] = checkFields({ volume_mscf: '12.5', reason: 'planned' }, fields, 'Flaring Event');
    expect(issue?.path).toBe('properties.volume_mscf');
    expect(issue?.message).toMatch(/must be a number.*"as": "number"/);
  });

  it('lists the options of a select field', () => {
    const [issue] = checkFields({ volume_mscf: 1, reason: 'accidental' }, fields, 'Flaring Event');
    expect(issue).toEqual({ path: 'properties.reason', message: 'must be one of "planned", "unplanned", "emergency" for event type "Flaring Event"', code: 'EL_FLARING_FIELD_OPTION' });
  });

  it('refuses a text field that is not text, as the server does', () => {
    const [issue] = checkFields({ volume_mscf: 1, reason: 'planned', notes: 42 }, fields, 'Flaring Event');
    expect(issue?.path).toBe('properties.notes');
  });

  it('names fields the event type does not have, and the ones it has', () => {
    const [issue] = checkFields({ volume_mscf: 1, reason: 'planned', colour: 'red' }, fields, 'Flaring Event');
    expect(issue?.path).toBe('properties.colour');
    expect(issue?.message).toContain('volume_mscf, reason, notes');
  });
});
