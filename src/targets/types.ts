// What a target plugin is: one ingest API, its options, auth, request shapes and response meanings.
import type { z } from 'zod';
import type { Issue } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';
import type { RateLimitSettings } from '../sandbox/rate-limit.js';
import type { TargetFactory } from '../sandbox/types.js';

/** A 2xx answer that does not confirm the events: why, in a few words ("`success` is false"). */
export interface Unconfirmed {
  unconfirmed: string;
}

/** What the server said about one event. */
export type Outcome =
  | { kind: 'accepted'; id?: string }
  | { kind: 'duplicate'; id?: string }
  | { kind: 'rejected'; status: number; message: string };

/** A response as the uploader hands it to a target: status and parsed JSON body (undefined if none). */
export interface Response {
  status: number;
  body: unknown;
}

/** A small JSON HTTP client bound to the endpoint; used by targets for set-up calls (login, lookups). */
export interface ApiClient {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export interface Credentials {
  /** Environment variables to read secrets from (process.env, or the sandbox's). */
  env: Record<string, string | undefined>;
  /** Dry run: nothing is sent, so no credentials are needed and no set-up calls are made. */
  dryRun?: boolean;
}

/** A connected target, ready to send: auth headers and request shapes for this run. */
export interface Session {
  /** Headers that authenticate a request. */
  authHeaders(): Promise<Record<string, string>>;
  /** Called on 401: log in again where the API allows it. Returns true when a retry makes sense. */
  renewAuth?(): Promise<boolean>;
  /** Local checks that need the server's configuration (e.g. flaring's event-type fields). */
  checkRemote?(event: CanonicalEvent): Promise<Issue[]>;
  /**
   * Reading an answer (see answer.ts): called for a 2xx whose body is JSON, and for a 4xx that
   * refuses the events. A 2xx that does not confirm the events in the documented shape is
   * `{ unconfirmed: why }`: not sent, never accepted nor rejected.
   */
  single: { path: string; body(event: CanonicalEvent): unknown; outcome(response: Response): Outcome | Unconfirmed };
  batch?: { path: string; body(events: CanonicalEvent[]): unknown; outcomes(response: Response, count: number): Outcome[] | Unconfirmed };
  /**
   * For a target whose bodies hold each canonical event as it is, less its actor and its key
   * (FlowMyna's): the body's JSON text around the events' own texts. The uploader then writes each
   * event as the text its derived key was made from (keys.ts, keyedBodyText) rather than
   * serialising it again; a batch with an event that has no such text (a mapped key) uses `body`.
   */
  bodyAround?: { single(text: string): string; batch(texts: string[]): string };
}

/** One credential a target reads from the environment, and what a valid value looks like. */
export interface CredentialVariable {
  /** The key a --config file names it by ({"token": {"env": "MY_VAR"}}). */
  key: 'token' | 'email' | 'password';
  /** The environment variable, e.g. FLOWMYNA_API_KEY. */
  variable: string;
  /** For help texts: what the value is, e.g. "fm_live_ + 32 characters". */
  help: string;
}

/** What a client sets to use a sandbox: the plugin's own variables, and another way where there is one. */
export interface SandboxEnvironment {
  env: Record<string, string>;
  /** Another set that works too (flaring's static token besides its login), named in help only. */
  alternative?: Record<string, string>;
}

/**
 * The target's local emulator (`eventload sandbox`, `import --sandbox`, the tests): its routes and
 * answers on the shared machinery of src/sandbox, and what a client needs to use it.
 */
export interface TargetSandbox {
  /** Builds the emulated API; the shared server routes, authenticates, injects faults and counts. */
  createApi: TargetFactory;
  /** The token accepted unless another is given, shaped like a real one so `connect`'s checks pass. */
  defaultToken: string;
  /** The environment a client needs to be let in with `token`, under the plugin's credential variables. */
  environment(token: string): SandboxEnvironment;
  /** The API's documented per-caller limit, enforced unless the caller says otherwise; null: none. */
  defaultRateLimit: RateLimitSettings | null;
}

/** A span of event time to read back: from ≤ t < until, in ms since the epoch; an absent bound is open. */
export interface ReadWindow {
  from?: number;
  until?: number;
}

/** One page of what the API holds: its records, and the path of the next page (absent on the last). */
export interface ReadPage {
  records: Array<Record<string, unknown>>;
  next?: string;
}

/**
 * How `eventload verify` reads back what the API holds and matches it with what was sent: the
 * target's documented list endpoint and paging, the key both sides are matched by, and which of
 * the sent fields the stored record must hold unchanged. Reads go through the run's sender (rate
 * limit, retries, Retry-After), with the session's auth headers.
 */
export interface ReadBack {
  /** The endpoint, for messages: "GET /api/v1/events". */
  endpoint: string;
  /** The path (with its query) of the window's first page. The window is a hint: records outside it are passed over. */
  firstPage(window: ReadWindow): string;
  /**
   * A 2xx page answer: its records and the next page's path. An answer not in the documented shape,
   * or paging that does not advance, is `{ unconfirmed: why }` (the verification stops: it cannot be trusted).
   */
  page(body: unknown, path: string): ReadPage | Unconfirmed;
  /** The key a stored record is matched by (undefined: it cannot be, and counts as extra) and its event time. */
  identify(record: Record<string, unknown>): { key: string | undefined; time: number };
  /** What an event looks like once stored (the body sent), and its key; `undefined` when it cannot be sent as is. */
  expected(event: CanonicalEvent): Promise<{ key: string; body: Record<string, unknown> } | undefined>;
  /** The fields sent that the stored record holds with another value (empty: the same event). */
  differences(sent: Record<string, unknown>, record: Record<string, unknown>): string[];
}

export interface TargetPlugin<Options = Record<string, unknown>> {
  name: string;
  description: string;
  defaultEndpoint: string;
  /** Largest batch the API takes; 1 when it has no batch endpoint. */
  maxBatchSize: number;
  /** The API's documented limit, used when --rate is not given: requests per second and burst. */
  defaultRate?: { perSecond: number; burst: number };
  /**
   * The environment variables the target reads its credentials from: the only place they are
   * named. `--config` credentials, help texts, messages and secret redaction are built from it.
   */
  credentials: readonly CredentialVariable[];
  /** Options from the mapping file's `targets.<name>` section. */
  optionsSchema: z.ZodType<Options>;
  /** The target's own limits beyond the canonical schema; used by validate --target and import. */
  check(event: CanonicalEvent, options: Options): Issue[];
  /** Checks credentials (before anything is sent) and prepares a session. */
  connect(client: ApiClient, credentials: Credentials, options: Options): Promise<Session>;
  /** Its local emulator. */
  sandbox: TargetSandbox;
  /**
   * Reading back what the API holds (`eventload verify`), for a connected session. Absent: the API
   * documents no read endpoint, and verify says so (exit 2).
   */
  readBack?(session: Session, options: Options): ReadBack;
}
