// "tally": a target that exists only in the tests. Its plugin and its emulator (sandbox.ts) are
// all it is: registered from a test (cli.ts), it must work through the real CLI, flags, config file,
// help and sandbox included, with no line about it anywhere in src/.
import { z } from 'zod';
import { ConfigError } from '../../../src/errors.js';
import type { CanonicalEvent } from '../../../src/events/canonical.js';
import type { Outcome, Response, TargetPlugin } from '../../../src/targets/types.js';
import { createTallyApi } from './sandbox.js';

export const TALLY_MAX_NAME = 12;

const optionsSchema = z.object({ ledger: z.string().min(1).optional().describe('ledger sent with every event') }).strict();
type TallyOptions = z.infer<typeof optionsSchema>;

function body(event: CanonicalEvent, options: TallyOptions): Record<string, unknown> {
  return { name: event.event, at: event.timestamp, ref: event.objects[0]!.id, key: event.idempotency_key, ...(options.ledger && { ledger: options.ledger }) };
}

function outcome(item: unknown, status: number): Outcome {
  const { id, error } = (item ?? {}) as { id?: unknown; error?: unknown };
  if (typeof id === 'string') return { kind: 'accepted', id };
  return { kind: 'rejected', status: status < 300 ? 422 : status, message: typeof error === 'string' ? error : `HTTP ${status}` };
}

export const tallyTarget = {
  name: 'tally',
  description: 'tally (tests only): POST /v1/events, batches of 2',
  defaultEndpoint: 'https://tally.invalid',
  maxBatchSize: 2,
  credentials: [{ key: 'token', variable: 'TALLY_TOKEN', help: 'tally_ + letters (tests only)' }],
  optionsSchema,
  check: (event) => (event.event.length > TALLY_MAX_NAME ? [{ path: 'event', message: `tally takes names of at most ${TALLY_MAX_NAME} characters`, code: 'EL_FIELD_LENGTH' }] : []),
  async connect(_client, credentials, options) {
    const token = credentials.env.TALLY_TOKEN ?? '';
    if (!token && !credentials.dryRun) throw new ConfigError('TALLY_TOKEN is not set', 'EL_NO_TOKEN');
    return {
      authHeaders: async () => ({ authorization: `Token ${token}` }),
      single: { path: '/v1/events', body: (event) => body(event, options), outcome: (response: Response) => outcome(response.body, response.status) },
      batch: {
        path: '/v1/events/batch',
        body: (events) => ({ events: events.map((event) => body(event, options)) }),
        outcomes: (response: Response, count: number) => {
          const results = (response.body as { results?: unknown[] } | undefined)?.results;
          return Array.from({ length: count }, (_, index) => outcome(Array.isArray(results) ? results[index] : response.body, response.status));
        },
      },
    };
  },
  sandbox: {
    createApi: createTallyApi,
    defaultToken: 'tally_sandbox',
    environment: (token) => ({ env: { TALLY_TOKEN: token } }),
    defaultRateLimit: null,
  },
} satisfies TargetPlugin<TallyOptions>;
