// How verify reads: a target with no read endpoint is refused with its code; reads keep to --rate
// (measured by the server); a read server that lies (garbage 200, paging that never advances, an
// error) ends the run with one clear line and its code, and a 429 is waited out as Retry-After says.
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/index.js';
import { runCli } from '../helpers.js';
import { useHostileServers } from '../hostile/server.js';
import { generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { verifyRun } from './helpers.js';

const startSandbox = useSandboxes();
const startHostile = useHostileServers();
const tempDir = useTempDirs();
const IMMUTABLE_ENV = { IMMUTABLE_API_KEY: 'imk_hostile_0123456789' };

describe('a target without a read endpoint', () => {
  it('flowmyna: exit 2, EL_VERIFY_UNSUPPORTED, and the reason', async () => {
    const dir = await tempDir();
    const run = await runCli(['verify', '--target', 'flowmyna'], { cwd: dir, env: { FLOWMYNA_API_KEY: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^eventload: EL_VERIFY_UNSUPPORTED: flowmyna has no documented read endpoint/m);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('reading is rate-limited like writing', () => {
  it('--rate 5: never more than 5 reads in any second, as the server saw them', { timeout: 180_000 }, async () => {
    const reads: number[] = [];
    // The server measures: its own token bucket of 5 a second (burst 5) answers 429 to any read beyond.
    const sandbox = await startSandbox({
      target: 'immutable',
      rateLimit: { perMinute: 300, burst: 5 },
      onRequest: (entry: RequestLogEntry) => {
        if (entry.method === 'GET') reads.push(Date.now() - entry.ms);
      },
    });
    const dir = await tempDir();
    const imported = await importInto(sandbox, dir, [await writeNdjson(join(dir, 'events.ndjson'), generateEvents(1500)), '--rate', '5']);
    expect(imported.code, imported.stderr).toBe(0);
    const before = sandbox.stats.statusCounts['429'] ?? 0;
    const run = await verifyRun(sandbox, dir, ['--rate', '5']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ found: 1500, read: { pages: 15, requests: 15, retries: 0 } });
    expect(sandbox.stats.statusCounts['429'] ?? 0).toBe(before);
    expect(reads).toHaveLength(15);
    expect(reads[14]! - reads[0]!).toBeGreaterThanOrEqual(14 * 200 - 100); // 5 a second on average, too
    // The control: without --rate the same reads outrun the server's limit, so the check above can fail.
    const unpaced = await verifyRun(sandbox, dir, ['--backoff-base', '10', '--rejects', join(dir, 'unpaced.ndjson')]);
    expect(unpaced.code, unpaced.stderr).toBe(0);
    expect(sandbox.stats.statusCounts['429'] ?? 0).toBeGreaterThan(before);
  });
});

/** A one-page Immutable list holding the events of `file`'s keys. */
function page(keys: string[], extra: Record<string, unknown> = {}) {
  return { data: keys.map((key, i) => ({ id: `id-${i}`, actor_id: 'u-0', action: 'x', occurred_at: '2023-06-01T00:00:00Z', idempotency_key: key })), pagination: { has_more: false, next_cursor: null, total: keys.length }, ...extra };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

describe('a hostile read server', () => {
  async function verifyAgainst(handler: Parameters<typeof startHostile>[0], extra: string[] = []) {
    const server = await startHostile(handler);
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    const run = await runCli(['verify', file, '--target', 'immutable', '--endpoint', server.url, '--rejects', join(dir, 'verify.ndjson'), '--backoff-base', '10', ...extra], { cwd: dir, env: IMMUTABLE_ENV, timeoutMs: 60_000 });
    return { run, server };
  }

  it('a 200 that is not the documented list: one line, EL_VERIFY_READ, exit 3', async () => {
    const { run } = await verifyAgainst((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>maintenance</html>');
    });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^eventload: EL_VERIFY_READ: GET \/api\/v1\/events\?.*is not the documented JSON/);
  });

  it('JSON of another shape: EL_VERIFY_READ names what is wrong', async () => {
    const { run } = await verifyAgainst((_request, response) => json(response, 200, { events: [] }));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^eventload: EL_VERIFY_READ: GET \/api\/v1\/events: not Immutable's list of events/);
  });

  it('paging that does not advance: stopped at the second page, not read forever', async () => {
    const { run, server } = await verifyAgainst((_request, response) => json(response, 200, page(['gen-0'], { pagination: { has_more: true, next_cursor: 'same', total: 3 } })));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/EL_VERIFY_READ: .*the paging does not advance/);
    expect(server.requests).toHaveLength(2);
  });

  it('has_more without a cursor: EL_VERIFY_READ', async () => {
    const { run } = await verifyAgainst((_request, response) => json(response, 200, page(['gen-0'], { pagination: { has_more: true, next_cursor: null } })));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/EL_VERIFY_READ: .*next_cursor is empty/);
  });

  it('an error status after retries: EL_VERIFY_READ with the server message', async () => {
    const { run } = await verifyAgainst((_request, response) => json(response, 404, { error: 'not_found', message: 'no such route' }));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^eventload: EL_VERIFY_READ: GET \/api\/v1\/events.*no such route/);
  });

  it('429 with Retry-After: waits as told, then reads on and compares', async () => {
    const { run, server } = await verifyAgainst((request, response) => {
      if (request.index === 0) return json(response, 429, { error: 'rate_limited' }, { 'retry-after': '1' });
      json(response, 200, page(['gen-0', 'gen-1']));
    }, ['--json']);
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout);
    // Two found by key, but not as sent: gen-0's occurred_at is the same instant written another way
    // (not a difference), gen-1's is another minute; the action of both differs.
    expect(result).toMatchObject({ source: 'files', expected: 3, found: 0, different: 2, missing: 1, read: { requests: 2, retries: 1 } });
    expect(result.differentFields).toMatchObject({ action: 2, occurred_at: 1 });
    const times = server.requests.map((r) => r.index);
    expect(times).toEqual([0, 1]);
    expect(result.elapsedSeconds).toBeGreaterThanOrEqual(0.9);
  });
});
