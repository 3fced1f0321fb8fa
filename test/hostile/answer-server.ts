// A hostile front for a sandbox, on one fixed URL (so the journal's scope stays the same when it
// turns healthy): every request is counted; ingest requests get whatever answer the test scripts
// (a 500, garbage with 200, a reset), or are passed to the sandbox, optionally with the sandbox's
// answer replaced afterwards (stored, but confirmed with garbage), or the sandbox's answer reshaped
// (compressed, a BOM put before it) as a proxy might. Everything else is passed on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** What the front does with one ingest request. */
export type Behaviour =
  | { kind: 'pass'; reshape?: (body: Buffer) => { body: Buffer; headers: Record<string, string> } }
  | { kind: 'answer'; status: number; body: string | Buffer; headers?: Record<string, string>; afterPassing?: boolean }
  | { kind: 'reset' };

export interface AnswerServer {
  url: string;
  /** Requests received, set-up calls included. */
  requests: number;
  /** Ingest requests received. */
  ingest: number;
  /** Decides each ingest request (its number from 0); the default passes everything on. */
  behave(decide: (n: number) => Behaviour): void;
  close(): Promise<void>;
}

const INGEST = new Set(['/api/public/v1/event', '/api/public/v1/event/batch', '/api/v1/events', '/api/v1/events/batch', '/events']);

export function useAnswerServers(): (upstream: string) => Promise<AnswerServer> {
  const open: AnswerServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (upstream) => {
    const server = await startAnswerServer(upstream);
    open.push(server);
    return server;
  };
}

export async function startAnswerServer(upstream: string): Promise<AnswerServer> {
  let decide: (n: number) => Behaviour = () => ({ kind: 'pass' });
  const state = { requests: 0, ingest: 0 };
  const http: Server = createServer((request, response) => {
    state.requests++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const ingest = request.method === 'POST' && INGEST.has((request.url ?? '').split('?')[0]!);
      const behaviour = ingest ? decide(state.ingest++) : { kind: 'pass' as const };
      void handle(behaviour, request, body, response, upstream).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get ingest() {
      return state.ingest;
    },
    behave(next) {
      decide = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

async function handle(behaviour: Behaviour, request: IncomingMessage, body: Buffer, response: ServerResponse, upstream: string): Promise<void> {
  if (behaviour.kind === 'reset') {
    request.socket.destroy();
    return;
  }
  if (behaviour.kind === 'answer' && !behaviour.afterPassing) {
    response.writeHead(behaviour.status, behaviour.headers ?? {}).end(behaviour.body);
    return;
  }
  const passed = await pass(request, body, upstream);
  if (behaviour.kind === 'answer') {
    response.writeHead(behaviour.status, behaviour.headers ?? {}).end(behaviour.body);
    return;
  }
  if (behaviour.reshape) {
    const { body: reshaped, headers } = behaviour.reshape(passed.body);
    response.writeHead(passed.status, { ...passed.headers, ...headers }).end(reshaped);
    return;
  }
  response.writeHead(passed.status, passed.headers).end(passed.body);
}

async function pass(request: IncomingMessage, body: Buffer, upstream: string) {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'idempotency-key', 'accept', 'x-flowmyna-api-key']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const answer = await fetch(`${upstream}${request.url}`, { method: request.method, headers, body: body.length > 0 ? body : undefined });
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'retry-after']) {
    const value = answer.headers.get(name);
    if (value !== null) out[name] = value;
  }
  return { status: answer.status, headers: out, body: Buffer.from(await answer.arrayBuffer()) };
}

/** The garbage a proxy, a login page or a broken server answers with status 200. */
export const GARBAGE = {
  'success false': { body: JSON.stringify({ success: false, processed: 0, failed: 200, event_ids: [], errors: [] }), headers: { 'content-type': 'application/json' } },
  'an HTML login page': {
    body: '<!DOCTYPE html><html><head><title>Sign in – Corporate SSO</title></head><body><form action="/login">…</form></body></html>',
    headers: { 'content-type': 'text/html; charset=utf-8' },
  },
  'an empty body': { body: '', headers: { 'content-type': 'application/json' } },
  'truncated JSON': { body: '{"success":true,"processed":3,"event_ids":["evt_1","ev', headers: { 'content-type': 'application/json' } },
} as const;
