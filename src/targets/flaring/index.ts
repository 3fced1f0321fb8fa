// Flaring monitor (AEGIS compliance platform): POST /events with an event type and its fields.
// Event types are resolved by name through GET /event-types and each event's fields are checked
// against GET /event-types/{id}/fields before sending, both cached for the run.
import { z } from 'zod';
import { AbortError, ConfigError, type Issue } from '../../errors.js';
import type { CanonicalEvent } from '../../events/canonical.js';
import { answerProblem, describeBody, type Unconfirmed } from '../answer.js';
import { isJsonNumber } from '../../events/exact-number.js';
import { addSecret } from '../../secrets/redact.js';
import { serverMessage } from '../errors.js';
import { createFlaringApi } from './sandbox.js';
import { SANDBOX_LOGIN } from './sandbox-auth.js';
import { createHash } from 'node:crypto';
import { changedFields, query, recordInstant, stableJson } from '../read-back.js';
import type { ApiClient, Outcome, ReadBack, ReadPage, Response, Session, TargetPlugin } from '../types.js';

export const flaringOptionsSchema = z
  .object({
    event_type_id: z.number().int().positive().optional().describe('send every event with this event type (default: look it up by event name)'),
  })
  .strict();
type FlaringOptions = z.infer<typeof flaringOptionsSchema>;

interface Field {
  name: string;
  type: string;
  required?: boolean | null;
  options?: unknown[] | null;
}

/** The object qualified `target` is the entity; else the first object. */
function entity(event: CanonicalEvent) {
  return event.objects.find((object) => object.qualifier === 'target') ?? event.objects[0]!;
}

export function checkFields(fields: Record<string, unknown>, schema: Field[], typeName: string): Issue[] {
  const issues: Issue[] = [];
  const known = new Map(schema.map((field) => [field.name, field]));
  for (const field of schema) {
    const value = fields[field.name];
    const path = `properties.${field.name}`;
    if (value === undefined || value === null || value === '') {
      if (field.required) issues.push({ path, message: `is required by event type "${typeName}"`, code: 'EL_FLARING_FIELD_REQUIRED' });
      continue;
    }
    if (field.type === 'number' && !isJsonNumber(value)) issues.push({ path, message: `must be a number for event type "${typeName}" (map it with "as": "number")`, code: 'EL_FLARING_FIELD_TYPE' });
    if (field.type === 'text' && typeof value !== 'string') issues.push({ path, message: `must be text for event type "${typeName}" (map it with "as": "string")`, code: 'EL_FLARING_FIELD_TYPE' });
    if (field.type === 'select' && Array.isArray(field.options) && !field.options.includes(value)) {
      issues.push({ path, message: `must be one of ${field.options.map((option) => JSON.stringify(option)).join(', ')} for event type "${typeName}"`, code: 'EL_FLARING_FIELD_OPTION' });
    }
  }
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) issues.push({ path: `properties.${name}`, message: `is not a field of event type "${typeName}" (its fields: ${[...known.keys()].join(', ')})`, code: 'EL_FLARING_FIELD_UNKNOWN' });
  }
  return issues;
}

/** The documented 201: the stored event, with its id. */
const created = z.object({ id: z.union([z.number(), z.string().min(1)]) }).passthrough();

function outcome(response: Response): Outcome | Unconfirmed {
  if (response.status >= 200 && response.status < 300) {
    const parsed = created.safeParse(response.body);
    if (!parsed.success) return { unconfirmed: `not the flaring event it stored (${answerProblem(response.body, parsed.error)})` };
    return { kind: 'accepted', id: String(parsed.data.id) };
  }
  // 409 is the API's word for "duplicate" (its duplication rules) or a state conflict.
  const id = (response.body as { id?: unknown } | undefined)?.id;
  if (response.status === 409) return { kind: 'duplicate', ...(id !== undefined && { id: String(id) }) };
  return { kind: 'rejected', status: response.status, message: serverMessage(response.body, response.status) };
}

const eventTypesAnswer = z.array(z.object({ id: z.number(), name: z.string() }).passthrough());
const fieldsAnswer = z.array(z.object({ name: z.string(), type: z.string(), required: z.boolean().nullish(), options: z.array(z.unknown()).nullish() }).passthrough());

class FlaringSession implements Session {
  private token: string | undefined;
  private types: Promise<Array<{ id: number; name: string }>> | undefined;
  private readonly fields = new Map<number, Promise<Field[]>>();
  private readonly resolved = new Map<string, number>();

