// Credentials: a refused token stops the run at once (exit 3), a malformed one stops it before
// anything is sent (exit 2), flaring logs in and logs in again, and no token is ever printed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/index.js';
import { runCli } from '../helpers.js';
import { expectAccounted, fixturePath, generateEvents, importInto, readNdjson, useSandboxes, useTempDirs, writeNdjson } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();
const eventsNdjson = fixturePath('events.ndjson');

/** Everything a run leaves for people to read: output, report and rejects. */
async function everythingPrinted(dir: string, run: { stdout: string; stderr: string }): Promise<string> {
  const report = await readFile(join(dir, 'report.json'), 'utf8').catch(() => '');
  const rejects = JSON.stringify(await readNdjson(join(dir, 'rejects.ndjson')));
  return `${run.stdout}\n${run.stderr}\n${report}\n${rejects}`;
}

describe('a refused token', () => {
  it('aborts a flowmyna import at the first 401 with exit 3, never printing the key', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna', latencyMs: 20 });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(300));
    const wrongKey = 'fm_live_WRONGkeyWRONGkeyWRONGkeyWRONGkey'; // the right shape, not the sandbox's key
    const started = Date.now();
    const run = await importInto(sandbox, dir, [file, '--batch-size', '1', '--concurrency', '4', '--report', join(dir, 'report.json')], { env: { FLOWMYNA_API_KEY: wrongKey } });
    expect(run.code, run.stderr).toBe(3);
    expect(Date.now() - started).toBeLessThan(15_000);
    // No thousands of identical failures: the requests already under way, and no more.
    expect(sandbox.stats.statusCounts['401']).toBeGreaterThanOrEqual(1);
    expect(sandbox.stats.requests).toBeLessThanOrEqual(8);
    expect(run.summary).toMatchObject({ outcome: 'aborted', accepted: 0 });
    expect(run.summary.error).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(run.summary.unsent).toBeGreaterThan(0);
    expectAccounted(run.summary);
    const printed = await everythingPrinted(dir, run);
    expect(printed).not.toContain(wrongKey);
    expect(printed).not.toContain('WRONGkey');
  });

  it('aborts an immutable import with exit 3 and says why in plain text', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const wrongKey = 'imk_live_not_the_right_one_0000';
    const run = await runCli(['import', eventsNdjson, '--target', 'immutable', '--endpoint', sandbox.url, '--rejects', join(dir, 'rejects.ndjson')], { cwd: dir, env: { IMMUTABLE_API_KEY: wrongKey } });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/^import aborted: EL_AUTH \(the reason is on stderr\)/);
    expect(run.stderr).toMatch(/^eventload: EL_AUTH: the target refused the credentials \(HTTP 401\)/m);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrongKey);
  });

  it('aborts a flaring import with exit 3 when FLARING_TOKEN is refused, never printing it', async () => {
    const sandbox = await startSandbox({ target: 'flaring' });
    const dir = await tempDir();
    const wrongToken = 'eyJhbGciOiJIUzI1NiJ9.not-a-real-token.signature';
    const run = await importInto(sandbox, dir, [eventsNdjson], { env: { FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined, FLARING_TOKEN: wrongToken } });
    expect(run.code, run.stderr).toBe(3);
    expect(run.summary).toMatchObject({ outcome: 'aborted', accepted: 0 });
    expect(run.summary.error).toMatch(/refused the token \(HTTP 401\)/);
    expectAccounted(run.summary);
    expect(sandbox.stats.stored).toHaveLength(0);
    expect(await everythingPrinted(dir, run)).not.toContain(wrongToken);
  });

  it('aborts a flaring import with exit 3 when the login is refused, never printing the password', async () => {
    const sandbox = await startSandbox({ target: 'flaring' });
    const dir = await tempDir();
    const run = await importInto(sandbox, dir, [eventsNdjson], { env: { FLARING_PASSWORD: 'hunter2-wrong-password' } });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/login refused/);
    expect(sandbox.stats.ingestRequests).toBe(0);
    expect(await everythingPrinted(dir, run)).not.toContain('hunter2');
  });
});

