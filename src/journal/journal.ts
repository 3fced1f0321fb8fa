// The journal: an embedded SQLite file (opened through src/sqlite/) that remembers,
// per target + endpoint + idempotency key, what became of each event, so a re-run sends only
// what was not delivered, and a crash loses nothing.
//
// Three tables carry delivery, all written synchronously in WAL mode, so a kill -9 leaves a
// consistent file that knows exactly which requests were on the wire:
// - `requests`: one row per request, written before it leaves (its keys). A row with no answer
//   is a request in flight; the merge deletes answered ones.
// - `answers`: one row per answered request, appended when the answer arrives: every event's
//   state with the server's id, or the status and reason of a rejection (`results`, a JSON array
//   of [key, state, server id, status, reason]), and each delivered event's JSON text as sent
//   (`events`, one line per result, empty for a rejection), which verify compares with the
//   server's copy. Apart from `results`, so the merge and the status never parse them, and
//   written without escaping (JSON text holds no raw line break). Kept: it is the record.
//   Layout 2 kept the event text as a sixth element of each result; such rows are still read.
// - `events`: one small row per key (state, and the answer it came from), for lookups. It is
//   filled from `answers` in batches sorted by key (`merge`): writing states one by one into it
//   would touch a random B-tree page per event (keys are hashes), and that was most of the
//   journal's cost. A run merges every MERGE_EVERY answered events and at its end; answers a
//   killed run left unmerged are merged when the journal is next opened. Until then, a run looks
//   its own recent answers up in memory.
//
// Writes are group-committed: the marks and answers that arrive in one turn of the event loop
// share one transaction. A request leaves only once its mark is committed, and gives up its
// request slot only once its answer is, so at most `concurrency` requests are ever "sent but not
// answered in the journal" — the bound on what a kill -9 can make the next run resend.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Database, type Statement } from '../sqlite/database.js';
import { AbortError, ConfigError } from '../errors.js';
import { SeenKeys } from '../events/keys.js';
import { isSandboxScope, scopeEndpoint } from './endpoint-scope.js';
import { acquireJournalLock, describeOwner, lockOwner, LockedError, type JournalLock, type LockOwner } from './lock.js';
import { redact } from '../secrets/redact.js';

/**
 * 'missing': answered as delivered, then not found on the server by `eventload verify`; not
 * delivered any more, so the next run sends it again (with the same key).
 */
export type EventState = 'inflight' | 'accepted' | 'duplicate' | 'rejected' | 'missing';

export interface EventResult {
  key: string;
  state: Exclude<EventState, 'inflight'>;
  serverId?: string;
  status?: number;
  reason?: string;
  /** Delivered: the canonical event as sent (JSON text), so verify can compare it and send it again. */
  event?: string;
}

/** A key the journal holds as delivered, with the event sent under it (null: recorded before events were kept). */
export interface DeliveredEvent {
  key: string;
  event: string | null;
}

export interface FileFingerprint {
  size: number;
  mtimeMs: number;
  hash: string;
}

