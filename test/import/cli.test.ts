// The import command's contract with its user: dry runs, JSON output, plain-http safety, exit
// codes, an unreachable endpoint, and Ctrl-C in the middle of a slow import.
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { immutableBody } from '../../src/targets/immutable/index.js';
import { startHostileServer } from '../hostile/server.js';
import { runCli } from '../helpers.js';
import { eventload, eventsAsRead, expectAccounted, fixturePath, generateEvents, importInto, parseSummary, readNdjson, startCli, useSandboxes, useTempDirs, waitFor, writeNdjson } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();
const ordersCsv = fixturePath('orders.csv');
const ordersMapping = fixturePath('orders.mapping.json');
const eventsNdjson = fixturePath('events.ndjson');

/** A port on this machine that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--dry-run', () => {
  it('writes the exact request bodies to --out and sends nothing', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const out = join(dir, 'bodies.ndjson');
    const run = await importInto(sandbox, dir, [ordersCsv, '--mapping', ordersMapping, '--dry-run', '--out', out], { env: { IMMUTABLE_API_KEY: undefined } });
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.requests).toBe(0);
    expect(run.summary).toMatchObject({ dryRun: true, read: 8, wouldSend: 8, accepted: 0 });
    expect(run.summary.eventsPerSecond, 'the rate of a dry run counts what it would send').toBeGreaterThan(0);
    expectAccounted(run.summary);
    const bodies = await readNdjson(out);
    const events = await eventsAsRead([ordersCsv], { mapping: ordersMapping, target: 'immutable' });
    expect(bodies).toEqual([{ events: events.map((event) => immutableBody(event, { tenant_id: 'shop-eu', action_category: 'orders' })) }]);
    // What a real run sends is byte for byte what the dry run wrote.
    const real = await importInto(sandbox, dir, [ordersCsv, '--mapping', ordersMapping]);
    expect(real.code, real.stderr).toBe(0);
    expect(sandbox.stats.stored.map((stored) => stored.body)).toEqual(bodies[0]!.events);
  });

  it('flowmyna: the bodies written from the events\' own texts are what a real run sends, byte for byte, and hold each event less its actor', async () => {
    const dir = await tempDir();
    const out = join(dir, 'bodies.ndjson');
    const dry = await eventload(dir, ['import', ordersCsv, '--mapping', ordersMapping, '--target', 'flowmyna', '--dry-run', '--out', out, '--batch-size', '3', '--json', '-q']);
    expect(dry.code, dry.stderr).toBe(0);
    const written = (await readFile(out, 'utf8')).split('\n').filter(Boolean);
    expect(written).toHaveLength(3);
    const events = await eventsAsRead([ordersCsv], { mapping: ordersMapping, target: 'flowmyna' });
    expect(events[0]!.actor, 'the fixture maps an actor, which FlowMyna has no field for').toBeDefined();
    const expected = events.map(({ actor: _actor, idempotency_key: _key, ...body }) => body);
    expect(written.flatMap((line) => JSON.parse(line).events)).toEqual(expected);
    // A server that records the bytes it receives and stores every event.
    const server = await startHostileServer((request, response) => {
      const count = (JSON.parse(request.body) as { events: unknown[] }).events.length;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ success: true, processed: count, failed: 0, event_ids: Array.from({ length: count }, (_, i) => `ev-${request.index}-${i}`), errors: [] }));
    });
    try {
      const env = { FLOWMYNA_API_KEY: `fm_live_${'a'.repeat(32)}` };
      const real = await eventload(dir, ['import', ordersCsv, '--mapping', ordersMapping, '--target', 'flowmyna', '--endpoint', server.url, '--batch-size', '3', '--concurrency', '1', '--json', '-q'], env);
      expect(real.code, real.stderr).toBe(0);
      expect(server.requests.map((request) => request.body)).toEqual(written);
    } finally {
      await server.close();
    }
  });

  it('writes one body per request with --batch-size 1', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const out = join(dir, 'bodies.ndjson');
    const run = await importInto(sandbox, dir, [eventsNdjson, '--batch-size', '1', '--dry-run', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.stats.requests).toBe(0);
    const bodies = await readNdjson(out);
    expect(bodies.map((body) => body.event)).toEqual(['Invoice created', 'Invoice sent', 'Payment received', 'Invoice closed']);
    expect(bodies[0]!.timestamp).toBe('2024-05-02T08:00:00.123456+02:00');
  });

  it('refuses --out without --dry-run (exit 2)', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const run = await importInto(sandbox, dir, [eventsNdjson, '--out', join(dir, 'bodies.ndjson')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--out .* add --dry-run/);
    expect(sandbox.stats.requests).toBe(0);
  });
});

describe('output', () => {
  it('prints only the JSON summary on stdout with --json, even with rejections and retries', async () => {
    const sandbox = await startSandbox({ target: 'immutable', faultSequence: ['503'] });
    const dir = await tempDir();
    const run = await importInto(sandbox, dir, [fixturePath('orders-mistakes.csv'), '--mapping', ordersMapping, '--backoff-base', '10']);
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ target: 'immutable', outcome: 'completed', read: 9, accepted: 2, rejectedLocal: 7, retries: 1, rejects: join(dir, 'rejects.ndjson') });
    expect(summary.rejectedByReason.length).toBeGreaterThan(0);
    expect(summary.rejectedByReason.every((group: { code: string; count: number; example: { line: number } }) => /^EL_[A-Z_]+$/.test(group.code) && group.count > 0 && group.example.line > 0)).toBe(true);
    expectAccounted(summary);
  });

  it('prints a readable summary without --json, naming the rejects file', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const run = await runCli(['import', fixturePath('orders-mistakes.csv'), '-m', ordersMapping, '-t', 'immutable', '--endpoint', sandbox.url, '--quiet'], { cwd: dir, env: { IMMUTABLE_API_KEY: sandbox.token } });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^import finished/);
    expect(run.stdout).toMatch(/rejected +7 \(local 7, server 0\)/);
    expect(run.stdout).toMatch(/rejects file +eventload-rejects-\d{8}-\d{6}\.ndjson/);
  });
});

describe('plain http', () => {
  it('refuses an http:// endpoint on another machine without --allow-http (exit 2)', async () => {
    const dir = await tempDir();
    const run = await eventload(dir, ['import', eventsNdjson, '--target', 'immutable', '--endpoint', 'http://example.invalid'], { IMMUTABLE_API_KEY: 'imk_whatever' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/plain http to another machine.*--allow-http/);
    expect(run.stderr).not.toContain('imk_whatever');
  });

  it('sends over http:// to a non-loopback address with --allow-http', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const endpoint = sandbox.url.replace('127.0.0.1', '0.0.0.0'); // not loopback by name, yet reaches this machine
    const refused = await eventload(dir, ['import', eventsNdjson, '-t', 'immutable', '--endpoint', endpoint], { IMMUTABLE_API_KEY: sandbox.token });
    expect(refused.code).toBe(2);
    expect(sandbox.stats.requests).toBe(0);
    const allowed = await eventload(dir, ['import', eventsNdjson, '-t', 'immutable', '--endpoint', endpoint, '--allow-http', '--json'], { IMMUTABLE_API_KEY: sandbox.token });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(sandbox.stats.stored).toHaveLength(4);
  });
});

describe('exit codes', () => {
  it('is 2 for usage and configuration errors, with nothing sent', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const tooBig = await importInto(sandbox, dir, [eventsNdjson, '--batch-size', '101']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/at most 100 events per request/);
    const badNumber = await importInto(sandbox, dir, [eventsNdjson, '--concurrency', 'many']);
    expect(badNumber.code).toBe(2);
    const missingFile = await importInto(sandbox, dir, [join(dir, 'nope.ndjson')]);
    expect(missingFile.code).toBe(2);
    const unknownTarget = await eventload(dir, ['import', eventsNdjson, '--target', 'nowhere']);
    expect(unknownTarget.code).toBe(2);
    const noWorkers = await importInto(sandbox, dir, [eventsNdjson, '--concurrency', '0']);
    expect(noWorkers.code).toBe(2);
    expect(noWorkers.stderr).toMatch(/--concurrency must be at least 1/);
    expect(sandbox.stats.requests).toBe(0);
  });

  it('is 3 with one clear message when the endpoint cannot be reached, within bounded time', async () => {
    const dir = await tempDir();
    const port = await closedPort();
    const started = Date.now();
    const run = await eventload(dir, ['import', eventsNdjson, '-t', 'flowmyna', '--endpoint', `http://127.0.0.1:${port}`, '--max-retries', '2', '--backoff-base', '10', '--batch-size', '1'], {
      FLOWMYNA_API_KEY: `fm_live_${'k'.repeat(32)}`,
    });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(Date.now() - started).toBeLessThan(15_000);
    const output = `${run.stdout}${run.stderr}`;
    expect(output.match(/unreachable/g)).toHaveLength(1);
    expect(output).toMatch(/endpoint unreachable: ECONNREFUSED/);
    expect(output).not.toContain('k'.repeat(32));
  });

  it('is 3 when the flaring login cannot reach the endpoint', async () => {
    const dir = await tempDir();
    const port = await closedPort();
    const run = await eventload(dir, ['import', eventsNdjson, '-t', 'flaring', '--endpoint', `http://127.0.0.1:${port}`, '--max-retries', '1', '--backoff-base', '10'], {
      FLARING_EMAIL: 'someone@example.com',
      FLARING_PASSWORD: 'secret-password',
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/unreachable: ECONNREFUSED/);
    expect(run.stderr).not.toContain('secret-password');
  });
});

describe('Ctrl-C', () => {
  it('stops a slow import with exit 130, lets requests under way finish, and accounts for every event read', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', latencyMs: 300 });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(200));
    const report = join(dir, 'report.json');
    const { child, done } = startCli(dir, ['import', file, '-t', 'flowmyna', '--endpoint', sandbox.url, '--batch-size', '1', '--concurrency', '2', '--json', '--report', report, '--rejects', join(dir, 'rejects.ndjson')], {
      FLOWMYNA_API_KEY: sandbox.token,
    });
    await waitFor(() => sandbox.stats.stored.length >= 2);
    const started = Date.now();
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    const summary = parseSummary(run);
    expect(summary).toMatchObject({ outcome: 'interrupted', rejectedServer: 0 });
    expect(summary.read).toBeLessThan(200);
    expectAccounted(summary);
    // Requests under way were answered and counted: the server holds exactly what was counted.
    expect(sandbox.stats.stored).toHaveLength(summary.accepted);
    expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({ outcome: 'interrupted', read: summary.read, unsent: summary.unsent });
  });

  it('does not wait out a retry backoff: the request is given up and counted unsent', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', faultSequence: Array.from({ length: 10 }, () => '503' as const) });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    // Backoff of up to 20 s, 40 s, ... with the default deadline of 5 minutes.
    const { child, done } = startCli(dir, ['import', file, '-t', 'flowmyna', '--endpoint', sandbox.url, '--backoff-base', '20000', '--json', '--rejects', join(dir, 'rejects.ndjson')], {
      FLOWMYNA_API_KEY: sandbox.token,
    });
    await waitFor(() => sandbox.stats.statusCounts['503'] === 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // now in its backoff
    const started = Date.now();
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    const summary = parseSummary(run);
    expect(summary).toMatchObject({ outcome: 'interrupted', read: 3, accepted: 0, rejectedServer: 0, unsent: 3 });
    expectAccounted(summary);
  });
});
