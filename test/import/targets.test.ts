// Each target end to end over real HTTP: the real CLI imports into a sandbox started in this
// process, and the test compares what the sandbox stored with what eventload read.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/events/canonical.js';
import { immutableBody } from '../../src/targets/immutable/index.js';
import { eventload, eventsAsRead, expectAccounted, fixturePath, importInto, parseSummary, useSandboxes, useTempDirs, writeNdjson } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

const ordersCsv = fixturePath('orders.csv');
const ordersMapping = fixturePath('orders.mapping.json');
const eventsNdjson = fixturePath('events.ndjson');

const flowmynaBody = (event: CanonicalEvent) => ({ event: event.event, timestamp: event.timestamp, objects: event.objects, ...(event.properties && { properties: event.properties }) });

describe('flowmyna end to end', () => {
  it('delivers a CSV in one batch request, bodies exactly as read', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const run = await importInto(sandbox, await tempDir(), [ordersCsv, '--mapping', ordersMapping]);
    expect(run.code, run.stderr).toBe(0);
    const events = await eventsAsRead([ordersCsv], { mapping: ordersMapping, target: 'flowmyna' });
    expect(events).toHaveLength(8);
    expect(sandbox.stats.ingestRequests).toBe(1);
    expect(sandbox.stats.stored.map((stored) => stored.body)).toEqual(events.map(flowmynaBody));
    expect(run.summary).toMatchObject({ outcome: 'completed', read: 8, valid: 8, sent: 8, accepted: 8, duplicates: 0, rejectedLocal: 0, rejectedServer: 0, retries: 0 });
    expectAccounted(run.summary);
  });

  it('sends one event per request with --batch-size 1, each under its own Idempotency-Key', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const run = await importInto(sandbox, await tempDir(), [eventsNdjson, '--batch-size', '1']);
    expect(run.code, run.stderr).toBe(0);
    const events = await eventsAsRead([eventsNdjson], { target: 'flowmyna' });
    expect(sandbox.stats.ingestRequests).toBe(events.length);
    // The key arrives as read (header), once each; the timestamp byte for byte (body).
    expect([...sandbox.stats.keyCounts.entries()].sort()).toEqual(events.map((event) => [event.idempotency_key, 1]).sort());
    const byKey = new Map(sandbox.stats.stored.map((stored) => [stored.key, stored.body]));
    for (const event of events) expect(byKey.get(event.idempotency_key)).toEqual(flowmynaBody(event));
    expect(byKey.get('inv-9001-created')?.timestamp).toBe('2024-05-02T08:00:00.123456+02:00');
    expect(run.summary).toMatchObject({ read: 4, accepted: 4, requests: 4 });
  });
});

describe('immutable end to end', () => {
  it('delivers a CSV in one batch, with the mapped actor, resource, tenant, time and key', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const run = await importInto(sandbox, await tempDir(), [ordersCsv, '--mapping', ordersMapping]);
    expect(run.code, run.stderr).toBe(0);
    const events = await eventsAsRead([ordersCsv], { mapping: ordersMapping, target: 'immutable' });
    const options = { tenant_id: 'shop-eu', action_category: 'orders' }; // targets.immutable in the mapping
    expect(sandbox.stats.stored.map((stored) => stored.body)).toEqual(events.map((event) => immutableBody(event, options)));
    expect(sandbox.stats.stored[0]!.body).toMatchObject({ actor_id: 'u-ana', action: 'Order placed', resource: 'Order', resource_id: 'SO-1001', tenant_id: 'shop-eu', occurred_at: '2024-03-01T09:15:00+01:00' });
    expect([...sandbox.stats.keyCounts.keys()].sort()).toEqual(events.map((event) => event.idempotency_key).sort());
    expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
    expect(run.summary).toMatchObject({ read: 8, accepted: 8, duplicates: 0, requests: 1 });
  });

  it('sends one event per request with --batch-size 1, timestamps and keys as read', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const run = await importInto(sandbox, await tempDir(), [eventsNdjson, '--batch-size', '1']);
    expect(run.code, run.stderr).toBe(0);
    const events = await eventsAsRead([eventsNdjson], { target: 'immutable' });
    expect(sandbox.stats.ingestRequests).toBe(4);
    const stored = new Map(sandbox.stats.stored.map((entry) => [entry.body.idempotency_key, entry.body.occurred_at]));
    expect(stored).toEqual(new Map(events.map((event) => [event.idempotency_key, event.timestamp])));
    expect(stored.get('inv-9001-created')).toBe('2024-05-02T08:00:00.123456+02:00');
  });

  it('counts an event the log already holds as a duplicate, not as a new one', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const first = await importInto(sandbox, dir, [eventsNdjson]);
    // Without the journal the events are sent again, and the log's deduplication answers "duplicate".
    const second = await importInto(sandbox, dir, [eventsNdjson, '--no-journal']);
    expect(first.summary).toMatchObject({ accepted: 4, duplicates: 0 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ accepted: 0, duplicates: 4 });
    expect(sandbox.stats.stored).toHaveLength(4);
  });

  it('does not send again what the journal says was delivered', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    await importInto(sandbox, dir, [eventsNdjson]);
    const requests = sandbox.stats.ingestRequests;
    const second = await importInto(sandbox, dir, [eventsNdjson]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ read: 4, accepted: 0, duplicates: 0, skipped: 4, skippedByJournal: 4 });
    expect(sandbox.stats.ingestRequests).toBe(requests);
  });
});

