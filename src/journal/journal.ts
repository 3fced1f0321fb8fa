// The journal: an embedded SQLite file (better-sqlite3 v12; v13 needs Node 22) that remembers,
// per target + endpoint + idempotency key, what became of each event, so a re-run sends only
// what was not delivered, and a crash loses nothing.
//
// Three tables carry delivery, all written synchronously in WAL mode, so a kill -9 leaves a
// consistent file that knows exactly which requests were on the wire:
// - `requests`: one row per request, written before it leaves (its keys). A row with no answer
//   is a request in flight; the merge deletes answered ones.
// - `answers`: one row per answered request, appended when the answer arrives: every event's
//   state with the server's id, or the status and reason of a rejection. Kept: it is the record.
// - `events`: one small row per key (state, and the answer it came from), for lookups. It is
//   filled from `answers` in batches sorted by key (`merge`): writing states one by one into it
//   would touch a random B-tree page per event (keys are hashes), and that was most of the
//   journal's cost. A run merges every MERGE_EVERY answered events and at its end; answers a
//   killed run left unmerged are merged when the journal is next opened. Until then, a run
//   looks its own recent answers up in memory.
//
// Writes are group-committed: the marks and answers that arrive in one turn of the event loop
// share one transaction. A request leaves only once its mark is committed, and gives up its
// request slot only once its answer is, so at most `concurrency` requests are ever "sent but not
// answered in the journal" — the bound on what a kill -9 can make the next run resend.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import { ScalableBloom, sha256 } from '../events/idempotency.js';
import { redact } from '../secrets/redact.js';

export type EventState = 'inflight' | 'accepted' | 'duplicate' | 'rejected';

export interface EventResult {
  key: string;
  state: Exclude<EventState, 'inflight'>;
  serverId?: string;
  status?: number;
  reason?: string;
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
  answered_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  scope INTEGER NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  answer_id INTEGER,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
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
  private constructor(private readonly db: Database.Database, readonly path: string) {}

