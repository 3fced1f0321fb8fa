// The HTTP client: undici keep-alive connections to one endpoint, JSON in and out.
import { Agent } from 'undici';
import type { Response } from '../targets/types.js';

export interface HttpResponse extends Response {
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (kept for error messages when it is not JSON). */
  text: string;
}

export class HttpClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly prefix: string;

  constructor(endpoint: string, connections: number, private readonly timeoutMs: number) {
    const url = new URL(endpoint);
    this.origin = url.origin;
    // An endpoint may carry a path prefix (a proxy, a gateway); target paths are appended to it.
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.agent = new Agent({ connections, keepAliveTimeout: 10_000, connect: { timeout: Math.min(timeoutMs, 10_000) } });
  }

  async request(method: 'GET' | 'POST', path: string, body: string | undefined, headers: Record<string, string>): Promise<HttpResponse> {
    const response = await this.agent.request({
      origin: this.origin,
      path: `${this.prefix}${path}`,
      method,
      headers: { accept: 'application/json', 'user-agent': 'eventload', ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.statusCode, headers: response.headers, body: parsed, text };
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Cuts off requests under way (their callers see a network error). */
  destroy(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}
