// A hostile server against the HTTP layer: answers that drip, answers that never end, redirects.
// Each bound must end the run within its limit (upper bounds only, asserted generously: the
// machine is shared), as a failed attempt that leaves its events "not sent", never "rejected".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { expectAccounted, generateEvents, parseSummary, useTempDirs, writeNdjson } from '../import/helpers.js';
import { drip, hugeBody, json, redirect, useHostileServers, type HostileServer } from './server.js';

const startServer = useHostileServers();
const tempDir = useTempDirs();
const KEY = `fm_live_${'k'.repeat(28)}Zq9x`;
const NO_CREDENTIALS = { FLOWMYNA_API_KEY: KEY, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined };

/** `import` of `count` events into flowmyna at `server`, with --json and no journal; elapsed wall time too. */
async function importTo(server: HostileServer, args: string[], count = 10) {
  const dir = await tempDir();
  const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(count));
  const started = Date.now();
  const result = await runCli(['import', file, '-t', 'flowmyna', '--endpoint', server.url, '--json', '--no-journal', '--rejects', join(dir, 'rejects.ndjson'), ...args], {
    cwd: dir,
    env: NO_CREDENTIALS,
    timeoutMs: 100_000,
  });
  return { ...result, summary: parseSummary(result), seconds: (Date.now() - started) / 1000 };
}

/** Nothing was delivered and nothing rejected: every event read is "not sent", and the run aborted (exit 3). */
function expectNotSent(run: Awaited<ReturnType<typeof importTo>>, count = 10) {
  expect(run.code, run.stderr + run.stdout).toBe(3);
  expect(run.summary).toMatchObject({ outcome: 'aborted', read: count, accepted: 0, rejectedServer: 0, unsent: count });
  expectAccounted(run.summary);
}

describe('a server that drips its answer', () => {
  it('is cut off by --retry-deadline, time inside attempts included', async () => {
    // One byte every 500 ms: never silent for --timeout 3000, so only a total bound ends it.
    const server = await startServer((_request, response) => drip(response, 500));
    const run = await importTo(server, ['--timeout', '3000', '--retry-deadline', '10', '--backoff-base', '100']);
    expectNotSent(run);
    expect(run.seconds).toBeLessThan(30); // 3 × the deadline; it held the run for ever before
    expect(run.summary.error).toMatch(/no usable answer from \/api\/public\/v1\/event\/batch after \d+ attempts? \(last: no complete answer within/);
    expect(server.requests.every((request) => request.cutOff)).toBe(true);
  }, 120_000);

  it('gives each attempt --request-timeout in all, and retries it', async () => {
    const server = await startServer((_request, response) => drip(response, 200));
    const run = await importTo(server, ['--timeout', '3000', '--request-timeout', '1500', '--max-retries', '2', '--backoff-base', '50']);
    expectNotSent(run);
    expect(server.requests).toHaveLength(3); // a failed attempt, retried: 1 + --max-retries
    expect(run.summary.error).toMatch(/after 3 attempts \(last: no complete answer within 1\.5 s\)/);
    expect(run.seconds).toBeLessThan(25);
  }, 120_000);

  it('bounds an attempt by 4 × --timeout when --request-timeout is not given', async () => {
    const server = await startServer((_request, response) => drip(response, 200));
    const run = await importTo(server, ['--timeout', '500', '--max-retries', '0']);
    expectNotSent(run);
    expect(server.requests).toHaveLength(1);
    expect(run.summary.error).toMatch(/no complete answer within 2 s/);
  }, 120_000);
});

describe('a server whose answer is huge', () => {
  const HUGE = 512 * 1024 * 1024; // 512 MiB per answer, were it read whole

  for (const declareLength of [false, true]) {
    it(`stops reading past 8 MiB and retries (${declareLength ? 'Content-Length given' : 'chunked, length unknown'}), in bounded memory`, async () => {
      const server = await startServer((_request, response) => hugeBody(response, HUGE, { declareLength }));
      const run = await importTo(server, ['--max-retries', '2', '--backoff-base', '50']);
      expectNotSent(run);
      expect(run.summary.error).toMatch(/after 3 attempts \(last: answer larger than 8 MiB\)/);
      expect(server.requests).toHaveLength(3); // a failed attempt, retried
      // The client hung up early: the server wrote little more than the cap (plus socket buffers).
      for (const request of server.requests) {
        expect(request.cutOff).toBe(true);
        expect(request.answerBytes).toBeLessThan(64 * 1024 * 1024);
      }
      // The child's own peak RSS (process.resourceUsage().maxRSS): far below one answer's size.
      expect(run.summary.peakRssMb).toBeLessThan(250);
    }, 120_000);
  }
});

describe('a server that redirects', () => {
  it('stops with exit 3, naming the Location and the --endpoint to pass; the redirect is not followed', async () => {
    const server = await startServer((request, response) => redirect(response, 301, `https://ingest.example.invalid/v2${request.url}`));
    const run = await importTo(server, []);
    expectNotSent(run);
    expect(run.summary.error).toBe(
      'the endpoint answered 301 → https://ingest.example.invalid/v2/api/public/v1/event/batch; redirects are not followed (they would carry the token); pass the final URL with --endpoint https://ingest.example.invalid/v2',
    );
    expect(server.requests).toHaveLength(1); // neither retried nor followed
  });

  it('resolves a relative Location, and says the same without --json on one line', async () => {
    const server = await startServer((_request, response) => redirect(response, 308, '/login?next=/'));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    const run = await runCli(['import', file, '-t', 'flowmyna', '--endpoint', server.url, '--no-journal', '-q'], { cwd: dir, env: NO_CREDENTIALS });
    expect(run.code).toBe(3);
    const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.includes('redirects are not followed'));
    expect(lines).toEqual([`eventload: EL_REDIRECT: the endpoint answered 308 → ${server.url}/login?next=/; redirects are not followed (they would carry the token); pass the final URL with --endpoint`]);
    expect(run.stdout).toMatch(/^import aborted: EL_REDIRECT \(the reason is on stderr\)/m);
  });

  it('stops a login that is redirected (flaring) before anything is sent', async () => {
    const server = await startServer((_request, response) => redirect(response, 302, 'https://sso.example.invalid/auth'));
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(2));
    const run = await runCli(['import', file, '-t', 'flaring', '--endpoint', server.url, '--no-journal', '-q'], {
      cwd: dir,
      env: { ...NO_CREDENTIALS, FLOWMYNA_API_KEY: undefined, FLARING_EMAIL: 'ops@example.com', FLARING_PASSWORD: 'correct horse battery' },
    });
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe('eventload: EL_REDIRECT: the endpoint answered 302 → https://sso.example.invalid/auth; redirects are not followed (they would carry the token); pass the final URL with --endpoint');
    expect(server.requests.map((request) => request.url)).toEqual(['/api/v1/auth/token']);
  });
});

describe('an ordinary answer still arrives whole', () => {
  it('reads a slow but complete answer within the bounds', async () => {
    const server = await startServer(async (request, response) => {
      const count = (JSON.parse(request.body) as { events: unknown[] }).events.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      json(response, 200, { processed: count, event_ids: Array.from({ length: count }, (_, i) => `ev-${i}`), errors: [] });
    });
    const run = await importTo(server, ['--timeout', '1000']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ accepted: 10, unsent: 0, retries: 0 });
  });
});
