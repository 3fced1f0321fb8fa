// A small HTTP server on 127.0.0.1 that misbehaves on purpose, for what no sandbox does: answers
// that drip, never end, redirect, or echo the credentials they were sent. Each test scripts the
// answers; the server records every request it received (the count a test asserts on) and how
// many bytes of each answer it managed to write before the client went away.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface ReceivedRequest {
  index: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Bytes of the answer written before it ended or the client closed the connection. */
  answerBytes: number;
  /** The client closed the connection before the answer was complete. */
  cutOff: boolean;
}

export type Handler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

export interface HostileServer {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A starter of hostile servers that are closed (connections and drips included) after each test. */
export function useHostileServers(): (handler: Handler) => Promise<HostileServer> {
  const open: HostileServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (handler) => {
    const server = await startHostileServer(handler);
    open.push(server);
    return server;
  };
}

export async function startHostileServer(handler: Handler): Promise<HostileServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ReceivedRequest = { index: requests.length, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answerBytes: 0, cutOff: false };
    requests.push(request);
    countWrites(res, request);
    res.on('close', () => (request.cutOff = !res.writableFinished));
    await handler(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Drips and endless bodies stop with their connection ('close' clears their timers).
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function countWrites(res: ServerResponse, request: ReceivedRequest): void {
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    request.answerBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length;
    return write(chunk, ...rest);
  }) as typeof res.write;
}

/** Headers at once, then one byte every `everyMs`, forever (never idle long enough for a silence timeout). */
export function drip(res: ServerResponse, everyMs: number, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  const timer = setInterval(() => {
    if (res.destroyed) clearInterval(timer);
    else res.write(' ');
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** A body of `totalBytes` (as fast as the client takes it), optionally declaring its length up front. */
export function hugeBody(res: ServerResponse, totalBytes: number, options: { declareLength?: boolean; status?: number } = {}): void {
  res.writeHead(options.status ?? 200, { 'content-type': 'application/json', ...(options.declareLength && { 'content-length': String(totalBytes) }) });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let written = 0;
  const pump = () => {
    while (written < totalBytes && !res.destroyed) {
      const size = Math.min(chunk.length, totalBytes - written);
      written += size;
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** A redirect to `location`, with a small body such as servers send. */
export function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-type': 'text/plain' });
  res.end(`Moved to ${location}`);
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
