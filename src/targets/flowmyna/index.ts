// FlowMyna (object-centric process mining): POST /api/public/v1/event and /event/batch (≤ 100).
// FlowMyna documents no idempotency for events: a resent event is stored twice, so the uploader
// must never resend what was accepted (the journal's job) and says so in docs/flowmyna.md.
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { CanonicalEvent } from '../../events/canonical.js';
import { answerProblem, type Reading, type Unconfirmed } from '../answer.js';
import { serverMessage } from '../errors.js';
import { createFlowMynaApi } from './sandbox.js';
import type { Outcome, Response, Session, TargetPlugin } from '../types.js';

const KEY_PATTERN = /^fm_live_[A-Za-z0-9_-]{32}$/;
const BASE = '/api/public/v1';

export const flowmynaOptionsSchema = z.object({}).strict();
type FlowmynaOptions = z.infer<typeof flowmynaOptionsSchema>;

function body(event: CanonicalEvent): Record<string, unknown> {
  // The canonical event minus what FlowMyna has no field for (actor, key): the key travels in the header.
  const out: Record<string, unknown> = { event: event.event, timestamp: event.timestamp, objects: event.objects };
  if (event.properties) out.properties = event.properties;
  return out;
}

/** The documented 200 of POST /event: `success` true and the stored event's id. */
const singleAnswer = z.object({ success: z.literal(true), event_id: z.string().min(1) }).passthrough();

function outcome(response: Response): Outcome | Unconfirmed {
  if (response.status >= 200 && response.status < 300) {
    const parsed = singleAnswer.safeParse(response.body);
    if (!parsed.success) return { unconfirmed: `not FlowMyna's event answer (${answerProblem(response.body, parsed.error)})` };
    return { kind: 'accepted', id: parsed.data.event_id };
  }
  return { kind: 'rejected', status: response.status, message: serverMessage(response.body, response.status) };
}

/** The documented batch answer; `errors[]` items are undocumented, so only their placement is read. */
const batchAnswer = z
  .object({
    success: z.boolean().optional(),
    processed: z.number().int().min(0),
    failed: z.number().int().min(0).optional(),
    event_ids: z.array(z.string().min(1)),
    errors: z.array(z.unknown()).default([]),
  })
  .passthrough();

type ErrorItem = { index?: unknown; loc?: unknown; detail?: unknown; message?: unknown };

/**
 * The batch answer lists ids of the events that succeeded, in order, and `errors[]` whose item
 * shape is undocumented. eventload places an error by its `index`, or by the event's position in
 * a FastAPI-style `loc` (["body", "events", 3, ...]), also inside `detail` items. An error it
 * cannot place makes every event it could not account for rejected, never silently accepted,
 * with a message that says it may have been stored (FlowMyna does not deduplicate). An answer
 * that does not account for every event of the batch (`processed` 0 and no errors, counts that
 * disagree) confirms nothing: the batch is not sent, and is retried.
 */
function outcomes(response: Response, count: number): Reading {
  if (response.status < 200 || response.status >= 300) return Array.from({ length: count }, () => outcome(response) as Outcome);
  const parsed = batchAnswer.safeParse(response.body);
  if (!parsed.success) return { unconfirmed: `not FlowMyna's batch answer (${answerProblem(response.body, parsed.error)})` };
  const result = parsed.data;
  const errors = result.errors.map((error) => (error && typeof error === 'object' ? error : { message: error }) as ErrorItem);
  if (result.event_ids.length !== result.processed) return { unconfirmed: `"processed" is ${result.processed} but ${result.event_ids.length} event ids are listed` };
  if (result.processed + errors.length !== count || (result.failed !== undefined && result.processed + result.failed !== count)) {
    const failed = result.failed ?? errors.length;
    return { unconfirmed: `it accounts for ${result.processed} processed and ${failed} failed (${errors.length} errors listed) of the ${count} events sent` };
  }
  const failed = new Map<number, string>();
  for (const error of errors) {
    const index = errorIndex(error);
    if (index !== undefined && index < count) failed.set(index, serverMessage(error, response.status));
  }
  const ids = [...result.event_ids];
  const unplaced = errors.length - failed.size;
  const unknown = `the batch stored ${result.processed} of its ${count} events and reported ${unplaced} error(s) without saying for which event: this one may or may not be stored (check before resending it; FlowMyna does not deduplicate)`;
  return Array.from({ length: count }, (_, index): Outcome => {
    const message = failed.get(index);
    if (message !== undefined) return { kind: 'rejected', status: 422, message };
    if (unplaced > 0) return { kind: 'rejected', status: response.status, message: unknown };
    const id = ids.shift();
    return { kind: 'accepted', ...(id !== undefined && { id }) };
  });
}

/** The event an error item is about: `index`, or the number after "events" in a FastAPI `loc`. */
function errorIndex(error: { index?: unknown; loc?: unknown; detail?: unknown }): number | undefined {
  if (typeof error.index === 'number' && Number.isInteger(error.index) && error.index >= 0) return error.index;
  const locs = [error.loc, ...(Array.isArray(error.detail) ? error.detail.map((item) => (item as { loc?: unknown })?.loc) : [])];
  for (const loc of locs) {
    if (!Array.isArray(loc)) continue;
    const at = loc.indexOf('events');
    const index = at >= 0 ? loc[at + 1] : undefined;
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0) return index;
  }
  return undefined;
}

function session(key: string): Session {
  return {
    authHeaders: async () => ({ authorization: `Bearer ${key}` }),
    single: { path: `${BASE}/event`, body, outcome },
    batch: { path: `${BASE}/event/batch`, body: (events) => ({ events: events.map(body) }), outcomes },
    // body() is the canonical event less its actor and key, so an event's keyed text is its body.
    bodyAround: { single: (text) => text, batch: (texts) => `{"events":[${texts.join(',')}]}` },
  };
}

export const flowmynaTarget = {
  name: 'flowmyna',
  description: 'FlowMyna process mining: POST /api/public/v1/event, batches of up to 100',
  defaultEndpoint: 'https://api.flowmyna.com',
  maxBatchSize: 100,
  credentials: [{ key: 'token', variable: 'FLOWMYNA_API_KEY', help: 'fm_live_ + 32 characters' }],
  optionsSchema: flowmynaOptionsSchema,
  check: () => [],
  async connect(_client, credentials) {
    const key = credentials.env.FLOWMYNA_API_KEY ?? '';
    if (credentials.dryRun) return session(key);
    if (!key) throw new ConfigError('FLOWMYNA_API_KEY is not set (the API key of the dataset to write to)', 'EL_NO_TOKEN');
    // Said without the value: a key must never reach a log, even a malformed one.
    if (!KEY_PATTERN.test(key)) throw new ConfigError(`FLOWMYNA_API_KEY is not a FlowMyna key (expected "fm_live_" and 32 letters, digits, "-" or "_"; got ${key.length} characters)`, 'EL_BAD_TOKEN');
    return session(key);
  },
  sandbox: {
    createApi: createFlowMynaApi,
    defaultToken: 'fm_live_sandboxsandboxsandboxsandbox1234', // fm_live_ + 32 URL-safe characters
    environment: (token) => ({ env: { FLOWMYNA_API_KEY: token } }),
    defaultRateLimit: null, // FlowMyna announces X-RateLimit-* headers but enforces nothing documented
  },
} satisfies TargetPlugin<FlowmynaOptions>;
