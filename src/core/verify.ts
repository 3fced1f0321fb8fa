// `eventload verify`, with no terminal: reads back what the API holds (the target's documented list
// endpoint, through the same rate limiter, retries and Retry-After handling as uploads) and
// compares it with what the journal says was delivered, or with the input files. A 2xx is a
// promise; an event read back is proof. What is missing is marked so in the journal (so the next
// run sends it again, with its key) and written, like what is different, as a rejects-style file
// that `replay` reads.
import { AbortError, ConfigError, type Issue, type Position } from '../errors.js';
import type { CanonicalEvent } from '../events/canonical.js';
import { toJsonText } from '../events/exact-number.js';
import { parseJsonText } from '../events/json-text.js';
import { inWindow, instantOf } from '../events/timestamp.js';
import type { Journal, JournalScope } from '../journal/journal.js';
import { checkOutputs, journalFiles } from '../output/same-file.js';
import { prepareInputs, readEvents, type ReadOptions } from '../pipeline/read-events.js';
import { checkRunReportPath } from '../report/html/mark.js';
import { RejectsWriter } from '../report/rejects.js';
import { VerifyRunDataBuilder, type VerifyAccount, type VerifyExample, type VerifyRunData } from '../report/verify-data.js';
import { addSecretsFromEnv } from '../secrets/redact.js';
import { allTargets, parseTargetOptions } from '../targets/index.js';
import { describeBody } from '../targets/answer.js';
import { serverMessage } from '../targets/errors.js';
import type { ReadBack, ReadWindow, Session, TargetPlugin } from '../targets/types.js';
import type { HttpClient } from '../upload/http.js';
import { RateLimiter } from '../upload/rate-limiter.js';
import { DEFAULT_RETRY, Sender, StoppedError, type RetryNotice } from '../upload/sender.js';
import { openJournal, startJournalRun } from './journal-run.js';
import type { Connection } from './options.js';
import { inputPaths } from './outputs.js';
import { CompareStore, type ExpectedRow } from './verify-store.js';