  /** Opens (creating when missing) a journal; a file that is not a healthy journal is a ConfigError. */
  static open(path: string): Journal {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed transaction survives the process being killed.
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -65536'); // 64 MiB: the pages of a large journal stay in memory
      // A checkpoint is where WAL mode syncs to disk; every 10,000 pages (~40 MiB) instead of every
      // 1,000 takes most of the journal's cost off a large import (commits themselves do not sync).
      db.pragma('wal_autocheckpoint = 10000');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
      migrate(db);
      const journal = new Journal(db, path);
      journal.mergeAll(); // answers a killed run recorded but did not merge yet
      return journal;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const why = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' ? 'is not a readable eventload journal (corrupt, or another kind of file)' : `cannot be opened (${code || (error as Error).message})`;
      throw new ConfigError(`journal ${path} ${why}; move it away to start a new journal (events it recorded may then be sent again), or pass --no-journal`, 'EL_JOURNAL');
    }
  }

  startRun(command: string, target: string, endpoint: string): number {
    const result = this.db.prepare('INSERT INTO runs (command, target, endpoint, started_at) VALUES (?, ?, ?, ?)').run(command, target, endpoint, new Date().toISOString());
    return Number(result.lastInsertRowid);
  }

  finishRun(runId: number, outcome: string, summary: unknown): void {
    this.db.prepare('UPDATE runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?').run(new Date().toISOString(), outcome, redact(JSON.stringify(summary)), runId);
  }

  /** The journal as seen by one run against one target and endpoint. */
  scope(target: string, endpoint: string, runId: number): JournalScope {
    this.db.prepare('INSERT OR IGNORE INTO scopes (target, endpoint) VALUES (?, ?)').run(target, endpoint);
    const { id } = this.db.prepare('SELECT id FROM scopes WHERE target = ? AND endpoint = ?').get(target, endpoint) as { id: number };
    return new JournalScope(this.db, id, runId);
  }

  /** Moves every answer not merged yet into the keyed table (see the top of this file). */
  mergeAll(): void {
    const scopes = this.db.prepare('SELECT id FROM scopes s WHERE EXISTS (SELECT 1 FROM answers a WHERE a.id > s.merged_through AND a.scope = s.id)').all() as Array<{ id: number }>;
    for (const { id } of scopes) mergeAnswers(this.db, id);
  }

  status(): TargetStatus[] {
    this.mergeAll();
    const scopes = this.db.prepare('SELECT id, target, endpoint FROM scopes ORDER BY target, endpoint').all() as Array<{ id: number; target: string; endpoint: string }>;
    const counts = this.db.prepare('SELECT state, COUNT(*) AS count FROM events WHERE scope = ? GROUP BY state');
    const lastRun = this.db.prepare('SELECT command, started_at, finished_at, outcome FROM runs WHERE target = ? AND endpoint = ? ORDER BY id DESC LIMIT 1');
    const out: TargetStatus[] = [];
    for (const scope of scopes) {
      const status: TargetStatus = { target: scope.target, endpoint: scope.endpoint, accepted: 0, duplicate: 0, rejected: 0, inflight: this.unresolved(scope.id).length };
      for (const row of counts.all(scope.id) as Array<{ state: 'accepted' | 'duplicate' | 'rejected'; count: number }>) status[row.state] = row.count;
      const run = lastRun.get(scope.target, scope.endpoint) as { command: string; started_at: string; finished_at: string | null; outcome: string | null } | undefined;
      if (run) status.lastRun = { command: run.command, startedAt: run.started_at, finishedAt: run.finished_at, outcome: run.outcome };
      if (status.accepted + status.duplicate + status.rejected + status.inflight > 0 || run) out.push(status);
    }
    return out;
  }

  /** Keys that were sent and never answered (a crash, a cut-off drain): at most concurrency × batch size per stop. */
  private unresolved(scope: number): string[] {
    const rows = this.db
      .prepare('SELECT keys FROM requests r WHERE scope = ? AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.id > (SELECT merged_through FROM scopes WHERE id = r.scope) AND a.request_id = r.id)')
      .all(scope) as Array<{ keys: string }>;
    const known = this.db.prepare('SELECT 1 FROM events WHERE scope = ? AND key = ?');
    return rows.flatMap((row) => JSON.parse(row.keys) as string[]).filter((key) => !known.get(scope, key));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Answered events kept in memory (and looked up there) before a merge writes them to `events`. */
const MERGE_EVERY = 20_000;

type FinalState = Exclude<EventState, 'inflight'>;

export class JournalScope {
  /** Nothing was recorded for this target and endpoint before this run (a first import). */
  readonly emptyAtStart: boolean;
  /** Final states answered since the last merge: committed in `answers`, not yet in `events`. */
  private readonly unmerged = new Map<string, FinalState>();
  /** On a first run, the keys merged so far: a key it has not seen needs no lookup in `events`. */
  private readonly merged = new ScalableBloom();
  private readonly lookupStatement: Database.Statement;
  private readonly sentStatement: Database.Statement;
  private readonly answerStatement: Database.Statement;
  private readonly forgetStatement: Database.Statement;
  private readonly fileGet: Database.Statement;
  private readonly filePut: Database.Statement;
  /** Writes waiting for the next group commit, in order. */
  private queue: Array<{ write: () => unknown; resolve: (value: any) => void; reject: (error: unknown) => void }> = [];
  private readonly commit: (writes: Array<() => unknown>) => unknown[];

  constructor(private readonly db: Database.Database, private readonly scopeId: number, readonly runId: number) {
    this.lookupStatement = db.prepare('SELECT state FROM events WHERE scope = ? AND key = ?');
    this.emptyAtStart = !db.prepare('SELECT 1 FROM events WHERE scope = ? LIMIT 1').get(scopeId) && !db.prepare('SELECT 1 FROM requests WHERE scope = ? LIMIT 1').get(scopeId);
    this.sentStatement = db.prepare('INSERT INTO requests (scope, run_id, keys, sent_at) VALUES (?, ?, ?, ?)');
    this.answerStatement = db.prepare('INSERT INTO answers (scope, request_id, run_id, results, answered_at) VALUES (?, ?, ?, ?, ?)');
    this.forgetStatement = db.prepare('DELETE FROM requests WHERE id = ?');
    this.fileGet = db.prepare('SELECT size, mtime_ms AS mtimeMs, hash FROM files WHERE scope = ? AND path = ?');
    this.filePut = db.prepare(
      `INSERT INTO files (scope, path, size, mtime_ms, hash, run_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, run_id = excluded.run_id`,
    );
    this.commit = db.transaction((writes: Array<() => unknown>) => writes.map((write) => write()));
  }

  /** The final state an earlier answer gave this key, if any. */
  lookup(key: string): FinalState | undefined {
    const recent = this.unmerged.get(key);
    if (recent !== undefined) return recent;
    if (this.emptyAtStart && !this.merged.has(bloomDigest(key))) return undefined;
    const row = this.lookupStatement.get(this.scopeId, key) as { state: FinalState } | undefined;
    return row?.state;
  }

  /** Resolves, with the id record() needs, once the request's keys are committed: send it only then. */
  markInFlight(keys: string[]): Promise<number> {
    const encoded = JSON.stringify(keys);
    return this.write(() => Number(this.sentStatement.run(this.scopeId, this.runId, encoded, Date.now()).lastInsertRowid));
  }

  /** The answer: one appended row with every event's result. Resolves once committed. */
  record(results: EventResult[], requestId?: number): Promise<void> {
    if (results.length === 0) return Promise.resolve();
    // Reasons quote the server, which may echo a token.
    const encoded = redact(JSON.stringify(results.map((r) => [r.key, r.state, r.serverId ?? null, r.status ?? null, r.reason ?? null])));
    return this.write(() => {
      this.answerStatement.run(this.scopeId, requestId ?? null, this.runId, encoded, Date.now());
      for (const result of results) this.unmerged.set(result.key, result.state);
    });
  }

  /** A request that will not be answered as sent (a 413 batch sent again in halves, with rows of their own). */
  forget(requestId: number | undefined): Promise<void> {
    if (requestId === undefined) return Promise.resolve();
    return this.write(() => void this.forgetStatement.run(requestId));
  }

  private write<T>(write: () => T): Promise<T> {
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
      results = this.commit(queued.map((entry) => entry.write));
    } catch (error) {
      for (const entry of queued) entry.reject(error);
      return;
    }
    queued.forEach((entry, i) => entry.resolve(results[i]));
    if (this.unmerged.size >= MERGE_EVERY) this.merge();
  }

  /** Writes the answers recorded so far into the keyed table: every MERGE_EVERY answers (flush) and at the end of a run. */
  merge(): void {
    mergeAnswers(this.db, this.scopeId);
    if (this.emptyAtStart) for (const key of this.unmerged.keys()) this.merged.addIfAbsent(bloomDigest(key));
    this.unmerged.clear();
  }

  fileFingerprint(path: string): FileFingerprint | undefined {
    return this.fileGet.get(this.scopeId, path) as FileFingerprint | undefined;
  }

  rememberFile(path: string, fingerprint: FileFingerprint): void {
    this.filePut.run(this.scopeId, path, fingerprint.size, fingerprint.mtimeMs, fingerprint.hash, this.runId);
  }
}

/** The hex digest the Bloom filter reads: derived keys already are one; other keys (mapped, free text) are hashed. */
function bloomDigest(key: string): string {
  return /^el1_[0-9a-f]{32}$/.test(key) ? key : `key_${sha256(key)}`;
}

/**
 * One transaction, in SQLite: the scope's answers after its watermark go into `events` sorted by
 * key, so each B-tree page is written once per merge; for a key answered twice, the later answer
 * wins. Their requests are then done with. IMMEDIATE: two processes never merge the same range.
 */
function mergeAnswers(db: Database.Database, scope: number): void {
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
  }).immediate();
}

/** The layout this code writes; 0 is a new file, or the first layout (final states kept per key with their details). */
const LAYOUT = 2;

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > LAYOUT) throw new ConfigError(`journal layout ${version} was written by a newer eventload; upgrade eventload to use it`, 'EL_JOURNAL');
  if (version === LAYOUT) {
    db.exec(SCHEMA);
    return;
  }
  const hasTable = (name: string) => Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name));
  db.transaction(() => {
    const first = hasTable('events') && (db.pragma('table_info(events)') as Array<{ name: string }>).some((column) => column.name === 'server_id');
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
  })();
}