  constructor(
    private readonly client: ApiClient,
    private readonly login: { email: string; password: string } | undefined,
    token: string | undefined,
    private readonly options: FlaringOptions,
    private readonly offline = false,
  ) {
    this.token = token;
  }

  async authHeaders(): Promise<Record<string, string>> {
    if (!this.token) await this.renewAuth();
    return { authorization: `Bearer ${this.token}` };
  }

  /** Logs in again (the token expired); only possible with FLARING_EMAIL and FLARING_PASSWORD. */
  async renewAuth(): Promise<boolean> {
    if (!this.login) return false;
    const response = await this.client.post('/api/v1/auth/token', this.login);
    if (response.status === 401 || response.status === 403) throw new AbortError(`flaring login refused for FLARING_EMAIL: ${serverMessage(response.body, response.status)}`, 'EL_AUTH');
    const token = (response.body as { access_token?: unknown } | undefined)?.access_token;
    if (response.status >= 300 || typeof token !== 'string') throw new AbortError(`flaring login failed: ${serverMessage(response.body, response.status)}`, 'EL_AUTH');
    addSecret(token); // a server may echo it back in an error: it must never be written out
    this.token = token;
    return true;
  }

  async checkRemote(event: CanonicalEvent): Promise<Issue[]> {
    if (this.offline) return []; // a dry run makes no calls; event types are checked when sending
    const type = await this.typeFor(event.event);
    if (typeof type === 'string') return [{ path: 'event', message: type, code: 'EL_FLARING_EVENT_TYPE' }];
    return checkFields(event.properties ?? {}, await this.fieldsOf(type.id), type.name);
  }

  readonly single = {
    path: '/events',
    body: (event: CanonicalEvent) => {
      const object = entity(event);
      const eventTypeId = this.options.event_type_id ?? this.resolved.get(event.event);
      return { event_type_id: eventTypeId, entity_id: object.id, entity_type: object.type, occurred_at: event.timestamp, fields: event.properties ?? {} };
    },
    outcome,
  };

  /** The event type an event is sent with (looked up by name, cached), or why there is none. */
  async typeFor(name: string): Promise<{ id: number; name: string } | string> {
    const types = await this.eventTypes();
    const wanted = this.options.event_type_id;
    const type = wanted !== undefined ? types.find((t) => t.id === wanted) : types.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!type) {
      return wanted !== undefined ? `event type ${wanted} (targets.flaring.event_type_id) does not exist` : `no flaring event type is named "${name}" (known: ${types.map((t) => t.name).join(', ')})`;
    }
    this.resolved.set(name, type.id);
    return type;
  }

  private eventTypes(): Promise<Array<{ id: number; name: string }>> {
    this.types ??= this.getJson('/event-types', eventTypesAnswer);
    return this.types;
  }

  private fieldsOf(id: number): Promise<Field[]> {
    let fields = this.fields.get(id);
    if (!fields) {
      fields = this.getJson(`/event-types/${id}/fields`, fieldsAnswer);
      this.fields.set(id, fields);
    }
    return fields;
  }

  /**
   * A set-up answer that is not the documented list (an HTML page, an empty body) would make every
   * event look unknown and be rejected: it stops the run instead, nothing sent.
   */
  private async getJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    let response = await this.client.get(path, await this.authHeaders());
    if (response.status === 401 && (await this.renewAuth())) response = await this.client.get(path, await this.authHeaders());
    if (response.status === 401 || response.status === 403) throw new AbortError(`flaring refused the token (HTTP ${response.status}) on GET ${path}`, 'EL_AUTH');
    if (response.status >= 300) throw new AbortError(`flaring GET ${path} failed: ${serverMessage(response.body, response.status)}`, 'EL_REMOTE_SETUP');
    const parsed = schema.safeParse(response.body);
    if (parsed.success) return parsed.data;
    const what = response.body === undefined || typeof response.body === 'string' ? describeBody(response) : answerProblem(response.body, parsed.error);
    throw new AbortError(`flaring GET ${path}: HTTP ${response.status} is not the documented list: ${what}`, 'EL_UNCONFIRMED_ANSWER');
  }
}

const READ_PAGE = 1000; // the most GET /events serves per page
const listAnswer = z.array(z.record(z.string(), z.unknown()));

/**
 * The key a flaring event is matched by: the API stores no key of ours, so an event is known by
 * what it says (event type, entity, instant, fields), as the issue asks. Two events saying the same
 * thing share a key and are counted as many times as each side holds them.
 */
function flaringKey(typeId: unknown, entityId: unknown, time: number, fields: unknown): string {
  return createHash('sha256').update(stableJson([typeId, entityId, time, fields ?? {}])).digest('base64url');
}

