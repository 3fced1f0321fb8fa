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
CREATE TABLE IF NOT EXISTS events (
  target TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  server_id TEXT,
  status INTEGER,
  reason TEXT,
  run_id INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (target, endpoint, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
  target TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  hash TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  PRIMARY KEY (target, endpoint, path)
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
    return new JournalScope(this.db, target, endpoint, runId);
  }

  status(): TargetStatus[] {
    const rows = this.db
      .prepare(`SELECT target, endpoint, state, COUNT(*) AS count FROM events GROUP BY target, endpoint, state ORDER BY target, endpoint`)
      .all() as Array<{ target: string; endpoint: string; state: EventState; count: number }>;
    const byScope = new Map<string, TargetStatus>();
    for (const row of rows) {
      const id = `${row.target}\n${row.endpoint}`;
      const status = byScope.get(id) ?? { target: row.target, endpoint: row.endpoint, accepted: 0, duplicate: 0, rejected: 0, inflight: 0 };
      status[row.state] = row.count;
      byScope.set(id, status);
    }
    const lastRun = this.db.prepare('SELECT command, started_at, finished_at, outcome FROM runs WHERE target = ? AND endpoint = ? ORDER BY id DESC LIMIT 1');
    for (const status of byScope.values()) {
      const run = lastRun.get(status.target, status.endpoint) as { command: string; started_at: string; finished_at: string | null; outcome: string | null } | undefined;
      if (run) status.lastRun = { command: run.command, startedAt: run.started_at, finishedAt: run.finished_at, outcome: run.outcome };
    }
    return [...byScope.values()];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export class JournalScope {
  private readonly lookupStatement: Database.Statement;
  private readonly inflightStatement: Database.Statement;
  private readonly resultStatement: Database.Statement;
  private readonly fileGet: Database.Statement;
  private readonly filePut: Database.Statement;
  private readonly markInFlightAll: (keys: string[]) => void;
  private readonly recordAll: (results: EventResult[]) => void;

  constructor(private readonly db: Database.Database, private readonly target: string, private readonly endpoint: string, readonly runId: number) {
    this.lookupStatement = db.prepare('SELECT state, run_id FROM events WHERE target = ? AND endpoint = ? AND key = ?');
    this.inflightStatement = db.prepare(
      `INSERT INTO events (target, endpoint, key, state, run_id, updated_at) VALUES (?, ?, ?, 'inflight', ?, ?)
       ON CONFLICT (target, endpoint, key) DO UPDATE SET state = 'inflight', run_id = excluded.run_id, updated_at = excluded.updated_at`,
    );
    this.resultStatement = db.prepare(
      `INSERT INTO events (target, endpoint, key, state, server_id, status, reason, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (target, endpoint, key) DO UPDATE SET state = excluded.state, server_id = excluded.server_id, status = excluded.status,
         reason = excluded.reason, run_id = excluded.run_id, updated_at = excluded.updated_at`,
    );
    this.fileGet = db.prepare('SELECT size, mtime_ms AS mtimeMs, hash FROM files WHERE target = ? AND endpoint = ? AND path = ?');
    this.filePut = db.prepare(
      `INSERT INTO files (target, endpoint, path, size, mtime_ms, hash, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (target, endpoint, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, run_id = excluded.run_id`,
    );
    this.markInFlightAll = db.transaction((keys: string[]) => {
      const now = Date.now();
      for (const key of keys) this.inflightStatement.run(this.target, this.endpoint, key, this.runId, now);
    });
    this.recordAll = db.transaction((results: EventResult[]) => {
      const now = Date.now();
      for (const r of results) this.resultStatement.run(this.target, this.endpoint, r.key, r.state, r.serverId ?? null, r.status ?? null, r.reason ?? null, this.runId, now);
    });
  }

  /** What the journal knows of a key; `thisRun` tells an in-flight entry of this run from one left by a crash. */
  lookup(key: string): { state: EventState; thisRun: boolean } | undefined {
    const row = this.lookupStatement.get(this.target, this.endpoint, key) as { state: EventState; run_id: number } | undefined;
    return row && { state: row.state, thisRun: row.run_id === this.runId };
  }

  /** Written before the request leaves, in one transaction for the whole batch. */
  markInFlight(keys: string[]): void {
    this.markInFlightAll(keys);
  }

  /** Written as soon as the answer arrives, in one transaction for the whole batch. */
  record(results: EventResult[]): void {
    this.recordAll(results);
  }

  fileFingerprint(path: string): FileFingerprint | undefined {
    return this.fileGet.get(this.target, this.endpoint, path) as FileFingerprint | undefined;
  }

  rememberFile(path: string, fingerprint: FileFingerprint): void {
    this.filePut.run(this.target, this.endpoint, path, fingerprint.size, fingerprint.mtimeMs, fingerprint.hash, this.runId);
  }
}
