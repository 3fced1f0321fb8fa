// Test helpers: start sandboxes that are always closed after the test, and small fetch wrappers.
import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

/** Returns a starter whose sandboxes are closed after each test, pass or fail. */
export function useSandboxes(): (options: SandboxOptions) => Promise<Sandbox> {
  const open: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
  });
  return async (options) => {
    const sandbox = await startSandbox(options);
    open.push(sandbox);
    return sandbox;
  };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // Tests poke into bodies freely; the assertions are the type check.
  body: any;
}

export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const token = options.token === undefined ? sandbox.token : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  if (hasBody) headers['content-type'] = 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export const post = (sandbox: Sandbox, path: string, body: unknown, options: Parameters<typeof call>[3] = {}) =>
  call(sandbox, 'POST', path, { ...options, body });

export const get = (sandbox: Sandbox, path: string, options: Parameters<typeof call>[3] = {}) =>
  call(sandbox, 'GET', path, options);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A valid event for each target's single-event endpoint. */
export const VALID = {
  flowmyna: {
    path: '/api/public/v1/event',
    body: {
      event: 'Order Placed',
      timestamp: '2024-03-01T12:00:00Z',
      objects: [{ type: 'Order', id: 'o-1' }, { type: 'Customer', id: 'c-9', qualifier: 'buyer' }],
      properties: { channel: 'web' },
    },
  },
  immutable: {
    path: '/api/v1/events',
    body: { actor_id: 'user_1', action: 'invoice.paid', occurred_at: '2024-03-01T12:00:00Z', metadata: { amount: 10 } },
  },
  flaring: {
    path: '/events',
    body: {
      event_type_id: 1,
      entity_id: 'stack-7',
      entity_type: 'flare_stack',
      occurred_at: '2024-03-01T12:00:00Z',
      fields: { volume_mscf: 12.5, reason: 'planned' },
    },
  },
} as const;
