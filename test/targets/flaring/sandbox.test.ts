// Flaring sandbox: login and expiring tokens, event-type catalogue, field validation, listing.
import { describe, expect, it } from 'vitest';
import { SANDBOX_LOGIN } from '../../../src/targets/flaring/sandbox-auth.js';
import { get, post, sleep, useSandboxes, VALID } from '../../sandbox/helpers.js';

const start = useSandboxes();
const EVENT = VALID.flaring.body;

async function login(sandbox: Parameters<typeof post>[0]): Promise<string> {
  const response = await post(sandbox, '/api/v1/auth/token', SANDBOX_LOGIN, { token: null });
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

describe('flaring sandbox', () => {
  it('issues a bearer token for the sandbox login and refuses wrong credentials', async () => {
    const sandbox = await start({ target: 'flaring' });
    const ok = await post(sandbox, '/api/v1/auth/token', SANDBOX_LOGIN, { token: null });
    expect(ok.body).toMatchObject({ token_type: 'bearer', expires_in: 86400 });
    expect(ok.body.access_token.split('.')).toHaveLength(3);
    const wrong = await post(sandbox, '/api/v1/auth/token', { ...SANDBOX_LOGIN, password: 'nope' }, { token: null });
    expect(wrong).toMatchObject({ status: 401, body: { detail: 'Incorrect email or password' } });
  });

  it('accepts a valid event with a login token and stores it', async () => {
    const sandbox = await start({ target: 'flaring' });
    const token = await login(sandbox);
    const response = await post(sandbox, '/events', EVENT, { token });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ id: 1, event_type_id: 1, entity_id: 'stack-7', fields: EVENT.fields });
    expect(response.body.created_at).toEqual(expect.any(String));
    expect(sandbox.stats.stored).toHaveLength(1);
    const listed = await get(sandbox, '/events?entity_id=stack-7&event_type_id=1');
    expect(listed.body).toHaveLength(1);
    const single = await get(sandbox, '/api/v1/events/1');
    expect(single.body.id).toBe(1);
  });

  it('answers 401 once a login token has expired, and for unknown tokens', async () => {
    const sandbox = await start({ target: 'flaring', tokenTtlSeconds: 0.2 });
    const token = await login(sandbox);
    expect((await get(sandbox, '/event-types', { token })).status).toBe(200);
    await sleep(300);
    const expired = await post(sandbox, '/events', EVENT, { token });
    expect(expired).toMatchObject({ status: 401, body: { detail: 'Could not validate credentials' } });
    expect(expired.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get(sandbox, '/event-types', { token: 'forged.token.here' })).status).toBe(401);
    expect((await get(sandbox, '/event-types')).status).toBe(200); // the static token never expires
  });

  it('lists the seeded event types and their fields', async () => {
    const sandbox = await start({ target: 'flaring' });
    const types = await get(sandbox, '/event-types');
    expect(types.body.map((type: { name: string }) => type.name)).toEqual(['Flaring Event', 'Gas Leak', 'Inspection']);
    expect(types.body[0]).toMatchObject({ id: 1, state: 'active' });
    const fields = await get(sandbox, '/event-types/1/fields');
    expect(fields.body).toEqual([
      { id: 1, name: 'volume_mscf', type: 'number', required: true },
      { id: 2, name: 'reason', type: 'select', required: true, options: ['planned', 'unplanned', 'emergency'] },
      { id: 3, name: 'notes', type: 'text', required: false },
    ]);
    expect((await get(sandbox, '/event-types/99')).status).toBe(404);
  });

  it('rejects fields that break the event type: missing, mistyped, off-list, unknown', async () => {
    const sandbox = await start({ target: 'flaring' });
    const response = await post(sandbox, '/events', {
      ...EVENT,
      fields: { volume_mscf: '12', reason: 'boredom', flare_colour: 'orange' },
    });
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual([
      { loc: ['body', 'fields', 'volume_mscf'], msg: 'Input should be a valid number', type: 'float_type' },
      { loc: ['body', 'fields', 'reason'], msg: "Input should be 'planned', 'unplanned' or 'emergency'", type: 'enum' },
      { loc: ['body', 'fields', 'flare_colour'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
    const missing = await post(sandbox, '/events', { ...EVENT, event_type_id: 2, fields: {} });
    expect(missing.body.detail).toEqual([{ loc: ['body', 'fields', 'severity'], msg: 'Field required', type: 'missing' }]);
    expect(sandbox.stats.stored).toHaveLength(0);
  });

  it('rejects an unknown event type and a malformed envelope', async () => {
    const sandbox = await start({ target: 'flaring' });
    const unknown = await post(sandbox, '/events', { ...EVENT, event_type_id: 9 });
    expect(unknown).toMatchObject({ status: 422, body: { detail: 'Unknown event type 9' } });
    const malformed = await post(sandbox, '/events', { ...EVENT, entity_id: '', occurred_at: '01/03/2024' });
    expect(malformed.body.detail.map((item: { loc: unknown[] }) => item.loc)).toEqual([
      ['body', 'entity_id'],
      ['body', 'occurred_at'],
    ]);
  });

  it('validates events against event types and fields created over the API', async () => {
    const sandbox = await start({ target: 'flaring' });
    const type = await post(sandbox, '/event-types', { name: 'Venting', description: 'Cold vent' });
    expect(type).toMatchObject({ status: 201, body: { id: 4, name: 'Venting', state: 'active' } });
    const field = await post(sandbox, '/event-types/4/fields', { name: 'duration_min', type: 'number', required: true });
    expect(field).toMatchObject({ status: 201, body: { name: 'duration_min', type: 'number', required: true } });
    expect((await post(sandbox, '/event-types/4/fields', { name: 'kind', type: 'select' })).status).toBe(422);
    const event = await post(sandbox, '/events', { ...EVENT, event_type_id: 4, fields: { duration_min: 30 } });
    expect(event.status).toBe(201);
  });
});
