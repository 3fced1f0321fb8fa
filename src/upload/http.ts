// The HTTP client: undici keep-alive connections to one endpoint, JSON in and out. Every attempt is
// bounded three ways, because a server can hold a client without ever failing: by silence
// (--timeout), by its total time (--request-timeout, and what is left of --retry-deadline), and by
// the size of its answer (MAX_ANSWER_BYTES). Each bound, when hit, is a failed attempt (retryable).
import { Agent } from 'undici';
import { addAuthorization } from '../secrets/redact.js';
import type { Response } from '../targets/types.js';
import { HttpFailure } from './http-failure.js';

export { HttpFailure };

/** The most bytes read from one answer: far above any documented answer (a batch of 100 results). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024; // 8 MiB

export interface HttpResponse extends Response {
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (kept for error messages when it is not JSON). */
  text: string;
}

export interface HttpLimits {
  /** The longest silence: to connect, for the answer's headers, between two chunks of its body. */
  idleMs: number;
  /** The most one attempt may take in all: connect, send, headers and body. */
  totalMs: number;
  maxAnswerBytes?: number;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly limits: Required<HttpLimits>;

  constructor(endpoint: string, connections: number, limits: HttpLimits) {
    const url = new URL(endpoint);
    this.origin = url.origin;
    // An endpoint may carry a path prefix (a proxy, a gateway); target paths are appended to it.
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.limits = { maxAnswerBytes: MAX_ANSWER_BYTES, ...limits };
    this.agent = new Agent({ connections, keepAliveTimeout: 10_000, connect: { timeout: Math.min(limits.idleMs, 10_000) } });
  }

  /** The full URL a target path is sent to. */
  urlFor(path: string): string {
    return `${this.origin}${this.prefix}${path}`;
  }

  /**
   * One attempt. `deadlineMs` shortens its total time (the rest of --retry-deadline). Throws
   * HttpFailure when a bound is hit, and undici's errors (with their codes) for network faults.
   */
  async request(method: 'GET' | 'POST', path: string, body: string | undefined, headers: Record<string, string>, deadlineMs = Infinity): Promise<HttpResponse> {
    // Whatever the server does with it (echo it in an error, a header), this value is a secret.
    addAuthorization(headers.authorization ?? headers.Authorization);
    const budget = Math.max(0, Math.min(this.limits.totalMs, deadlineMs));
    const cutOff = new AbortController();
    const why = `no complete answer within ${seconds(budget)} s${budget < this.limits.totalMs ? ', what was left of the retry deadline' : ''}`;
    const timer = setTimeout(() => cutOff.abort(new HttpFailure('EL_REQUEST_TIMEOUT', why)), budget);
    try {
      const response = await this.agent.request({
        origin: this.origin,
        path: `${this.prefix}${path}`,
        method,
        headers: { accept: 'application/json', 'user-agent': 'eventload', ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        body,
        headersTimeout: this.limits.idleMs,
        bodyTimeout: this.limits.idleMs,
        signal: cutOff.signal,
      });
      const text = await readCapped(response.body, response.headers['content-length'], this.limits.maxAnswerBytes);
      return { status: response.statusCode, headers: response.headers, body: parseJson(text), text };
    } catch (error) {
      // undici reports an abort as its own error; the reason says which bound was hit.
      if (cutOff.signal.aborted && cutOff.signal.reason instanceof HttpFailure) throw cutOff.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Cuts off requests under way (their callers see a network error). */
  destroy(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}

type Body = AsyncIterable<Buffer> & { destroy(error?: Error): unknown; text(): Promise<string> };

/** The answer's text, read up to `max` bytes; a larger answer is refused without reading the rest. */
async function readCapped(body: Body, declared: string | string[] | undefined, max: number): Promise<string> {
  const tooLarge = () => new HttpFailure('EL_ANSWER_TOO_LARGE', `answer larger than ${mebibytes(max)} MiB`);
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  if (Number.isFinite(length) && length > max) {
    body.destroy();
    throw tooLarge();
  }
  // A declared length is what the connection carries (undici refuses a body that differs from it),
  // so such an answer is read whole at once: the chunk-by-chunk loop below took an event-loop turn
  // more per answer, which at concurrency 32 and 20 ms latency cost several percent of the rate.
  if (Number.isFinite(length)) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function mebibytes(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 10) / 10);
}