describe('flaring end to end', () => {
  const mapping = {
    event: { const: 'Flaring Event' },
    timestamp: 'flared_at',
    objects: [{ type: { const: 'flare_stack' }, id: 'stack_id', qualifier: { const: 'target' } }],
    properties: { volume_mscf: { column: 'volume', as: 'number' }, reason: 'reason', notes: 'notes' },
  };
  const csv = [
    'stack_id,flared_at,volume,reason,notes',
    'STK-1,2024-02-01T06:00:00Z,120.5,planned,routine',
    'STK-2,2024-02-01T07:30:00+01:00,80,emergency,compressor trip',
    'STK-3,2024-02-03T09:00:00Z,10,accidental,reason not among the options',
    'STK-2,2024-02-04T10:00:00Z,,unplanned,volume missing',
  ].join('\n');

  async function inputs(dir: string, mappingOverride: Record<string, unknown> = {}) {
    const csvPath = join(dir, 'flares.csv');
    const mappingPath = join(dir, 'flares.mapping.json');
    await writeFile(csvPath, `${csv}\n`);
    await writeFile(mappingPath, JSON.stringify({ ...mapping, ...mappingOverride }));
    return { csvPath, mappingPath };
  }

  it('logs in, resolves the event type by name, sends valid events and rejects the others locally', async () => {
    const sandbox = await startSandbox({ target: 'flaring' });
    const dir = await tempDir();
    const { csvPath, mappingPath } = await inputs(dir);
    const run = await importInto(sandbox, dir, [csvPath, '--mapping', mappingPath]);
    expect(run.code, run.stderr).toBe(1);
    expect(sandbox.stats.stored.map((stored) => stored.body)).toEqual([
      { event_type_id: 1, entity_id: 'STK-1', entity_type: 'flare_stack', occurred_at: '2024-02-01T06:00:00Z', fields: { volume_mscf: 120.5, reason: 'planned', notes: 'routine' } },
      { event_type_id: 1, entity_id: 'STK-2', entity_type: 'flare_stack', occurred_at: '2024-02-01T07:30:00+01:00', fields: { volume_mscf: 80, reason: 'emergency', notes: 'compressor trip' } },
    ]);
    expect(run.summary).toMatchObject({ read: 4, accepted: 2, rejectedLocal: 2, rejectedServer: 0 });
    expectAccounted(run.summary);
    // Nothing the server would refuse was sent: every ingest request succeeded.
    expect(sandbox.stats.statusCounts['422']).toBeUndefined();
    expect(run.rejects.map((reject) => [reject.line, reject.stage, reject.reason])).toEqual([
      [4, 'target', 'properties.reason: must be one of "planned", "unplanned", "emergency" for event type "Flaring Event"'],
      [5, 'target', 'properties.volume_mscf: is required by event type "Flaring Event"'],
    ]);
  });

  it('resolves several event types by name (any case) and checks each against its own fields', async () => {
    const sandbox = await startSandbox({ target: 'flaring' });
    const dir = await tempDir();
    const site = (id: string) => [{ type: 'site', id, qualifier: 'target' }];
    const file = await writeNdjson(join(dir, 'site.ndjson'), [
      { event: 'Flaring Event', timestamp: '2024-02-01T06:00:00Z', objects: site('S-1'), properties: { volume_mscf: 3, reason: 'planned' } },
      { event: 'gas leak', timestamp: '2024-02-01T07:00:00Z', objects: site('S-1'), properties: { severity: 'high', ppm: 350 } },
      { event: 'Inspection', timestamp: '2024-02-01T08:00:00Z', objects: site('S-2'), properties: { inspector: 'J. Doe', passed: 'yes' } },
      { event: 'Gas Leak', timestamp: '2024-02-01T09:00:00Z', objects: site('S-2'), properties: { severity: 'low', ppm: '12' } },
      { event: 'Venting', timestamp: '2024-02-01T10:00:00Z', objects: site('S-3') },
    ]);
    const run = await importInto(sandbox, dir, [file]);
    expect(run.code, run.stderr).toBe(1);
    expect(sandbox.stats.stored.map((stored) => [stored.body.event_type_id, stored.body.entity_id])).toEqual([
      [1, 'S-1'],
      [2, 'S-1'],
      [3, 'S-2'],
    ]);
    expect(run.rejects.map((reject) => reject.reason)).toEqual([
      expect.stringMatching(/^properties\.ppm: must be a number for event type "Gas Leak"/),
      'event: no flaring event type is named "Venting" (known: Flaring Event, Gas Leak, Inspection)',
    ]);
    // The event types and each type's fields are fetched once per run, not once per event.
    expect(sandbox.stats.requests).toBe(1 + 1 + 3 + 3); // login, types, fields × 3, events × 3
  });

  it('sends every event with targets.flaring.event_type_id when the mapping names one', async () => {
    const sandbox = await startSandbox({ target: 'flaring' });
    const dir = await tempDir();
    const { csvPath, mappingPath } = await inputs(dir, { event: { const: 'Anything' }, targets: { flaring: { event_type_id: 1 } } });
    const run = await importInto(sandbox, dir, [csvPath, '--mapping', mappingPath]);
    expect(run.summary).toMatchObject({ accepted: 2, rejectedLocal: 2 });
    expect(sandbox.stats.stored.map((stored) => stored.body.event_type_id)).toEqual([1, 1]);
  });
});

