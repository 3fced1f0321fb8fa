// The HTTP client: undici keep-alive connections to one endpoint, JSON in and out. Every attempt is
// bounded three ways, because a server can hold a client without ever failing: by silence
// (--timeout), by its total time (--request-timeout, and what is left of --retry-deadline), and by
// the size of its answer (MAX_ANSWER_BYTES). Each bound, when hit, is a failed attempt (retryable).
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
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
   *
   * Through undici's dispatch, which hands over the answer's chunks as they come: its request()
   * wraps each answer in a stream and each attempt in an abort signal's listeners, a fifth of the
   * client's CPU per request, for an answer read whole into memory anyway.
   */
  request(method: 'GET' | 'POST', path: string, body: string | undefined, headers: Record<string, string>, deadlineMs = Infinity): Promise<HttpResponse> {
    // Whatever the server does with it (echo it in an error, a header), this value is a secret.
    addAuthorization(headers.authorization ?? headers.Authorization);
    const budget = Math.max(0, Math.min(this.limits.totalMs, deadlineMs));
    const why = `no complete answer within ${seconds(budget)} s${budget < this.limits.totalMs ? ', what was left of the retry deadline' : ''}`;
    return new Promise<HttpResponse>((resolve, reject) => {
      const answer = new Answer(this.limits.maxAnswerBytes, resolve, reject);
      const timer = setTimeout(() => answer.fail(new HttpFailure('EL_REQUEST_TIMEOUT', why)), budget);
      answer.onSettled = () => clearTimeout(timer);
      this.agent.dispatch(
        {
          origin: this.origin,
          path: `${this.prefix}${path}`,
          method,
          headers: { accept: 'application/json', 'user-agent': 'eventload', ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
          body,
          headersTimeout: this.limits.idleMs,
          bodyTimeout: this.limits.idleMs,
        },
        answer,
      );
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Cuts off requests under way (their callers see a network error). */
  destroy(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}

/**
 * One answer as undici hands it over: collected up to `max` bytes (a larger one is refused and its
 * connection dropped, without reading the rest), then settled once. A bound hit (`fail`) aborts the
 * request, even one still waiting for a connection, which is aborted as soon as it gets one.
 */
class Answer implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private failure: Error | undefined;
  private settled = false;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  onSettled: () => void = () => undefined;

  constructor(
    private readonly max: number,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  fail(error: Error): void {
    this.failure ??= error;
    if (this.controller && !this.controller.aborted) this.controller.abort(error);
    this.settle(() => this.reject(this.failure));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.failure) controller.abort(this.failure);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // informational (102, 103): the answer is still to come
    this.status = statusCode;
    this.headers = headers;
    const declared = headers['content-length'];
    const length = Number(Array.isArray(declared) ? declared[0] : declared);
    if (Number.isFinite(length) && length > this.max) this.fail(this.tooLarge());
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.failure) return;
    this.size += chunk.length;
    if (this.size > this.max) this.fail(this.tooLarge());
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    let text: string;
    try {
      text = decompressed(bytes, this.headers['content-encoding'], this.max).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
      this.settle(() => this.reject(this.tooLarge()));
      return;
    }
    this.settle(() => this.resolve({ status: this.status, headers: this.headers, body: parseJson(text), text }));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // An abort for a bound comes back here as its reason; undici's own errors keep their codes.
    this.settle(() => this.reject(this.failure ?? error));
  }

  private settle(finish: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled();
    finish();
  }

  private tooLarge(): HttpFailure {
    return new HttpFailure('EL_ANSWER_TOO_LARGE', `answer larger than ${mebibytes(this.max)} MiB`);
  }
}

/**
 * The body as sent when the server compressed it although eventload never asks for that (no
 * Accept-Encoding): some proxies and gateways compress every answer. Bounded like the answer
 * itself; a body that does not decompress is left as it came (it is then no JSON, and confirms
 * nothing).
 */
function decompressed(bytes: Buffer, encoding: string | string[] | undefined, max: number): Buffer {
  const name = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  if (name === '' || name === 'identity' || bytes.length === 0) return bytes;
  const options = { maxOutputLength: max };
  try {
    if (name === 'gzip' || name === 'x-gzip') return gunzipSync(bytes, options);
    if (name === 'br') return brotliDecompressSync(bytes, options);
    if (name === 'deflate') return bytes[0] === 0x78 ? inflateSync(bytes, options) : inflateRawSync(bytes, options); // 0x78: zlib's header; some servers send raw deflate
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
  }
  return bytes;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    // A byte order mark, which some servers put before their JSON: a parser may ignore it (RFC 8259).
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
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
