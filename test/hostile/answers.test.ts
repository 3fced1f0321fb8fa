// What an HTTP answer means, against servers that misbehave on purpose (issue 13, items 2 and 3,
// and the request count of an aborted run). A server that fails, or a 2xx that confirms nothing,
// leaves its events "not sent" (never rejected, never accepted); the next run against the same
// endpoint, now healthy, sends them, each exactly once, and every request that left is counted.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { Summary } from '../../src/upload/summary.js';
import { runCli } from '../helpers.js';
import { credentials, expectAccounted, generateEvents, parseSummary, startCli, useSandboxes, useTempDirs, waitFor, writeNdjson } from '../import/helpers.js';
import { GARBAGE, useAnswerServers, type AnswerServer } from './answer-server.js';

// Each test runs the CLI several times; on a loaded machine that takes more than the default 30 s.
vi.setConfig({ testTimeout: 240_000 });

const sandboxes = useSandboxes();
const answerServers = useAnswerServers();
const tempDir = useTempDirs();
const FAST = ['--backoff-base', '1', '--max-retries', '2'];
const NO_CREDENTIALS = { FLOWMYNA_API_KEY: undefined, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined };

async function front(target: Sandbox['target']) {
  const sandbox = await sandboxes({ target, ...(target === 'flaring' && { rateLimit: null }) });
  return { sandbox, server: await answerServers(sandbox.url) };
}

function importVia(sandbox: Sandbox, server: AnswerServer, dir: string, args: string[]) {
  return runCli(['import', ...args, '--target', sandbox.target, '--endpoint', server.url, '--json', '--rejects', join(dir, 'rejects.ndjson'), '--rate', '1000'], {
    cwd: dir,
    env: { ...NO_CREDENTIALS, ...credentials(sandbox) },
  });
}