export interface VerifyOptions {
  /** Where to read; called once, after the journal is locked. */
  connect(): Promise<Connection>;
  /** The journal to compare with and to tell what is missing; undefined only with input files. */
  journal: { path: string } | undefined;
  /** Input files (and the mapping): compare with what they hold instead of the journal. Empty files: the journal. */
  settings: ReadOptions;
  /** Only events whose time is in this window, on both sides. */
  window: ReadWindow;
  rate: { perSecond: number; burst: number } | undefined;
  retry: { maxRetries: number; deadlineMs: number; baseDelayMs: number };
  timeouts: { idleMs: number; totalMs: number };
  /** The rejects-style file of missing and different events: appended to when the user named it. */
  output: { path: string; append: boolean };
  /** --report-html: the HTML report the caller will write from the run data: checked writable before the run. */
  reportHtml?: string;
  /** Every credential of this environment is a secret, never written out. */
  secretsFrom: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** What verify tells whoever watches it, as it happens. */
export type VerifyEvent =
  | { type: 'started'; target: string; endpoint: string; readFrom: string; source: 'journal' | 'files' }
  /** A page of the server's records was read: `count` in it, `records` so far. */
  | { type: 'page'; records: number; count: number }
  | ({ type: 'retried' } & RetryNotice);

/** The account of one verification: the shape `--json` prints and `--report` writes (its fields: VerifyAccount). */
export interface VerifyResult extends VerifyAccount {
  command: 'verify';
}

/** A verification's account, and what its HTML report shows (also stored in the journal with the run). */
export interface Verification {
  result: VerifyResult;
  runData: VerifyRunData;
}

/** Verifies one target: every default already applied in `options`. */
export async function verify(target: TargetPlugin<any>, options: VerifyOptions, listener: (event: VerifyEvent) => void = () => undefined): Promise<Verification> {
  if (!target.readBack) {
    throw new ConfigError(`${target.name} has no documented read endpoint, so verify cannot read back what it holds (${target.description})`, 'EL_VERIFY_UNSUPPORTED');
  }
  const files = options.settings.files;
  if (files.length === 0 && !options.journal) throw new ConfigError('verify compares with the journal, or with input files: give files, or drop --no-journal', 'EL_VERIFY_NOTHING');
  // Every verification gathers its report data from its own events, as a delivery does.
  const runData = new VerifyRunDataBuilder();
  const onEvent = (event: VerifyEvent): void => {
    if (event.type === 'page') runData.page(event.count);
    else if (event.type === 'retried') runData.retried(event);
    listener(event);
  };
  const output = new RejectsWriter(options.output.path, { append: options.output.append, command: 'verify', files });
  checkOutputs(inputPaths(files, { mapping: options.settings.mappingFile }), [
    { role: '--rejects', path: output.path },
    ...(options.reportHtml ? [{ role: '--report-html', path: options.reportHtml }] : []),
    ...(options.journal ? journalFiles(options.journal.path) : []),
  ]);
  const journal = await openJournal(options.journal, 'verify');
  const store = new CompareStore();
  try {
    await output.checkWritable();
    if (options.reportHtml) checkRunReportPath(options.reportHtml);
    const prepared = files.length > 0 ? await prepareInputs(options.settings) : undefined;
    const connection = await options.connect();
    return await run({ target, options, onEvent, journal, store, output, prepared, connection, runData });
  } finally {
    store.close();
    await output.close();
    journal?.close();
  }
}

interface Parts {
  target: TargetPlugin<any>;
  options: VerifyOptions;
  onEvent: (event: VerifyEvent) => void;
  journal: Journal | undefined;
  store: CompareStore;
  output: RejectsWriter;
  prepared: Awaited<ReturnType<typeof prepareInputs>> | undefined;
  connection: Connection;
  runData: VerifyRunDataBuilder;
}

async function run(parts: Parts): Promise<Verification> {
  const { target, options, journal, connection } = parts;
  addSecretsFromEnv(options.secretsFrom, allTargets().flatMap((t) => t.credentials.map((c) => c.variable)));
  const started = Date.now();
  const scopeKey = connection.sandbox ? (await import('../journal/endpoint-scope.js')).sandboxScope(target.name) : connection.endpoint;
  const { runId, scope } = journal ? await startJournalRun(journal, 'verify', target.name, scopeKey) : { runId: undefined, scope: undefined };
  const http: HttpClient = new (await import('../upload/http.js')).HttpClient(connection.endpoint, 1, options.timeouts);
  try {
    const sender = new Sender(http, new RateLimiter(options.rate?.perSecond, options.rate?.burst), { ...DEFAULT_RETRY, ...options.retry }, (notice) => parts.onEvent({ type: 'retried', ...notice }));
    sender.onAnswer = (_status, ms) => parts.runData.answered(ms);
    const targetOptions = parseTargetOptions(target, options.settings.mapping?.targets?.[target.name], options.settings.mappingFile ?? 'mapping');
    const session = await connectFor(target, sender, connection, targetOptions);
    const readBack = target.readBack!(session, targetOptions);
    const source = parts.prepared ? 'files' : 'journal';
    parts.onEvent({ type: 'started', target: target.name, endpoint: connection.endpoint, readFrom: readBack.endpoint, source });
    const unchecked = await collectExpected(parts, scope, readBack);
    if (!parts.prepared && parts.store.expectedCount() + unchecked === 0 && options.window.from === undefined && options.window.until === undefined) {
      throw new ConfigError(`the journal ${journal!.path} holds no delivered event for ${target.name} at ${connection.endpoint}: nothing to verify (give the input files, or the --journal and --endpoint of the import)`, 'EL_VERIFY_NOTHING');
    }
    const read = await readServer(parts, sender, session, readBack);
    const result = await compare(parts, scope, readBack);
    const summary: VerifyResult = {
      command: 'verify',
      target: target.name,
      endpoint: connection.endpoint,
      source,
      window: { from: isoOrNull(options.window.from), until: isoOrNull(options.window.until) },
      expected: result.found + result.missing + result.different,
      ...result,
      extra: parts.store.extra() + read.unidentified,
      unchecked,
      read: { records: read.records, pages: read.pages, requests: sender.count.requests, retries: sender.count.retries },
      file: parts.output.count > 0 ? parts.output.path : null,
      runId: runId ?? null,
      startedAt: new Date(started).toISOString(),
      elapsedSeconds: Math.round(Date.now() - started) / 1000,
      outcome: result.missing + result.different > 0 ? 'differences' : 'verified',
    };
    const runData = parts.runData.finish(summary);
    journal?.finishRun(runId!, summary.outcome, summary, runData);
    return { result: summary, runData };
  } finally {
    await http.close().catch(() => undefined);
  }
}

async function connectFor(target: TargetPlugin<any>, sender: Sender, connection: Connection, targetOptions: unknown): Promise<Session> {
  try {
    return await target.connect(sender.apiClient(), { env: connection.env }, targetOptions);
  } catch (error) {
    if (error instanceof AbortError || error instanceof ConfigError) throw error;
    throw new AbortError(`could not connect to ${target.name}: ${(error as Error).message}`, 'EL_CONNECT');
  }
}

/** Streams every expected event in the window into the store; returns how many could not be checked. */
async function collectExpected(parts: Parts, scope: JournalScope | undefined, readBack: ReadBack): Promise<number> {
  const { options, store } = parts;
  let unchecked = 0;
  const add = async (event: CanonicalEvent, eventText: string, position: Position): Promise<void> => {
    if (!inWindow(instantOf(event.timestamp), toTimeWindow(options.window))) return;
    const expected = await readBack.expected(event);
    if (!expected) {
      unchecked++;
      return;
    }
    store.addExpected({ key: expected.key, journalKey: event.idempotency_key!, body: toJsonText(expected.body), event: eventText, file: position.file, line: position.line });
  };
  if (parts.prepared) {
    for await (const item of readEvents(options.settings, parts.prepared)) {
      if (options.signal?.aborted) throw new StoppedError('verify was stopped before it finished');
      if (item.kind === 'event') await add(item.event, toJsonText(item.event), item.position);
    }
    return unchecked;
  }
  const journalPath = parts.journal!.path;
  for (const row of scope!.delivered()) {
    const parsed = row.event === null ? undefined : parseJsonText(row.event, 1000);
    if (!parsed?.ok) {
      unchecked++;
      continue;
    }
    await add(parsed.value as CanonicalEvent, row.event!, { file: journalPath, line: 0 });
  }
  return unchecked;
}

/** Pages through the server's records in the window into the store; records that cannot be matched are counted. */
async function readServer(parts: Parts, sender: Sender, session: Session, readBack: ReadBack): Promise<{ records: number; pages: number; unidentified: number }> {
  const window = toTimeWindow(parts.options.window);
  let path: string | undefined = readBack.firstPage(parts.options.window);
  let records = 0;
  let pages = 0;
  let unidentified = 0;
  while (path !== undefined) {
    const before = records;
    const body = await readPage(sender, session, path, parts.options.signal);
    const page = readBack.page(body, path);
    if ('unconfirmed' in page) throw new AbortError(`${readBack.endpoint}: ${page.unconfirmed}; nothing can be concluded from this read`, 'EL_VERIFY_READ');
    pages++;
    for (const record of page.records) {
      records++;
      const { key, time } = readBack.identify(record);
      const bounded = window.from !== undefined || window.until !== undefined;
      if (bounded && (Number.isNaN(time) || !inWindow(time, window))) continue;
      if (key === undefined) unidentified++;
      else parts.store.addStored(key, toJsonText(record));
    }
    parts.onEvent({ type: 'page', records, count: records - before });
    path = page.next;
  }
  return { records, pages, unidentified };
}

/** One page, retried like an upload; a 401 renews the login once where the target can. */
async function readPage(sender: Sender, session: Session, path: string, signal: AbortSignal | undefined): Promise<unknown> {
  for (let renewed = false; ; renewed = true) {
    const { response } = await sender.send('GET', path, undefined, () => session.authHeaders(), signal);
    if (response.status === 401 && !renewed && session.renewAuth && (await session.renewAuth())) continue;
    if (response.status === 401 || response.status === 403) throw new AbortError(`the target refused the credentials on GET ${path} (HTTP ${response.status}); check the token's value and permissions`, 'EL_AUTH');
    if (response.status < 200 || response.status >= 300) throw new AbortError(`GET ${path}: ${serverMessage(response.body, response.status)}`, 'EL_VERIFY_READ');
    if (response.body === undefined || typeof response.body === 'string') throw new AbortError(`GET ${path}: HTTP ${response.status} is not the documented JSON: ${describeBody(response)}`, 'EL_VERIFY_READ');
    return response.body;
  }
}

/** Walks the matches: writes the missing and different ones, marks the missing ones in the journal. */
async function compare(parts: Parts, scope: JournalScope | undefined, readBack: ReadBack) {
  const counts = { found: 0, missing: 0, different: 0, markedMissing: 0, differentFields: {} as Record<string, number> };
  let toMark: Array<{ key: string; event: string }> = [];
  const mark = async () => {
    if (scope && toMark.length > 0) await scope.markMissing(toMark);
    counts.markedMissing += scope ? toMark.length : 0;
    toMark = [];
  };
  for (const match of parts.store.matches()) {
    const { expected } = match;
    if (match.kind === 'missing') {
      counts.missing++;
      if (parts.runData.wants('missing')) parts.runData.example('missing', exampleOf(expected));
      await write(parts, expected, [{ path: 'event', message: `not on the server (${readBack.endpoint})`, code: 'EL_VERIFY_MISSING' }]);
      toMark.push({ key: expected.journalKey, event: expected.event });
      if (toMark.length >= 1000) await mark();
      continue;
    }
    const fields = readBack.differences(JSON.parse(expected.body), JSON.parse(match.record));
    if (fields.length === 0) {
      counts.found++;
      continue;
    }
    counts.different++;
    if (parts.runData.wants('different')) parts.runData.example('different', { ...exampleOf(expected), fields });
    for (const field of fields) counts.differentFields[field] = (counts.differentFields[field] ?? 0) + 1;
    await write(parts, expected, [{ path: 'event', message: `on the server with another ${fields.join(', ')} than was sent`, code: 'EL_VERIFY_DIFFERENT' }]);
  }
  await mark();
  return counts;
}

async function write(parts: Parts, expected: ExpectedRow, issues: Issue[]): Promise<void> {
  const parsed = parseJsonText(expected.event, 1000);
  await parts.output.write({ position: { file: expected.file, line: expected.line }, stage: 'verify', issues, ...(parsed.ok && { event: parsed.value as CanonicalEvent }) });
}

/** What the report shows of an event: where it came from, its key, name and time. */
function exampleOf(expected: ExpectedRow): VerifyExample {
  const parsed = parseJsonText(expected.event, 1000);
  const event = (parsed.ok ? parsed.value : {}) as Partial<CanonicalEvent>;
  return { file: expected.file, line: expected.line, key: expected.journalKey, event: String(event.event ?? ''), timestamp: String(event.timestamp ?? '') };
}

function toTimeWindow(window: ReadWindow): { from: number | undefined; until: number | undefined } {
  return { from: window.from, until: window.until };
}

function isoOrNull(time: number | undefined): string | null {
  return time === undefined ? null : new Date(time).toISOString();
}
