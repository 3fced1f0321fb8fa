// A hostile server that echoes the credentials it was sent (in 422, 400 and 500 bodies, in a
// header, JSON-escaped, URL-encoded and in base64): nothing eventload writes or prints may hold
// them: stdout, stderr (--verbose), the --json summary, --report, the rejects file, the journal's
// raw bytes (database and WAL).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { expectAccounted, generateEvents, parseSummary, useTempDirs, writeNdjson } from '../import/helpers.js';
import { json, useHostileServers, type ReceivedRequest } from './server.js';

const startServer = useHostileServers();
const tempDir = useTempDirs();
const KEY = `fm_live_${'S3cr3t'.repeat(5)}Ab`;
const CLEAR = { FLOWMYNA_API_KEY: undefined, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined };

/** Every file under `dir` (journal, WAL, report, rejects), as raw bytes read as latin1 text. */
async function everyFile(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path, await readFile(path, 'latin1'));
    }
  }
  return files;
}

/** The secret in any form a leak could take: whole, base64, or a long enough piece of it. */
function leaks(text: string, secret: string): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64').replace(/=+$/, ''), secret.slice(2, 14), secret.slice(-12)];
  return forms.filter((form) => text.includes(form));
}

function authOf(request: ReceivedRequest): string {
  return String(request.headers.authorization);
}

describe('a server that echoes the token', () => {
  it('finds it in no output, file or journal byte; what it said is kept, redacted', async () => {
    const server = await startServer((request, response) => {
      const auth = authOf(request);
      const echo = { 'x-echo-authorization': auth };
      if (request.index % 3 === 0) json(response, 422, { detail: `bad token ${auth}` }, echo);
      else if (request.index % 3 === 1) {
        response.writeHead(400, { 'content-type': 'text/plain', ...echo });
        response.end(`Authorization: ${auth}; as base64 ${Buffer.from(KEY).toString('base64')}; in a URL ?key=${encodeURIComponent(KEY)}`);
      } else json(response, 500, { detail: `upstream refused "${auth}"` }, echo);
    });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(30));
    const args = ['import', file, '-t', 'flowmyna', '--endpoint', server.url, '--batch-size', '5', '--concurrency', '1', '--max-retries', '1', '--backoff-base', '10'];
    const outputs = ['--verbose', '--json', '--report', join(dir, 'report.json'), '--rejects', join(dir, 'rejects.ndjson'), '--journal', join(dir, 'state', 'journal.db')];
    const run = await runCli([...args, ...outputs], { cwd: dir, env: { ...CLEAR, FLOWMYNA_API_KEY: KEY } });

    const summary = parseSummary(run);
    expectAccounted(summary);
    expect(server.requests.length).toBeGreaterThanOrEqual(6);
    expect(server.requests.every((request) => authOf(request) === `Bearer ${KEY}`)).toBe(true);
    const files = await everyFile(dir);
    expect([...files.keys()].map((path) => path.slice(dir.length + 1)).sort()).toEqual(expect.arrayContaining(['events.ndjson', 'rejects.ndjson', 'report.json', 'state/journal.db']));
    for (const [path, text] of files) expect(leaks(text, KEY), path).toEqual([]);
    expect(leaks(run.stdout, KEY), 'stdout').toEqual([]);
    expect(leaks(run.stderr, KEY), 'stderr').toEqual([]);
    // The echoes did reach every sink, in their short form: the test would see a leak.
    const short = 'fm_live_…3tAb';
    expect(files.get(join(dir, 'rejects.ndjson'))).toBeDefined();
    // Every rejected record's line (the first line is the run's header).
    for (const line of (await readFile(join(dir, 'rejects.ndjson'), 'utf8')).trim().split('\n').slice(1)) expect(line).toContain(short);
    expect(run.stderr).toContain(short);
    expect(JSON.stringify(summary.rejectedByReason)).toContain(short);
    expect(await readFile(join(dir, 'report.json'), 'utf8')).toContain(short);
    expect(Buffer.from(files.get(join(dir, 'state', 'journal.db'))!, 'latin1').toString('utf8')).toContain(short);
  });

  it('redacts a flaring password and the token it received at login, echoed in a rejection', async () => {
    const password = 'correct horse battery staple';
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMiLCJleHAiOjE5MDB9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
    const server = await startServer((request, response) => {
      if (request.url === '/api/v1/auth/token') return json(response, 200, { access_token: token, token_type: 'bearer' });
      if (request.url === '/event-types') return json(response, 200, [{ id: 1, name: 'Order placed' }, { id: 2, name: 'Order shipped' }]);
      if (request.url.startsWith('/event-types/')) return json(response, 200, [{ name: 'n', type: 'number' }]);
      const login = server.requests.find((candidate) => candidate.url === '/api/v1/auth/token')!;
      json(response, 422, { detail: `refused ${authOf(request)} for login ${login.body}` });
    });
    const dir = await tempDir();
    const file = await writeNdjson(join(dir, 'events.ndjson'), generateEvents(3));
    const run = await runCli(['import', file, '-t', 'flaring', '--endpoint', server.url, '--verbose', '--json', '--report', join(dir, 'report.json'), '--rejects', join(dir, 'rejects.ndjson'), '--journal', join(dir, 'journal.db')], {
      cwd: dir,
      env: { ...CLEAR, FLARING_EMAIL: 'ops@example.com', FLARING_PASSWORD: password },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(parseSummary(run)).toMatchObject({ read: 3, rejectedServer: 3 });
    const everything = [run.stdout, run.stderr, ...(await everyFile(dir)).values()].join('\n');
    expect(leaks(everything, password)).toEqual([]);
    expect(leaks(everything, token)).toEqual([]);
    expect(await readFile(join(dir, 'rejects.ndjson'), 'utf8')).toContain('refused Bearer …');
  });
});
