// The journal: an embedded SQLite file (better-sqlite3 v12; v13 needs Node 22) that remembers,
// per target + endpoint + idempotency key, what became of each event, so a re-run sends only
// what was not delivered, and a crash loses nothing. Writes are one transaction per request
// (a batch of events at once), synchronous, in WAL mode: a kill -9 leaves a consistent file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';

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
  UNIQUE (target, endpoint)
);
CREATE TABLE IF NOT EXISTS events (
  scope INTEGER NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  server_id TEXT,
  status INTEGER,
  reason TEXT,
  run_id INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inflight (
  id INTEGER PRIMARY KEY,
  scope INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  keys TEXT NOT NULL,
  sent_at INTEGER NOT NULL
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
      db.exec(SCHEMA);
      return new Journal(db, path);
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
    this.db.prepare('UPDATE runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?').run(new Date().toISOString(), outcome, JSON.stringify(summary), runId);
  }

  /** The journal as seen by one run against one target and endpoint. */
  scope(target: string, endpoint: string, runId: number): JournalScope {
    this.db.prepare('INSERT OR IGNORE INTO scopes (target, endpoint) VALUES (?, ?)').run(target, endpoint);
    const { id } = this.db.prepare('SELECT id FROM scopes WHERE target = ? AND endpoint = ?').get(target, endpoint) as { id: number };
    return new JournalScope(this.db, id, runId);
  }

  status(): TargetStatus[] {
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
    const rows = this.db.prepare('SELECT keys FROM inflight WHERE scope = ?').all(scope) as Array<{ keys: string }>;
    const known = this.db.prepare('SELECT 1 FROM events WHERE scope = ? AND key = ?');
    return rows.flatMap((row) => row.keys.split('\n')).filter((key) => !known.get(scope, key));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export class JournalScope {
  /** Nothing was recorded for this target and endpoint before this run (a first import). */
  readonly emptyAtStart: boolean;
  private readonly lookupStatement: Database.Statement;
  private readonly inflightInsert: Database.Statement;
  private readonly inflightDelete: Database.Statement;
  private readonly resultStatement: Database.Statement;
  private readonly fileGet: Database.Statement;
  private readonly filePut: Database.Statement;
  private readonly recordAll: (results: EventResult[], inflightId: number | undefined) => void;

  constructor(private readonly db: Database.Database, private readonly scopeId: number, readonly runId: number) {
    this.lookupStatement = db.prepare('SELECT state FROM events WHERE scope = ? AND key = ?');
    this.emptyAtStart = !db.prepare('SELECT 1 FROM events WHERE scope = ? LIMIT 1').get(scopeId) && !db.prepare('SELECT 1 FROM inflight WHERE scope = ? LIMIT 1').get(scopeId);
    this.inflightInsert = db.prepare('INSERT INTO inflight (scope, run_id, keys, sent_at) VALUES (?, ?, ?, ?)');
    this.inflightDelete = db.prepare('DELETE FROM inflight WHERE id = ?');
    this.resultStatement = db.prepare(
      `INSERT INTO events (scope, key, state, server_id, status, reason, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, server_id = excluded.server_id, status = excluded.status,
         reason = excluded.reason, run_id = excluded.run_id, updated_at = excluded.updated_at`,
    );
    this.fileGet = db.prepare('SELECT size, mtime_ms AS mtimeMs, hash FROM files WHERE scope = ? AND path = ?');
    this.filePut = db.prepare(
      `INSERT INTO files (scope, path, size, mtime_ms, hash, run_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, run_id = excluded.run_id`,
    );
    this.recordAll = db.transaction((results: EventResult[], inflightId: number | undefined) => {
      const now = Date.now();
      for (const r of results) this.resultStatement.run(this.scopeId, r.key, r.state, r.serverId ?? null, r.status ?? null, r.reason ?? null, this.runId, now);
      if (inflightId !== undefined) this.inflightDelete.run(inflightId);
    });
  }

  /** The final state an earlier answer gave this key, if any. */
  lookup(key: string): Exclude<EventState, 'inflight'> | undefined {
    const row = this.lookupStatement.get(this.scopeId, key) as { state: Exclude<EventState, 'inflight'> } | undefined;
    return row?.state;
  }

  /** Written before the request leaves: one row for the whole batch. Returns its id for record(). */
  markInFlight(keys: string[]): number {
    return Number(this.inflightInsert.run(this.scopeId, this.runId, keys.join('\n'), Date.now()).lastInsertRowid);
  }

  /** Written as soon as the answer arrives, in one transaction: the results, and the in-flight row gone. */
  record(results: EventResult[], inflightId?: number): void {
    this.recordAll(results, inflightId);
  }

  fileFingerprint(path: string): FileFingerprint | undefined {
    return this.fileGet.get(this.scopeId, path) as FileFingerprint | undefined;
  }

  rememberFile(path: string, fingerprint: FileFingerprint): void {
    this.filePut.run(this.scopeId, path, fingerprint.size, fingerprint.mtimeMs, fingerprint.hash, this.runId);
  }
}