describe('flaring set-up calls', () => {
  it('aborts with a summary that accounts for every event when an event type lookup fails mid-run', async () => {
    // Two requests allowed: the event-type list and the first type's fields; the second type's fields get 429.
    const sandbox = await startSandbox({ target: 'flaring', rateLimit: { perMinute: 1, burst: 2 } });
    const dir = await tempDir();
    const site = [{ type: 'site', id: 'S-1' }];
    const file = await writeNdjson(join(dir, 'site.ndjson'), [
      { event: 'Flaring Event', timestamp: '2024-02-01T06:00:00Z', objects: site, properties: { volume_mscf: 1, reason: 'planned' } },
      { event: 'Gas Leak', timestamp: '2024-02-01T07:00:00Z', objects: site, properties: { severity: 'low' } },
      { event: 'Gas Leak', timestamp: '2024-02-01T08:00:00Z', objects: site, properties: { severity: 'high' } },
    ]);
    // A 429 is retried until the deadline, whatever --max-retries says: one second of it.
    const run = await importInto(sandbox, dir, [file, '--max-retries', '0', '--retry-deadline', '1', '--rate', '100']);
    expect(run.code, run.stderr).toBe(3);
    expect(run.summary).toMatchObject({ outcome: 'aborted' });
    // The second type's lookup and the first event's POST leave together; which of the two meets
    // the 429 first is the scheduler's choice (under load, the POST often). Either way the run stops
    // mid-way with every event accounted for, which is what this test is about.
    expect(run.summary.error).toMatch(/GET \/event-types\/2\/fields failed|the server kept failing on POST \/events/);
    expectAccounted(run.summary);
    expect(run.summary.unsent).toBeGreaterThanOrEqual(1);
  });
});

describe('flaring login under load', () => {
  it('sends nothing with a token it knows is being replaced: 401s only for requests already on the wire', async () => {
    const log: RequestLogEntry[] = [];
    const sandbox = await startSandbox({ target: 'flaring', tokenTtlSeconds: 0.8, rateLimit: null, latencyMs: 30, onRequest: (entry) => log.push(entry) });
    const dir = await tempDir();
    const events = Array.from({ length: 60 }, (_, i) => ({
      event: 'Flaring Event',
      timestamp: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
      objects: [{ type: 'flare_stack', id: `STK-${i}` }],
      properties: { volume_mscf: i, reason: 'planned' },
    }));
    const file = await writeNdjson(join(dir, 'flares.ndjson'), events);
    // 60 events, 8 at a time, at most 25 requests/s: ~2.5 s, so the token expires about three times
    // while requests wait for the rate limit behind a login.
    const run = await importInto(sandbox, dir, [file, '--rate', '25', '--concurrency', '8']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ accepted: 60, rejectedServer: 0 });
    const expiries = log.filter((entry) => entry.path === '/api/v1/auth/token' && entry.status === 200).length - 1;
    expect(expiries).toBeGreaterThanOrEqual(2);
    // Requests sent before an expiry can still come back 401 (at 25/s, about one in the air);
    // a request that waited for the rate limit while the login ran must not.
    expect(sandbox.stats.statusCounts['401'] ?? 0).toBeLessThanOrEqual(2 * expiries);
  });
});

describe('a malformed or missing key', () => {
  it('stops with exit 2 before anything is sent, without printing the key', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const malformed = 'sk_live_THIS_IS_A_SECRET_VALUE';
    const run = await importInto(sandbox, dir, [eventsNdjson], { env: { FLOWMYNA_API_KEY: malformed } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/FLOWMYNA_API_KEY is not a FlowMyna key/);
    expect(sandbox.stats.requests).toBe(0);
    expect(await everythingPrinted(dir, run)).not.toContain('THIS_IS_A_SECRET');
  });

  it('stops with exit 2 and names the variable when the key is not set', async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const run = await importInto(sandbox, await tempDir(), [eventsNdjson], { env: { IMMUTABLE_API_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/IMMUTABLE_API_KEY is not set/);
    expect(sandbox.stats.requests).toBe(0);
  });
});

describe('flaring login', () => {
  it('logs in again when the token expires during the run, losing nothing', async () => {
    const log: RequestLogEntry[] = [];
    const sandbox = await startSandbox({ target: 'flaring', tokenTtlSeconds: 1.2, rateLimit: null, onRequest: (entry) => log.push(entry) });
    const dir = await tempDir();
    const events = Array.from({ length: 16 }, (_, i) => ({
      event: 'Flaring Event',
      timestamp: new Date(Date.UTC(2024, 0, 1, i)).toISOString(),
      objects: [{ type: 'flare_stack', id: `STK-${i}` }],
      properties: { volume_mscf: i, reason: 'planned' },
    }));
    const file = await writeNdjson(join(dir, 'flares.ndjson'), events);
    // 16 events at 10/s take about 1.8 s with set-up: the first token expires on the way.
    const run = await importInto(sandbox, dir, [file, '--rate', '10', '--concurrency', '4']);
    expect(run.code, run.stderr).toBe(0);
    // One login at the start and one per expiry, however many workers saw the 401 at once.
    const logins = log.filter((entry) => entry.path === '/api/v1/auth/token' && entry.status === 200).length;
    expect(logins).toBeGreaterThanOrEqual(2);
    expect(logins).toBeLessThanOrEqual(4);
    expect(sandbox.stats.statusCounts['401']).toBeGreaterThanOrEqual(1);
    expect(sandbox.stats.stored).toHaveLength(16);
    expect(run.summary).toMatchObject({ accepted: 16, rejectedServer: 0 });
  });
});