/** GET /events with offset/limit paging in the window (from_date/to_date), and the event type when the options fix one. */
function flaringReadBack(session: FlaringSession, options: FlaringOptions): ReadBack {
  const path = '/events';
  let previousFirst: string | undefined;
  return {
    endpoint: `GET ${path}`,
    firstPage(window) {
      previousFirst = undefined;
      const from = window.from === undefined ? undefined : new Date(window.from).toISOString();
      const to = window.until === undefined ? undefined : new Date(window.until).toISOString();
      return `${path}?${query({ event_type_id: options.event_type_id, from_date: from, to_date: to, limit: READ_PAGE, offset: 0 })}`;
    },
    page(body, requested): ReadPage | Unconfirmed {
      const parsed = listAnswer.safeParse(body);
      if (!parsed.success) return { unconfirmed: `not the flaring list of events (${answerProblem(body, parsed.error)})` };
      const records = parsed.data;
      const search = new URLSearchParams(requested.slice(requested.indexOf('?') + 1));
      const offset = Number(search.get('offset') ?? 0);
      const first = records.length > 0 ? stableJson(records[0]) : undefined;
      // A server that ignores offset serves the first page forever: caught on the second page.
      if (offset > 0 && first !== undefined && first === previousFirst) return { unconfirmed: `the page at offset ${offset} repeats the page before it: the paging does not advance` };
      if (records.length > READ_PAGE) return { unconfirmed: `${records.length} events on a page of at most ${READ_PAGE}: the limit is ignored` };
      previousFirst = first;
      if (records.length < READ_PAGE) return { records };
      search.set('offset', String(offset + READ_PAGE));
      return { records, next: `${path}?${search.toString()}` };
    },
    identify(record) {
      const time = recordInstant(record, 'occurred_at');
      return { key: flaringKey(record.event_type_id, record.entity_id, time, record.fields), time };
    },
    async expected(event) {
      const type = await session.typeFor(event.event);
      if (typeof type === 'string') return undefined;
      const body = session.single.body(event);
      return { key: flaringKey(body.event_type_id, body.entity_id, recordInstant(body, 'occurred_at'), body.fields), body };
    },
    // Type, entity, instant and fields are the key: only the rest can differ.
    differences: (sent, record) => changedFields({ entity_type: sent.entity_type }, record),
  };
}

export const flaringTarget = {
  name: 'flaring',
  description: 'Flaring monitor (AEGIS): POST /events with event types and fields; 100 requests/min, burst 10',
  defaultEndpoint: 'http://localhost:8000',
  maxBatchSize: 1,
  defaultRate: { perSecond: 100 / 60, burst: 10 },
  credentials: [
    { key: 'token', variable: 'FLARING_TOKEN', help: 'a bearer token, or log in with the two below' },
    { key: 'email', variable: 'FLARING_EMAIL', help: 'login e-mail' },
    { key: 'password', variable: 'FLARING_PASSWORD', help: 'login password' },
  ],
  optionsSchema: flaringOptionsSchema,
  check: (event) => (event.event.length === 0 ? [{ path: 'event', message: 'is required', code: 'EL_FIELD_REQUIRED' }] : []),
  async connect(client, credentials, options) {
    const { FLARING_TOKEN: token, FLARING_EMAIL: email, FLARING_PASSWORD: password } = credentials.env;
    if (credentials.dryRun) return new FlaringSession(client, undefined, token ?? 'dry-run', options, true);
    if (!token && !(email && password)) throw new ConfigError('set FLARING_TOKEN, or FLARING_EMAIL and FLARING_PASSWORD', 'EL_NO_TOKEN');
    const session = new FlaringSession(client, email && password ? { email, password } : undefined, token, options);
    await session.authHeaders();
    return session;
  },
  sandbox: {
    createApi: createFlaringApi,
    defaultToken: 'flaring_sandbox_static_token', // accepted besides the JWTs the login issues
    // The login is what a real account uses; the static token works too, and is named as the alternative.
    environment: (token) => ({ env: { FLARING_EMAIL: SANDBOX_LOGIN.email, FLARING_PASSWORD: SANDBOX_LOGIN.password }, alternative: { FLARING_TOKEN: token } }),
    defaultRateLimit: { perMinute: 100, burst: 10 }, // documented: 100 requests/min, burst 10, per user
  },
  readBack: (session, options) => flaringReadBack(session as FlaringSession, options),
} satisfies TargetPlugin<FlaringOptions>;
