// FlowMyna emulation (https://flowmyna.dev/api/event): FastAPI-style validation and errors,
// batches of at most 100 processed item by item, and — on purpose — NO deduplication of events,
// because the real API documents none: a resent event is stored twice, which is what crash tests
// must catch.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Reply, Route, TargetApi, TargetContext } from '../../sandbox/types.js';
import { fastApiErrors, isoDateTime, isPlainObject, jsonObject, toFastApiDetail, type FastApiIssue } from '../../sandbox/validation.js';

const BASE = '/api/public/v1';
const MAX_BATCH = 100;

const objectReference = z.object({
  type: z.string().min(1).max(100),
  id: z.string().min(1).max(500),
  qualifier: z.string().min(1).max(100).nullish(),
  properties: jsonObject.nullish(),
});

// Unknown fields (such as an `idempotency_key` the client adds) are ignored, as pydantic does.
const eventSchema = z.object({
  event: z.string().min(1).max(200),
  objects: z.array(objectReference).min(1),
  timestamp: isoDateTime.nullish(),
  properties: jsonObject.nullish(),
});

const upsertSchema = z.object({
  type: z.string().min(1).max(100),
  id: z.string().min(1).max(500),
  properties: jsonObject.nullish(),
});

type FlowMynaEvent = z.infer<typeof eventSchema>;

interface StoredObject {
  object_id: string;
  properties: Record<string, unknown>;
}

export function createFlowMynaApi(context: TargetContext): TargetApi {
  const objects = new Map<string, StoredObject>();

  /** Stores one valid event; objects' properties merge into the object store as documented. */
  function commit(event: FlowMynaEvent, raw: Record<string, unknown>, key: string | undefined) {
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    if (context.drops({ id: eventId, key, body: raw })) return eventId; // the drop fault: answered, kept nowhere
    for (const reference of event.objects) upsertObject(objects, reference.type, reference.id, reference.properties);
    context.commit({ id: eventId, key, body: raw });
    return eventId;
  }

  const routes: Route[] = [
    {
      method: 'GET',
      path: `${BASE}/health`,
      handle: () => ok({ status: 'ok', workspace: 'Sandbox workspace', dataset: 'Sandbox dataset' }),
    },
    {
      method: 'POST',
      path: `${BASE}/event`,
      ingest: true,
      handle({ body, idempotencyKey }) {
        const parsed = eventSchema.safeParse(body);
        if (!parsed.success) return unprocessable(toFastApiDetail(parsed.error.issues, body));
        const raw = body as Record<string, unknown>;
        const key = idempotencyKey ?? stringField(raw, 'idempotency_key');
        const eventId = commit(parsed.data, raw, key);
        return ok({
          success: true,
          event_id: eventId,
          event_type: parsed.data.event,
          timestamp: parsed.data.timestamp ?? new Date().toISOString(),
          objects_count: parsed.data.objects.length,
          message: 'Event recorded',
        });
      },
    },
    {
      method: 'POST',
      path: `${BASE}/event/batch`,
      ingest: true,
      handle: ({ body, idempotencyKey }) => ingestBatch(body, idempotencyKey, commit),
    },
    {
      method: 'POST',
      path: `${BASE}/object/upsert`,
      handle({ body }) {
        const parsed = upsertSchema.safeParse(body);
        if (!parsed.success) return unprocessable(toFastApiDetail(parsed.error.issues, body));
        const { type, id, properties } = parsed.data;
        const { object, created } = upsertObject(objects, type, id, properties);
        return ok({ success: true, object_id: object.object_id, type, id, created, message: 'Object upserted' });
      },
    },
  ];

  return {
    routes,
    authenticate: (headers) => (presentedKey(headers) === context.token ? context.token : undefined),
    errors: fastApiErrors,
    sendsRetryAfter: true,
    sendsRateLimitHeaders: true,
  };
}

/**
 * Each event is validated and stored on its own; `processed` counts the stored ones and `errors`
 * (shape undocumented) is `{index, detail}` with FastAPI detail items located under body.events.i.
 */
function ingestBatch(
  body: unknown,
  batchKey: string | undefined,
  commit: (event: FlowMynaEvent, raw: Record<string, unknown>, key: string | undefined) => string,
): Reply {
  const envelope = checkEnvelope(body);
  if (envelope.kind === 'invalid') return unprocessable(envelope.detail);
  const eventIds: string[] = [];
  const errors: { index: number; detail: FastApiIssue[] }[] = [];
  envelope.events.forEach((item, index) => {
    const parsed = eventSchema.safeParse(item);
    if (!parsed.success) {
      errors.push({ index, detail: toFastApiDetail(parsed.error.issues, item, ['body', 'events', index]) });
      return;
    }
    const raw = item as Record<string, unknown>;
    const key = stringField(raw, 'idempotency_key') ?? (batchKey === undefined ? undefined : `${batchKey}#${index}`);
    eventIds.push(commit(parsed.data, raw, key));
  });
  return ok({
    success: errors.length === 0,
    processed: eventIds.length,
    failed: errors.length,
    event_ids: eventIds,
    errors,
  });
}

type Envelope = { kind: 'valid'; events: unknown[] } | { kind: 'invalid'; detail: FastApiIssue[] };

/** The batch as a whole: `events` must be a list of 1 to 100 items, else nothing is processed. */
function checkEnvelope(body: unknown): Envelope {
  const issue = (loc: (string | number)[], msg: string, type: string): Envelope => ({
    kind: 'invalid',
    detail: [{ loc, msg, type }],
  });
  if (!isPlainObject(body)) {
    return body === undefined
      ? issue(['body'], 'Field required', 'missing')
      : issue(['body'], 'Input should be a valid dictionary', 'dict_type');
  }
  const { events } = body;
  if (events === undefined) return issue(['body', 'events'], 'Field required', 'missing');
  if (!Array.isArray(events)) return issue(['body', 'events'], 'Input should be a valid list', 'list_type');
  if (events.length === 0) {
    return issue(['body', 'events'], 'List should have at least 1 item after validation, not 0', 'too_short');
  }
  if (events.length > MAX_BATCH) {
    const msg = `List should have at most ${MAX_BATCH} items after validation, not ${events.length}`;
    return issue(['body', 'events'], msg, 'too_long');
  }
  return { kind: 'valid', events };
}

function upsertObject(
  objects: Map<string, StoredObject>,
  type: string,
  id: string,
  properties: Record<string, unknown> | null | undefined,
): { object: StoredObject; created: boolean } {
  const mapKey = JSON.stringify([type, id]);
  const existing = objects.get(mapKey);
  const object = existing ?? { object_id: `obj_${randomBytes(12).toString('hex')}`, properties: {} };
  Object.assign(object.properties, properties ?? {});
  objects.set(mapKey, object);
  return { object, created: existing === undefined };
}

/** FlowMyna accepts the key either as a bearer token or in its own header. */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-flowmyna-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function unprocessable(detail: FastApiIssue[]): Reply {
  return { status: 422, body: { detail } };
}