describe('import --sandbox (the quick start)', () => {
  it.each(['flowmyna', 'immutable'])('imports the orders fixture into a %s sandbox with no account', async (target) => {
    const dir = await tempDir();
    const run = await eventload(dir, ['import', ordersCsv, '--mapping', ordersMapping, '--target', target, '--sandbox']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`started a local ${target} sandbox at http://127\\.0\\.0\\.1:\\d+`));
    expect(run.stdout).toMatch(/^import finished/);
    expect(run.stdout).toMatch(/accepted +8/);
    expect(run.stdout).toContain(`the ${target} sandbox received 1 requests and stored 8 events`);
  });

  it('imports flaring events into a flaring sandbox, logging in with the sandbox account', async () => {
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'flares.ndjson'), [
      { event: 'Flaring Event', timestamp: '2024-02-01T06:00:00Z', objects: [{ type: 'flare_stack', id: 'STK-1' }], properties: { volume_mscf: 12.5, reason: 'planned' } },
      { event: 'Flaring Event', timestamp: '2024-02-01T07:00:00Z', objects: [{ type: 'flare_stack', id: 'STK-2' }], properties: { volume_mscf: 3, reason: 'unplanned' } },
    ]);
    const run = await eventload(dir, ['import', file, '--target', 'flaring', '--sandbox']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('the flaring sandbox received 2 requests and stored 2 events');
  });

  it('prints only the JSON summary with --json', async () => {
    const dir = await tempDir();
    const run = await eventload(dir, ['import', ordersCsv, '--mapping', ordersMapping, '--target', 'immutable', '--sandbox', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(parseSummary(run)).toMatchObject({ target: 'immutable', accepted: 8, outcome: 'completed' });
  });
});