export interface TargetStatus {
  target: string;
  endpoint: string;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Found missing on the server by verify, not sent again yet. */
  missing: number;
  inflight: number;
  lastRun?: { startedAt: string; finishedAt: string | null; outcome: string | null; command: string };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  target TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  outcome TEXT,
  summary TEXT
);
CREATE TABLE IF NOT EXISTS scopes (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  merged_through INTEGER NOT NULL DEFAULT 0,
  UNIQUE (target, endpoint)
);
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY,
  scope INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  keys TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
  id INTEGER PRIMARY KEY,
  scope INTEGER NOT NULL,
  request_id INTEGER,
  run_id INTEGER NOT NULL,
  results TEXT NOT NULL,
  answered_at INTEGER NOT NULL,
  events TEXT
);
CREATE TABLE IF NOT EXISTS events (
  scope INTEGER NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  answer_id INTEGER,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_reports (
  run_id INTEGER PRIMARY KEY,
  data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
  scope INTEGER NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  hash TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  PRIMARY KEY (scope, path)
) WITHOUT ROWID;
`;

export class Journal {
  /** The owner of a stale lock this run took over (the CLI says so), when it did. */
  recoveredLock?: LockOwner;

  private constructor(private readonly db: Database, readonly path: string, private readonly lock?: JournalLock) {
    this.recoveredLock = lock?.recovered;
  }

  /**
   * Opens (creating when missing) a journal to write, for `command`: takes its lock first (a
   * LockedError, exit 4, names the live run that holds it), then checks that the file is an
   * eventload journal before writing anything to it (a foreign file is a ConfigError, untouched).
   */
  static open(path: string, command = 'import'): Journal {
    const lock = takeLock(path, command);
    let db: Database | undefined;
    try {
      db = Database.open(path, { busyTimeoutMs: 5000 });
      identify(db, path);
      // Ours (new, or an older layout recognised by its tables): marked, so it is known without guessing.
      if (db.pragma('application_id') !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed transaction survives the process being killed.
      db.pragma('synchronous = NORMAL');
      // 64 MiB: the pages of a large journal stay in memory for a delivery's lookups. verify reads it
      // once, answer by answer, and a cache that fills with a large journal was most of its memory
      // growth (bench case 14: 167 MB at 100k events, 201 MB at 1M with 64 MiB; 142 and 143 with 8).
      db.pragma(`cache_size = ${command === 'verify' ? -8192 : -65536}`);
      // A checkpoint is where WAL mode syncs to disk; every 10,000 pages (~40 MiB) instead of every
      // 1,000 takes most of the journal's cost off a large import (commits themselves do not sync).
      db.pragma('wal_autocheckpoint = 10000');
      const check = db.pragma('quick_check');
      if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
      migrate(db);
      const journal = new Journal(db, path, lock);
      journal.mergeAll(); // answers a killed run recorded but did not merge yet
      unifyScopes(db); // scopes recorded under an endpoint spelled another way (older versions)
      return journal;
    } catch (error) {
      if (db?.isOpen) db.close();
      lock.release();
      throw openError(error, path);
    }
  }

  /** Opens an existing journal only to read it (status): no lock, nothing written, never waits for a run. */
  static openReadOnly(path: string): Journal {
    let db: Database | undefined;
    try {
      db = Database.open(path, { readOnly: true });
      if (identify(db, path) === 'new') throw new ConfigError(`${path} is empty: no run has written a journal there yet`, 'EL_JOURNAL_EMPTY');
      if ((db.pragma('user_version') as number) < LAYOUT) {
        // Written by an older eventload: brought to this layout once (under the lock), then read.
        db.close();
        Journal.open(path, 'status').close();
        db = Database.open(path, { readOnly: true });
      }
      return new Journal(db, path);
    } catch (error) {
      if (db?.isOpen) db.close();
      throw openError(error, path);
    }
  }

  startRun(command: string, target: string, endpoint: string): number {
    const result = this.db.prepare('INSERT INTO runs (command, target, endpoint, started_at) VALUES (?, ?, ?, ?)').run(command, target, scopeEndpoint(endpoint), new Date().toISOString());
    return Number(result.lastInsertRowid);
  }

  /** Records how the run ended, and with it the run's report data (`eventload report RUN` reads it back). */
  finishRun(runId: number, outcome: string, summary: unknown, report?: unknown): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?').run(new Date().toISOString(), outcome, redact(JSON.stringify(summary)), runId);
      if (report !== undefined) this.db.prepare('INSERT OR REPLACE INTO run_reports (run_id, data) VALUES (?, ?)').run(runId, redact(JSON.stringify(report)));
    });
  }

  /**
   * The report data of run `which` (a run id, or 'last': the latest run that has one), as stored
   * (JSON text); undefined when there is none. `runs`: the ids that have one, newest first, to say so.
   */
  runReport(which: number | 'last'): { runId: number; data: string } | { runs: number[] } {
    if (!this.hasTable('run_reports')) return { runs: [] };
    const row = (which === 'last'
      ? this.db.prepare('SELECT run_id AS runId, data FROM run_reports ORDER BY run_id DESC LIMIT 1').get()
      : this.db.prepare('SELECT run_id AS runId, data FROM run_reports WHERE run_id = ?').get(which)) as { runId: number; data: string } | undefined;
    if (row) return row;
    return { runs: (this.db.prepare('SELECT run_id AS id FROM run_reports ORDER BY run_id DESC LIMIT 20').all() as Array<{ id: number }>).map((r) => r.id) };
  }

  private hasTable(name: string): boolean {
    return Boolean(this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name));
  }

  /** The journal as seen by one run against one target and endpoint (normalised: see endpoint-scope.ts). */
  scope(target: string, endpoint: string, runId: number): JournalScope {
    const key = scopeEndpoint(endpoint);
    this.db.prepare('INSERT OR IGNORE INTO scopes (target, endpoint) VALUES (?, ?)').run(target, key);
    const { id } = this.db.prepare('SELECT id FROM scopes WHERE target = ? AND endpoint = ?').get(target, key) as { id: number };
    return new JournalScope(this.db, id, runId, this.path);
  }

  /** Moves every answer not merged yet into the keyed table (see the top of this file). */
  mergeAll(): void {
    const scopes = this.db.prepare('SELECT id FROM scopes s WHERE EXISTS (SELECT 1 FROM answers a WHERE a.id > s.merged_through AND a.scope = s.id)').all() as Array<{ id: number }>;
    for (const { id } of scopes) mergeAnswers(this.db, id);
  }

  /** Per scope: final states (answers not merged yet included), requests in flight, the last run. Only reads. */
  status(): TargetStatus[] {
    const scopes = this.db.prepare('SELECT id, target, endpoint FROM scopes ORDER BY target, endpoint').all() as Array<{ id: number; target: string; endpoint: string }>;
    const lastRun = this.db.prepare('SELECT command, started_at, finished_at, outcome FROM runs WHERE target = ? AND endpoint = ? ORDER BY id DESC LIMIT 1');
    const out: TargetStatus[] = [];
    for (const scope of scopes) {
      const states = finalStates(this.db, scope.id);
      const status: TargetStatus = { target: scope.target, endpoint: scope.endpoint, accepted: 0, duplicate: 0, rejected: 0, missing: 0, inflight: this.unresolved(scope.id, states.pending).length };
      for (const [state, count] of states.counts) status[state] = count;
      const run = lastRun.get(scope.target, scope.endpoint) as { command: string; started_at: string; finished_at: string | null; outcome: string | null } | undefined;
      if (run) status.lastRun = { command: run.command, startedAt: run.started_at, finishedAt: run.finished_at, outcome: run.outcome };
      if (status.accepted + status.duplicate + status.rejected + status.missing + status.inflight > 0 || run) out.push(status);
    }
    return out;
  }

  /** Removes every sandbox scope (`sandbox:…`) with its events, requests, answers, files and runs; returns the events removed. */
  pruneSandbox(): { scopes: number; events: number } {
    return this.db.transaction(() => {
      const scopes = this.db.prepare('SELECT id, target, endpoint FROM scopes').all() as Array<{ id: number; target: string; endpoint: string }>;
      let events = 0;
      const sandboxScopes = scopes.filter((scope) => isSandboxScope(scope.endpoint));
      for (const scope of sandboxScopes) {
        events += (this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE scope = ?').get(scope.id) as { n: number }).n;
        for (const table of ['events', 'requests', 'answers', 'files']) this.db.prepare(`DELETE FROM ${table} WHERE scope = ?`).run(scope.id);
        this.db.prepare('DELETE FROM run_reports WHERE run_id IN (SELECT id FROM runs WHERE target = ? AND endpoint = ?)').run(scope.target, scope.endpoint);
        this.db.prepare('DELETE FROM runs WHERE target = ? AND endpoint = ?').run(scope.target, scope.endpoint);
        this.db.prepare('DELETE FROM scopes WHERE id = ?').run(scope.id);
      }
      return { scopes: sandboxScopes.length, events };
    });
  }

  /** Keys that were sent and never answered (a crash, a cut-off drain): at most concurrency × batch size per stop. */
  private unresolved(scope: number, answered: Set<string>): string[] {
    const rows = this.db
      .prepare('SELECT keys FROM requests r WHERE scope = ? AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.id > (SELECT merged_through FROM scopes WHERE id = r.scope) AND a.request_id = r.id)')
      .all(scope) as Array<{ keys: string }>;
    const known = this.db.prepare('SELECT 1 FROM events WHERE scope = ? AND key = ?');
    return rows.flatMap((row) => JSON.parse(row.keys) as string[]).filter((key) => !answered.has(key) && !known.get(scope, key));
  }

  close(): void {
    try {
      if (this.db.isOpen) this.db.close();
    } finally {
      this.lock?.release();
    }
  }
}

/** The states whose events are owed to the server: verify expects to find them there. */
const OWED = "('accepted', 'duplicate', 'missing')";

/** delivered()'s rows: every owed key with its answer and its place in that answer's results (exported for its query-plan test). */
export const DELIVERED_ROWS = `SELECT ev.key AS key, a.id AS answer, e.key AS place, e.value ->> 5 AS legacy
  FROM answers a CROSS JOIN json_each(a.results) e CROSS JOIN events ev
  WHERE a.scope = ? AND ev.scope = a.scope AND ev.key = e.value ->> 0 AND ev.answer_id = a.id AND ev.state IN ${OWED}
  ORDER BY a.id`;

/**
 * Answered events kept in memory (and looked up there) before a merge writes them to `events`.
 * Keys are hashes, so a merge writes nearly every page of a table it is not much smaller than:
 * the fewer merges, the less a run writes. Merging every 20,000 made a 100,000-row upload merge
 * five times, into a table growing each time; at 100,000 it merges once, at its end. Larger
 * batches gained nothing at 1M rows. It bounds the memory: about 100 bytes an entry, 10 MB.
 */
export const MERGE_EVERY = 100_000;

type FinalState = Exclude<EventState, 'inflight'>;

export class JournalScope {
  /** Nothing was recorded for this target and endpoint before this run (a first import). */
  readonly emptyAtStart: boolean;
  /** Final states answered since the last merge: committed in `answers`, not yet in `events`. */
  private readonly unmerged = new Map<string, FinalState>();
  /** On a first run, the keys merged so far: a key it has not seen needs no lookup in `events`. */
  private readonly merged = new SeenKeys();
  private readonly lookupStatement: Statement;
  private readonly sentStatement: Statement;
  private readonly answerStatement: Statement;
  private readonly forgetStatement: Statement;
  private readonly fileGet: Statement;
  private readonly filePut: Statement;
  /** Writes waiting for the next group commit, in order. */
  private queue: Array<{ write: () => unknown; resolve: (value: any) => void; reject: (error: unknown) => void }> = [];
  /** Set once a write failed for good (full disk, I/O error): every later write is refused with it. */
  failure: JournalWriteError | undefined;

  constructor(private readonly db: Database, private readonly scopeId: number, readonly runId: number, private readonly path: string) {
    this.lookupStatement = db.prepare('SELECT state FROM events WHERE scope = ? AND key = ?');
    this.emptyAtStart = !db.prepare('SELECT 1 FROM events WHERE scope = ? LIMIT 1').get(scopeId) && !db.prepare('SELECT 1 FROM requests WHERE scope = ? LIMIT 1').get(scopeId);
    this.sentStatement = db.prepare('INSERT INTO requests (scope, run_id, keys, sent_at) VALUES (?, ?, ?, ?)');
    this.answerStatement = db.prepare('INSERT INTO answers (scope, request_id, run_id, results, answered_at, events) VALUES (?, ?, ?, ?, ?, ?)');
    this.forgetStatement = db.prepare('DELETE FROM requests WHERE id = ?');
    this.fileGet = db.prepare('SELECT size, mtime_ms AS mtimeMs, hash FROM files WHERE scope = ? AND path = ?');
    this.filePut = db.prepare(
      `INSERT INTO files (scope, path, size, mtime_ms, hash, run_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, run_id = excluded.run_id`,
    );
  }

  /** The final state an earlier answer gave this key, if any. */
  lookup(key: string): FinalState | undefined {
    const recent = this.unmerged.get(key);
    if (recent !== undefined) return recent;
    if (this.emptyAtStart && !this.merged.has(key)) return undefined;
    return this.lookupStatement.value<FinalState>(this.scopeId, key);
  }

  /** Resolves, with the id record() needs, once the request's keys are committed: send it only then. */
  markInFlight(keys: string[]): Promise<number> {
    const encoded = JSON.stringify(keys);
    return this.write(() => Number(this.sentStatement.run(this.scopeId, this.runId, encoded, Date.now()).lastInsertRowid));
  }

  /** The answer: one appended row with every event's result. Resolves once committed. */
  record(results: EventResult[], requestId?: number): Promise<void> {
    if (results.length === 0) return Promise.resolve();
    // Reasons quote the server, which may echo a token; so may an event's text.
    const encoded = redact(JSON.stringify(results.map((r) => [r.key, r.state, r.serverId ?? null, r.status ?? null, r.reason ?? null])));
    const events = results.some((r) => r.event !== undefined) ? redact(results.map((r) => r.event ?? '').join('\n')) : null;
    return this.write(() => void this.answerStatement.run(this.scopeId, requestId ?? null, this.runId, encoded, Date.now(), events)).then(() => {
      // Only once committed: a rolled-back answer must not be taken for a delivery.
      for (const result of results) this.unmerged.set(result.key, result.state);
    });
  }

  /** A request that will not be answered as sent (a 413 batch sent again in halves, with rows of their own). */
  forget(requestId: number | undefined): Promise<void> {
    if (requestId === undefined) return Promise.resolve();
    return this.write(() => void this.forgetStatement.run(requestId));
  }

  private write<T>(write: () => T): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ write, resolve, reject });
    });
  }

  /** One transaction for every write queued since the last one. */
  private flush(): void {
    const queued = this.queue;
    this.queue = [];
    let results: unknown[];
    try {
      results = this.db.transaction(() => queued.map((entry) => entry.write()));
    } catch (error) {
      const failure = this.failed(error);
      for (const entry of queued) entry.reject(failure);
      return;
    }
    queued.forEach((entry, i) => entry.resolve(results[i]));
    if (this.mergeDue()) {
      try {
        this.merge();
      } catch {
        // Recorded in `failure`: the answers are committed, the merge waits for the next open.
      }
    }
  }

  private mergeDue(): boolean {
    return this.unmerged.size >= MERGE_EVERY;
  }

  /** Remembers a write failure for good (later writes are refused with it); returns what to reject with. */
  private failed(error: unknown): unknown {
    const failure = asJournalWriteError(error, this.path);
    if (failure instanceof JournalWriteError) this.failure ??= failure;
    return failure;
  }

  /**
   * Writes the answers recorded so far into the keyed table: when mergeDue (flush)
   * and at the end of a run. Throws JournalWriteError when the journal cannot be written.
   */
  merge(): void {
    if (this.failure) throw this.failure;
    try {
      mergeAnswers(this.db, this.scopeId);
    } catch (error) {
      throw this.failed(error);
    }
    if (this.emptyAtStart) for (const key of this.unmerged.keys()) this.merged.add(key);
    this.unmerged.clear();
  }

  /**
   * Every key the server said it took (accepted, duplicate, or since found missing: it is still
   * owed), with the event sent under it, answer by answer: read one row at a time, so a
   * verification of millions of events runs in flat memory, and each answer's events are split
   * once. Merges first, so the answers of this run are included.
   */
  *delivered(): Generator<DeliveredEvent> {
    this.merge();
    // Keys brought over from layout 1 have no answer row: no event text was kept for them.
    for (const row of this.db.prepare(`SELECT key FROM events WHERE scope = ? AND answer_id IS NULL AND state IN ${OWED}`).iterate(this.scopeId) as IterableIterator<{ key: string }>) yield { key: row.key, event: null };
    // A key's answer is the one `events` points at (its latest); its place in that answer's results is its line in `events`.
    // CROSS JOIN fixes the loops' order: answers by id (no sort), each one's results in order, then
    // one key lookup per result. Left to itself the planner looped over `events` and parsed a whole
    // answer's results for each key, then sorted every row in memory.
    const rows = this.db
      .prepare(DELIVERED_ROWS)
      .iterate(this.scopeId) as IterableIterator<{ key: string; answer: number; place: number; legacy: string | null }>;
    const textsOf = this.db.prepare('SELECT events FROM answers WHERE id = ?');
    let answer: number | undefined;
    let lines: string[] | undefined;
    let given = new Set<string>();
    for (const row of rows) {
      if (row.answer !== answer) {
        answer = row.answer;
        lines = (textsOf.get(answer) as { events: string | null }).events?.split('\n');
        given = new Set();
      }
      // A key twice in one request (the same key on two input lines) is one delivered event.
      if (given.has(row.key)) continue;
      given.add(row.key);
      yield { key: row.key, event: lines ? lines[row.place] || null : row.legacy }; // layout 2 kept the text in the results
    }
  }

  /**
   * Verify found these delivered keys missing on the server: each gets a 'missing' answer, so the
   * journal no longer counts it delivered and the next run (verify --resend, replay, import) sends
   * it again; the earlier answers stay as the record of what happened.
   */
  async markMissing(events: ReadonlyArray<{ key: string; event: string }>): Promise<void> {
    for (let start = 0; start < events.length; start += 1000) {
      // With the event, as a delivery is: the next verify still expects it, and can resend it.
      await this.record(events.slice(start, start + 1000).map(({ key, event }) => ({ key, state: 'missing' as const, event })));
    }
    this.merge();
  }

  fileFingerprint(path: string): FileFingerprint | undefined {
    return this.fileGet.get(this.scopeId, path) as FileFingerprint | undefined;
  }

  rememberFile(path: string, fingerprint: FileFingerprint): void {
    this.filePut.run(this.scopeId, path, fingerprint.size, fingerprint.mtimeMs, fingerprint.hash, this.runId);
  }
}

/**
 * One transaction, in SQLite: the scope's answers after its watermark go into `events` sorted by
 * key, so each B-tree page is written once per merge; for a key answered twice, the later answer
 * wins. Their requests are then done with. IMMEDIATE: two processes never merge the same range.
 */
function mergeAnswers(db: Database, scope: number): void {
  db.transaction(() => {
    const { through } = db.prepare('SELECT merged_through AS through FROM scopes WHERE id = ?').get(scope) as { through: number };
    const { last } = db.prepare('SELECT MAX(id) AS last FROM answers WHERE id > ? AND scope = ?').get(through, scope) as { last: number | null };
    if (last === null) return;
    db.prepare(
      `INSERT INTO events (scope, key, state, answer_id)
       SELECT a.scope, e.value ->> 0, e.value ->> 1, a.id FROM answers a, json_each(a.results) e
       WHERE a.id > ? AND a.id <= ? AND a.scope = ?
       ORDER BY 2, a.id
       ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, answer_id = excluded.answer_id`,
    ).run(through, last, scope);
    db.prepare('DELETE FROM requests WHERE id IN (SELECT request_id FROM answers WHERE id > ? AND id <= ? AND scope = ?)').run(through, last, scope);
    db.prepare('UPDATE scopes SET merged_through = ? WHERE id = ?').run(last, scope);
  }, 'immediate');
}

/** The layout this code writes; 0 is a new file, or the first layout (final states kept per key with their details). */
const LAYOUT = 3;

function migrate(db: Database): void {
  const version = db.pragma('user_version') as number;
  if (version > LAYOUT) throw new ConfigError(`journal layout ${version} was written by a newer eventload; upgrade eventload to use it`, 'EL_JOURNAL_NEWER');
  if (version === LAYOUT) {
    db.exec(SCHEMA);
    return;
  }
  const hasTable = (name: string) => Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name));
  const hasColumn = (table: string, name: string) => (db.pragmaRows(`table_info(${table})`) as Array<{ name: string }>).some((column) => column.name === name);
  db.transaction(() => {
    // Layout 3 keeps delivered events' texts in a column of their own (see the top of this file).
    if (hasTable('answers') && !hasColumn('answers', 'events')) db.exec('ALTER TABLE answers ADD COLUMN events TEXT');
    const first = hasTable('events') && hasColumn('events', 'server_id');
    if (first) {
      // Layout 1 kept each key's details in `events`; they stay readable in events_v1.
      db.exec('ALTER TABLE events RENAME TO events_v1; ALTER TABLE scopes ADD COLUMN merged_through INTEGER NOT NULL DEFAULT 0;');
    }
    db.exec(SCHEMA);
    if (first) db.exec('INSERT INTO events (scope, key, state, answer_id) SELECT scope, key, state, NULL FROM events_v1 ORDER BY scope, key');
    if (hasTable('inflight')) {
      const insert = db.prepare('INSERT INTO requests (scope, run_id, keys, sent_at) VALUES (?, ?, ?, ?)');
      for (const row of db.prepare('SELECT scope, run_id, keys, sent_at FROM inflight').all() as Array<{ scope: number; run_id: number; keys: string; sent_at: number }>) {
        insert.run(row.scope, row.run_id, JSON.stringify(row.keys.split('\n')), row.sent_at); // keys were joined by newlines
      }
      db.exec('DROP TABLE inflight');
    }
    db.pragma(`user_version = ${LAYOUT}`);
  });
}

/** `PRAGMA application_id` of the journals eventload creates ("ELJ1"): how it knows its own files. */
export const APPLICATION_ID = 0x454c4a31;

/** Tables of every journal layout so far; a file with other tables is someone else's. */
const JOURNAL_TABLES = new Set(['runs', 'scopes', 'events', 'requests', 'answers', 'files', 'run_reports', 'events_v1', 'inflight']);

/**
 * Reads only: 'new' for an empty file, 'journal' for one of ours (marked, or an older layout
 * recognised by its tables); anything else throws EL_JOURNAL_FOREIGN before a byte is written.
 */
function identify(db: Database, path: string): 'new' | 'journal' {
  const foreign = (what: string) =>
    new ConfigError(`${path} is not an eventload journal (${what}); it was left untouched. Give the journal another path (--journal FILE)`, 'EL_JOURNAL_FOREIGN');
  let applicationId: number;
  let tables: string[];
  try {
    applicationId = db.pragma('application_id') as number;
    tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as Array<{ name: string }>).map((row) => row.name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw foreign('not a SQLite database');
    throw error;
  }
  if (applicationId === APPLICATION_ID) return 'journal';
  if (applicationId !== 0) throw foreign(`a SQLite database of another application, id ${applicationId}`);
  const schemaObjects = (db.prepare('SELECT COUNT(*) AS n FROM sqlite_master').get() as { n: number }).n;
  if (schemaObjects === 0 && db.pragma('user_version') === 0) return 'new';
  const ours = ['runs', 'scopes', 'events'].every((name) => tables.includes(name)) && tables.every((name) => JOURNAL_TABLES.has(name));
  if (!ours) throw foreign(`a SQLite database with tables ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}`);
  return 'journal';
}

/** The folder and the lock, before the journal itself is touched; a file-system error is said plainly. */
function takeLock(path: string, command: string): JournalLock {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return acquireJournalLock(path, command);
  } catch (error) {
    if (error instanceof LockedError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    // No room for a lock file: the journal could not be written either (exit 3, as mid-run).
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO') throw new JournalWriteError(path, new Error(`its lock file cannot be written: ${code}`));
    throw new ConfigError(`journal ${path}: cannot create its folder or its lock file ${path}.lock (${code})`, 'EL_JOURNAL_OPEN');
  }
}

/** What went wrong when opening, as the CLI says it: never advice that could double events. */
function openError(error: unknown, path: string): Error {
  if (error instanceof ConfigError || error instanceof LockedError || error instanceof AbortError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (isWriteFailure(code)) return new JournalWriteError(path, error as Error);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    // The lock is ours, so whoever writes is not an eventload run that takes it.
    const owner = lockOwner(path);
    const who = owner && owner.pid !== process.pid ? `eventload ${describeOwner(owner)}` : 'another process (an older eventload, or another program) has it open for writing';
    return new LockedError(`the journal ${path} is busy: ${who}; wait for it to finish, or give this run another journal (--journal FILE)`);
  }
  if (code === 'SQLITE_CORRUPT') {
    // We hold the lock: no run is using it, so starting afresh cannot race one.
    return new ConfigError(`journal ${path} is corrupt (${(error as Error).message}); move it away to start a new journal (events it recorded may then be sent again), or pass --no-journal`, 'EL_JOURNAL_CORRUPT');
  }
  return new ConfigError(`journal ${path} cannot be opened (${code || (error as Error).message})`, 'EL_JOURNAL_OPEN');
}

/** SQLite's codes for a journal that cannot be written any more: full disk, I/O error, read-only. */
function isWriteFailure(code: string): boolean {
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN';
}

/** The journal stopped taking writes mid-run: the run stops sending (exit 3), names the file and the cause. */
export class JournalWriteError extends AbortError {
  constructor(readonly journalPath: string, cause: Error) {
    super(`journal ${journalPath}: cannot write (${cause.message}); stopped sending. Free space (or move the journal with its -wal file), then run the same command again: what it could not record is sent again`, 'EL_JOURNAL_WRITE');
    this.name = 'JournalWriteError';
  }
}

/** A write failure as JournalWriteError; any other error unchanged. */
export function asJournalWriteError(error: unknown, path: string): unknown {
  return error instanceof Error && isWriteFailure((error as { code?: string }).code ?? '') ? new JournalWriteError(path, error) : error;
}

/**
 * Final states per key without merging (status only reads): the keyed table, overlaid with the
 * answers not merged yet, the later answer for a key winning as in the merge.
 */
function finalStates(db: Database, scope: number): { counts: Map<FinalState, number>; pending: Set<string> } {
  const pendingRows = db
    .prepare(
      `SELECT key, state FROM (
         SELECT e.value ->> 0 AS key, e.value ->> 1 AS state, ROW_NUMBER() OVER (PARTITION BY e.value ->> 0 ORDER BY a.id DESC, e.key DESC) AS n
         FROM answers a, json_each(a.results) e WHERE a.scope = @scope AND a.id > (SELECT merged_through FROM scopes WHERE id = @scope))
       WHERE n = 1`,
    )
    .all({ scope }) as Array<{ key: string; state: FinalState }>;
  const pending = new Set(pendingRows.map((row) => row.key));
  const counts = new Map<FinalState, number>();
  for (const row of db.prepare('SELECT state, COUNT(*) AS count FROM events WHERE scope = ? GROUP BY state').all(scope) as Array<{ state: FinalState; count: number }>) counts.set(row.state, row.count);
  if (pending.size > 0) {
    const merged = db.prepare('SELECT state FROM events WHERE scope = ? AND key = ?');
    for (const row of pendingRows) {
      const before = merged.get(scope, row.key) as { state: FinalState } | undefined;
      if (before) counts.set(before.state, counts.get(before.state)! - 1);
      counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
    }
  }
  return { counts, pending };
}

/**
 * Older versions keyed scopes by the endpoint as typed: `HTTP://h:443/x/` and `https://h/x` were
 * two scopes, and each sent everything again. Each such scope is folded into the one of its
 * normalised endpoint (a delivered state wins over a rejection). Runs after mergeAll, so every
 * answer is merged and the watermarks can simply be joined.
 */
function unifyScopes(db: Database): void {
  const scopes = db.prepare('SELECT id, target, endpoint, merged_through AS through FROM scopes').all() as Array<{ id: number; target: string; endpoint: string; through: number }>;
  const stray = scopes.filter((scope) => scopeEndpoint(scope.endpoint) !== scope.endpoint);
  if (stray.length === 0) return;
  db.transaction(() => {
    for (const scope of stray) {
      const endpoint = scopeEndpoint(scope.endpoint);
      db.prepare('UPDATE runs SET endpoint = ? WHERE target = ? AND endpoint = ?').run(endpoint, scope.target, scope.endpoint);
      const into = db.prepare('SELECT id FROM scopes WHERE target = ? AND endpoint = ?').get(scope.target, endpoint) as { id: number } | undefined;
      if (!into) {
        db.prepare('UPDATE scopes SET endpoint = ? WHERE id = ?').run(endpoint, scope.id);
        continue;
      }
      db.prepare(
        `INSERT INTO events (scope, key, state, answer_id) SELECT ?, key, state, answer_id FROM events WHERE scope = ? ORDER BY key
         ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, answer_id = excluded.answer_id WHERE events.state = 'rejected' AND excluded.state <> 'rejected'`,
      ).run(into.id, scope.id);
      db.prepare(
        `INSERT INTO files (scope, path, size, mtime_ms, hash, run_id) SELECT ?, path, size, mtime_ms, hash, run_id FROM files WHERE scope = ?
         ON CONFLICT (scope, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, run_id = excluded.run_id WHERE excluded.run_id > files.run_id`,
      ).run(into.id, scope.id);
      for (const table of ['events', 'files']) db.prepare(`DELETE FROM ${table} WHERE scope = ?`).run(scope.id);
      for (const table of ['requests', 'answers']) db.prepare(`UPDATE ${table} SET scope = ? WHERE scope = ?`).run(into.id, scope.id);
      db.prepare('UPDATE scopes SET merged_through = MAX(merged_through, ?) WHERE id = ?').run(scope.through, into.id);
      db.prepare('DELETE FROM scopes WHERE id = ?').run(scope.id);
    }
  }, 'immediate');
}
