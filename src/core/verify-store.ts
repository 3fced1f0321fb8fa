// Where verify compares: a private, temporary SQLite file (deleted when closed) that takes what was
// delivered and what the server holds as two streams of rows, then matches them with one sorted
// join. Neither side is ever held in memory, so verifying millions of events runs in flat memory,
// and a server that returns its records in any order is matched all the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, type Statement } from '../sqlite/database.js';

/** One event that should be on the server. */
export interface ExpectedRow {
  /** The key the target matches by (Immutable: the idempotency key; flaring: what the event says). */
  key: string;
  /** The journal's key of the event: what is marked missing, and resent under. */
  journalKey: string;
  /** The body sent, as JSON text. */
  body: string;
  /** The canonical event, as JSON text (exact numbers kept). */
  event: string;
  file: string;
  line: number;
}

export type Match =
  | { kind: 'found'; expected: ExpectedRow; record: string }
  | { kind: 'missing'; expected: ExpectedRow };

/** Rows written per transaction: few enough to stay small in memory, many enough to be fast. */
const CHUNK = 2000;

export class CompareStore {
  private readonly dir: string;
  private readonly db: Database;
  private expectedRows: unknown[][] = [];
  private storedRows: unknown[][] = [];
  private readonly insertExpected: Statement;
  private readonly insertStored: Statement;
  /** Expected events given twice under one journal key (a repeated input line): counted once, as the journal sends them once. */
  repeated = 0;

  constructor() {
    // A file of its own in a private temp folder, removed on close. Not SQLite's '' temporary
    // database: the driver (libsql, built with SQLITE_TEMP_STORE=2) holds that one in memory, every
    // event of it (measured: 700 MB for 300,000 events). For the same reason its sorts and indexes
    // go to temp files too: memory stays flat however many events are compared.
    this.dir = mkdtempSync(join(tmpdir(), 'eventload-verify-'));
    this.db = Database.open(join(this.dir, 'compare.db'));
    this.db.pragma('temp_store = FILE');
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`
      CREATE TABLE expected (key TEXT NOT NULL, journal_key TEXT NOT NULL UNIQUE, body TEXT NOT NULL, event TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL);
      CREATE TABLE stored (key TEXT NOT NULL, record TEXT NOT NULL);
    `);
    this.insertExpected = this.db.prepare('INSERT OR IGNORE INTO expected (key, journal_key, body, event, file, line) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertStored = this.db.prepare('INSERT INTO stored (key, record) VALUES (?, ?)');
  }

  addExpected(row: ExpectedRow): void {
    this.expectedRows.push([row.key, row.journalKey, row.body, row.event, row.file, row.line]);
    if (this.expectedRows.length >= CHUNK) this.flush();
  }

  addStored(key: string, record: string): void {
    this.storedRows.push([key, record]);
    if (this.storedRows.length >= CHUNK) this.flush();
  }

  /**
   * Pairs each expected event with a stored record of its key, in key order. A key may stand for
   * several events (flaring: two events that say the same thing): the Nth expected one pairs with
   * the Nth stored one, so each side's surplus is missing or extra.
   */
  *matches(): Generator<Match> {
    this.flush();
    this.db.exec(`
      CREATE TABLE e AS SELECT expected.*, ROW_NUMBER() OVER (PARTITION BY key ORDER BY rowid) AS n FROM expected;
      CREATE TABLE s AS SELECT stored.*, ROW_NUMBER() OVER (PARTITION BY key ORDER BY rowid) AS n FROM stored;
      CREATE INDEX s_key ON s (key, n);
      CREATE INDEX e_key ON e (key, n);
    `);
    const rows = this.db
      .prepare('SELECT e.key, e.journal_key AS journalKey, e.body, e.event, e.file, e.line, s.record FROM e LEFT JOIN s ON s.key = e.key AND s.n = e.n ORDER BY e.key, e.n')
      .iterate() as Generator<ExpectedRow & { record: string | null }>;
    for (const { record, ...expected } of rows) {
      yield record === null ? { kind: 'missing', expected } : { kind: 'found', expected, record };
    }
  }

  /** Stored records no expected event pairs with (call after matches()). */
  extra(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM s WHERE NOT EXISTS (SELECT 1 FROM e WHERE e.key = s.key AND e.n = s.n)').get() as { n: number }).n;
  }

  expectedCount(): number {
    this.flush();
    return (this.db.prepare('SELECT COUNT(*) AS n FROM expected').get() as { n: number }).n;
  }

  close(): void {
    try {
      this.db.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private flush(): void {
    const expected = this.expectedRows.splice(0);
    const stored = this.storedRows.splice(0);
    if (expected.length + stored.length === 0) return;
    this.db.transaction(() => {
      for (const row of expected) if (this.insertExpected.run(...row).changes === 0) this.repeated++;
      for (const row of stored) this.insertStored.run(...row);
    });
  }
}