/** Every key the sandbox stored, stored once, and exactly the ones expected. */
function expectStoredOnce(sandbox: Sandbox, keys: string[]): void {
  expect(sandbox.stats.stored).toHaveLength(keys.length);
  expect([...sandbox.stats.keyCounts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
}

/** Flaring's event types are the sandbox's: its events need their fields. */
function eventsFor(target: Sandbox['target'], count: number, prefix: string) {
  if (target !== 'flaring') return generateEvents(count, prefix);
  return Array.from({ length: count }, (_, i) => ({
    event: 'Flaring Event',
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    objects: [{ type: 'flare_stack', id: `${prefix}-${i}` }],
    properties: { volume_mscf: i, reason: 'planned' },
  }));
}

describe('a server that keeps failing leaves its events "not sent", never rejected', () => {
  it('sync against a 500: exit 3, not sent 200, nothing rejected; the next sync against the healthy server sends all 200 once', async () => {
    const { sandbox, server } = await front('flowmyna');
    server.behave(() => ({ kind: 'answer', status: 500, body: JSON.stringify({ detail: 'Internal Server Error' }), headers: { 'content-type': 'application/json' } }));
    const dir = await tempDir();
    await mkdir(join(dir, 'exports'));
    await writeNdjson(join(dir, 'exports', 'orders.ndjson'), generateEvents(200, 'sync500'));
    const config = join(dir, 'sync.json');
    await writeFile(config, JSON.stringify({ files: ['exports/*.ndjson'], target: 'flowmyna', endpoint: server.url, token: { env: 'FM_KEY' }, backoffBase: 1, maxRetries: 2, concurrency: 2 }));
    const sync = (args: string[] = []) => runCli(['sync', '--config', config, ...args], { cwd: dir, env: { ...NO_CREDENTIALS, FM_KEY: sandbox.token } });

    const failing = await sync();
    expect(failing.code, failing.stdout + failing.stderr).toBe(3);
    expect(failing.stdout).toMatch(/1 files, 0 unchanged; read 200, accepted 0, duplicates 0, rejected 0, skipped 0, not sent 200 in .* aborted: the server kept failing on POST \/api\/public\/v1\/event\/batch: HTTP 500/);
    expect(sandbox.stats.stored).toHaveLength(0);

    const start = server.requests;
    const json = await sync(['--json']);
    const summary = JSON.parse(json.stdout) as Summary;
    expect(summary).toMatchObject({ outcome: 'aborted', read: 200, rejectedServer: 0, unsent: 200 });
    // Every request that reached the server is counted: two batches, each first sent once, the rest retries.
    const before = server.requests;
    expect(summary.requests).toBe(before - start);
    expect(summary.retries).toBe(summary.requests - 2);

    server.behave(() => ({ kind: 'pass' }));
    const healthy = await sync(['--json']);
    expect(healthy.code, healthy.stderr).toBe(0);
    expect(JSON.parse(healthy.stdout)).toMatchObject({ files: 1, unchanged: 0, read: 200, accepted: 200, rejectedServer: 0, unsent: 0, requests: 2 });
    expect(server.requests - before).toBe(2);
    expectStoredOnce(sandbox, generateEvents(200, 'sync500').map((event) => event.idempotency_key!));
    expect((await sync()).stdout).toMatch(/1 files, 1 unchanged, nothing to send/);
  });

  it('import against 429 and 503 past --retry-deadline: exit 3, nothing rejected; the rerun delivers every event once', async () => {
    const { sandbox, server } = await front('immutable');
    server.behave((n) => ({ kind: 'answer', status: n % 2 === 0 ? 429 : 503, body: JSON.stringify({ error: 'busy', message: 'try later' }), headers: { 'retry-after': '1', 'content-type': 'application/json' } }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(200, 'busy'));
    const busy = await importVia(sandbox, server, dir, [file, '--retry-deadline', '2', '--concurrency', '2', ...FAST]);
    expect(busy.code, busy.stderr).toBe(3);
    const summary = parseSummary(busy);
    expect(summary).toMatchObject({ outcome: 'aborted', rejectedServer: 0, accepted: 0, unsent: summary.read, requests: server.requests });
    expect(summary.error).toMatch(/kept failing .*HTTP (429|503)/);
    expectAccounted(summary);
    expect(await readFile(join(dir, 'rejects.ndjson'), 'utf8').catch(() => '')).toBe('');

    server.behave(() => ({ kind: 'pass' }));
    const rerun = await importVia(sandbox, server, dir, [file, ...FAST]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(parseSummary(rerun)).toMatchObject({ read: 200, accepted: 200, skipped: 0, rejectedServer: 0 });
    expectStoredOnce(sandbox, generateEvents(200, 'busy').map((event) => event.idempotency_key!));
  });

  it('sync takes --retry-rejected, and "retryRejected": true in its config, for events an earlier run had rejected', async () => {
    const { sandbox, server } = await front('immutable');
    const refuse = () => ({ kind: 'answer' as const, status: 422, body: JSON.stringify({ error: 'validation_failed', message: 'actor_id: unknown' }), headers: { 'content-type': 'application/json' } });
    const dir = await tempDir();
    await mkdir(join(dir, 'exports'));
    const config = join(dir, 'sync.json');
    const writeConfig = (extra: Record<string, unknown>) =>
      writeFile(config, JSON.stringify({ files: ['exports/*.ndjson'], target: 'immutable', endpoint: server.url, token: { env: 'IMK' }, backoffBase: 1, ...extra }));
    const sync = (args: string[] = []) => runCli(['sync', '--config', config, ...args], { cwd: dir, env: { ...NO_CREDENTIALS, IMK: sandbox.token } });
    await writeConfig({});
    await writeNdjson(join(dir, 'exports', 'a.ndjson'), generateEvents(20, 'a'));
    server.behave(refuse);
    expect((await sync()).stdout).toMatch(/read 20, accepted 0, duplicates 0, rejected 20/);
    server.behave(() => ({ kind: 'pass' }));
    expect((await sync()).stdout).toMatch(/1 unchanged, nothing to send/);
    const flag = await sync(['--retry-rejected']);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toMatch(/read 20, accepted 20, duplicates 0, rejected 0/);

    await writeNdjson(join(dir, 'exports', 'b.ndjson'), generateEvents(10, 'b'));
    server.behave(refuse);
    expect((await sync()).stdout).toMatch(/read 10, accepted 0, duplicates 0, rejected 10/);
    server.behave(() => ({ kind: 'pass' }));
    await writeConfig({ retryRejected: true });
    const configured = await sync(['--json']);
    expect(JSON.parse(configured.stdout)).toMatchObject({ read: 30, accepted: 10, skipped: 20, rejectedServer: 0 });
    expect(sandbox.stats.stored).toHaveLength(30);
  });
});

describe('a 2xx that confirms nothing is not a delivery', () => {
  const routes = [
    { target: 'flowmyna', route: 'batch', batch: '10' },
    { target: 'flowmyna', route: 'single', batch: '1' },
    { target: 'immutable', route: 'batch', batch: '10' },
    { target: 'immutable', route: 'single', batch: '1' },
    { target: 'flaring', route: 'single', batch: '1' },
  ] as const;
  for (const { target, route, batch } of routes) {
    it(`${target} ${route}: each garbage 200 leaves the events "not sent" (exit 3, one line); the rerun sends them once`, async () => {
      const { sandbox, server } = await front(target);
      const dir = await tempDir();
      let sent = 0;
      for (const [name, garbage] of Object.entries(GARBAGE)) {
        const prefix = `${target}-${route}-${name.replace(/\W/g, '')}`;
        const file = await writeNdjson(join(dir, `${prefix}.ndjson`), eventsFor(target, 12, prefix));
        server.behave(() => ({ kind: 'answer', status: 200, ...garbage }));
        const requestsBefore = server.requests;
        const bad = await importVia(sandbox, server, dir, [file, '--batch-size', batch, ...FAST]);
        expect(bad.code, `${name}: ${bad.stderr}`).toBe(3);
        const summary = parseSummary(bad);
        // Reading stops with the run: what was read is "not sent", the rest was never read.
        expect(summary, name).toMatchObject({ outcome: 'aborted', accepted: 0, duplicates: 0, rejectedServer: 0, unsent: summary.read, requests: server.requests - requestsBefore });
        expect(summary.read, name).toBeGreaterThan(0);
        expect(summary.error, name).toMatch(/HTTP 200 confirmed nothing/);
        if (name === 'an HTML login page') expect(summary.error).toMatch(/an HTML page \(text\/html; charset=utf-8, starts "<!DOCTYPE html><html><head><title>Sign in.*the endpoint looks wrong/);
        expect(sandbox.stats.stored, name).toHaveLength(sent);

        server.behave(() => ({ kind: 'pass' }));
        const rerun = await importVia(sandbox, server, dir, [file, '--batch-size', batch, ...FAST]);
        expect(rerun.code, `${name}: ${rerun.stderr}`).toBe(0);
        expect(parseSummary(rerun), name).toMatchObject({ read: 12, accepted: 12, rejectedServer: 0, unsent: 0 });
        sent += 12;
        expect(sandbox.stats.stored, name).toHaveLength(sent);
      }
      expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
    });
  }

  it('flowmyna: a documented partial answer still maps each event: accepted, rejected, nothing "not sent"', async () => {
    const { sandbox, server } = await front('flowmyna');
    const partial = { success: false, processed: 1, failed: 1, event_ids: ['evt_1'], errors: [{ index: 1, detail: [{ loc: ['body', 'events', 1, 'timestamp'], msg: 'Input should be a valid datetime' }] }] };
    server.behave(() => ({ kind: 'answer', status: 200, body: JSON.stringify(partial), headers: { 'content-type': 'application/json' } }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'partial.ndjson'), generateEvents(2, 'partial'));
    const run = await importVia(sandbox, server, dir, [file, ...FAST]);
    expect(run.code, run.stderr).toBe(1);
    expect(parseSummary(run)).toMatchObject({ accepted: 1, rejectedServer: 1, unsent: 0, requests: 1 });
    const rejects = (await readFile(join(dir, 'rejects.ndjson'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line)).filter((line) => !line.run); // without the run's header line
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ stage: 'server', status: 422 });
  });

  it('says in one line, without --json, that an HTML page answered and the endpoint looks wrong', async () => {
    const { sandbox, server } = await front('flowmyna');
    server.behave(() => ({ kind: 'answer', status: 200, ...GARBAGE['an HTML login page'] }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(5, 'html'));
    const run = await runCli(['import', file, '-t', 'flowmyna', '--endpoint', server.url, '--rejects', join(dir, 'r.ndjson'), ...FAST], { cwd: dir, env: { ...NO_CREDENTIALS, ...credentials(sandbox) } });
    expect(run.code).toBe(3);
    const output = run.stdout + run.stderr;
    expect(output.match(/confirmed nothing/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/^eventload: EL_UNCONFIRMED_ANSWER: POST \/api\/public\/v1\/event\/batch: HTTP 200 confirmed nothing: an HTML page .*endpoint looks wrong.*after 3 attempts/m);
    expect(run.stdout).toMatch(/^import aborted: EL_UNCONFIRMED_ANSWER \(the reason is on stderr\)/m);
    expect(output).toMatch(/not sent\s+5/);
    expect(output).not.toContain(sandbox.token.slice(8));
  });

  it('immutable with 30% HTML answers (some after storing), batches of 10 over 300 events: all 300 delivered once after reruns, none rejected', async () => {
    const { sandbox, server } = await front('immutable');
    const html = GARBAGE['an HTML login page'];
    // A fixed pattern, not chance: 3 of every 10 requests get the login page, one of them after the sandbox stored the batch.
    server.behave((n) => (n % 10 === 1 || n % 10 === 5 ? { kind: 'answer', status: 200, ...html } : n % 10 === 8 ? { kind: 'answer', status: 200, ...html, afterPassing: true } : { kind: 'pass' }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'audit.ndjson'), generateEvents(300, 'audit'));
    const runs: Summary[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      const run = await importVia(sandbox, server, dir, [file, '--batch-size', '10', '--concurrency', '4', '--backoff-base', '1', '--max-retries', '1']);
      const summary = parseSummary(run);
      expectAccounted(summary);
      runs.push(summary);
      expect([0, 3], run.stderr).toContain(run.code);
      if (run.code === 0) break;
    }
    expect(runs.at(-1)!.outcome).toBe('completed');
    expect(runs.every((summary) => summary.rejectedServer === 0)).toBe(true);
    expect(runs.reduce((sum, summary) => sum + summary.accepted + summary.duplicates, 0)).toBe(300);
    expect(runs.reduce((sum, summary) => sum + summary.requests, 0)).toBe(server.requests);
    expect(sandbox.stats.stored).toHaveLength(300);
    expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
  });
});

describe('a proxy that reshapes the answers', () => {
  it('gzip, deflate (zlib and raw), br and a BOM before the JSON, none asked for: every event delivered once, each confirmed', async () => {
    const zlib = await import('node:zlib');
    const shapes: Record<string, (body: Buffer) => { body: Buffer; headers: Record<string, string> }> = {
      gzip: (body) => ({ body: zlib.gzipSync(body), headers: { 'content-encoding': 'gzip' } }),
      deflate: (body) => ({ body: zlib.deflateSync(body), headers: { 'content-encoding': 'deflate' } }),
      'raw deflate': (body) => ({ body: zlib.deflateRawSync(body), headers: { 'content-encoding': 'Deflate' } }),
      br: (body) => ({ body: zlib.brotliCompressSync(body), headers: { 'content-encoding': 'br' } }),
      BOM: (body) => ({ body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]), headers: {} }),
      'gzip and a BOM': (body) => ({ body: zlib.gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])), headers: { 'content-encoding': 'x-gzip' } }),
    };
    for (const target of ['flowmyna', 'immutable'] as const) {
      const { sandbox, server } = await front(target);
      const dir = await tempDir();
      let sent = 0;
      for (const [name, reshape] of Object.entries(shapes)) {
        const file = await writeNdjson(join(dir, `${name.replace(/\W/g, '')}.ndjson`), eventsFor(target, 15, `${target}-${name.replace(/\W/g, '')}`));
        server.behave(() => ({ kind: 'pass', reshape }));
        const run = await importVia(sandbox, server, dir, [file, '--batch-size', '10', ...FAST]);
        expect(run.code, `${target} ${name}: ${run.stderr}`).toBe(0);
        expect(parseSummary(run), `${target} ${name}`).toMatchObject({ read: 15, accepted: 15, rejectedServer: 0, unsent: 0, retries: 0 });
        sent += 15;
        expect(sandbox.stats.stored).toHaveLength(sent);
      }
      expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
    }
  });

  it('an answer that decompresses past 8 MiB (a gzip bomb) is refused like a huge one: retried, then "not sent"', async () => {
    const zlib = await import('node:zlib');
    const { sandbox, server } = await front('flowmyna');
    const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    server.behave(() => ({ kind: 'answer', status: 200, body: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'bomb.ndjson'), generateEvents(5, 'bomb'));
    const run = await importVia(sandbox, server, dir, [file, ...FAST]);
    expect(run.code, run.stderr).toBe(3);
    const summary = parseSummary(run);
    expect(summary).toMatchObject({ outcome: 'aborted', accepted: 0, rejectedServer: 0, unsent: 5 });
    expect(summary.error).toMatch(/after 3 attempts \(last: answer larger than 8 MiB\)/);
    expect(server.ingest).toBe(3);
  });
});

describe('every request that left is counted, whatever the outcome', () => {
  it('an endpoint that resets every connection: the aborted run counts what the server received', async () => {
    const { sandbox, server } = await front('flowmyna');
    server.behave(() => ({ kind: 'reset' }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(8, 'reset'));
    const run = await importVia(sandbox, server, dir, [file, '--batch-size', '1', '--concurrency', '2', ...FAST]);
    expect(run.code, run.stderr).toBe(3);
    const summary = parseSummary(run);
    expect(server.requests).toBeGreaterThanOrEqual(3);
    expect(summary).toMatchObject({ outcome: 'aborted', requests: server.requests, unsent: summary.read });
    expect(summary.retries).toBeGreaterThanOrEqual(2);
    expectAccounted(summary);
  });

  it('a run stopped by Ctrl-C while waiting out a Retry-After counts the request that was answered', async () => {
    const { sandbox, server } = await front('flowmyna');
    server.behave(() => ({ kind: 'answer', status: 503, body: '{"detail":"down"}', headers: { 'retry-after': '30', 'content-type': 'application/json' } }));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3, 'stop'));
    const { child, done } = startCli(dir, ['import', file, '-t', 'flowmyna', '--endpoint', server.url, '--json', '--rejects', join(dir, 'r.ndjson')], credentials(sandbox));
    await waitFor(() => server.ingest >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    expect(parseSummary(run)).toMatchObject({ outcome: 'interrupted', requests: 1, retries: 0, unsent: 3, rejectedServer: 0 });
  });
});
