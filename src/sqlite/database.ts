// THE way eventload opens a SQLite file (the journal; readers of SQLite inputs such as OCEL). One
// module, so the driver is chosen once and its quirks are handled once.
//
// The driver is libsql: a Node-API module (one binary serves Node 20, 22 and 24) whose prebuilt
// platform packages come from the npm registry, so installing needs no compiler and no download
// from elsewhere (issue 18; the measurements are in BENCHMARKS.md). It speaks better-sqlite3's API,
// with differences this module absorbs:
// - it ignores `readonly` and `fileMustExist`: read-only opens go through a `file:` URI with
//   `mode=ro`, which SQLite itself enforces, and a missing file is refused before opening;
// - rows from `get()` carry an extra `_metadata` property: every row leaves here without it;
// - a single `null` or object argument is taken for named parameters: parameters are always
//   passed as one array (or one plain object for named ones);
// - `pragma(…, { simple: true })` does not pluck: pragmas are read here through a raw statement;
// - its transactions do not nest and roll back blindly: transaction() uses savepoints when nested
//   and rolls back only what SQLite has not already rolled back itself.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What this module uses of libsql (its own typings are better-sqlite3's, which it does not fully honour). */
interface DriverStatement {
  run(params: Bound): RunResult;
  get(params: Bound): unknown;
  all(params: Bound): unknown[];
  iterate(params: Bound): IterableIterator<unknown>;
  raw(toggle?: boolean): DriverStatement;
  readonly reader: boolean;
}
interface DriverDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): DriverStatement;
  exec(sql: string): void;
  close(): void;
}
type Driver = new (path: string, options?: { timeout?: number }) => DriverDatabase;
type Bound = unknown[] | Record<string, unknown>;

// libsql is CommonJS; loaded on first open so commands without a journal never load the native module.
let driver: Driver | undefined;
function loadDriver(): Driver {
  driver ??= createRequire(import.meta.url)('libsql') as Driver;
  return driver;
}

export interface OpenOptions {
  /** Open for reading only: SQLite refuses every write (SQLITE_READONLY). The file must exist. */
  readOnly?: boolean;
  /** Refuse to create the file (a SqliteError with code SQLITE_CANTOPEN); implied by readOnly. */
  mustExist?: boolean;
  /** How long a statement waits for another connection's lock before SQLITE_BUSY; default 5000 ms. */
  busyTimeoutMs?: number;
}

/** SQLite's errors keep SQLite's code (`SQLITE_BUSY`, `SQLITE_NOTADB`, `SQLITE_FULL`, …) on `.code`. */
export class SqliteError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'SqliteError';
  }
}

export type Params = unknown[] | [Record<string, unknown>];

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement: positional parameters as arguments, or one object for `@name` parameters. */
export class Statement<Row = Record<string, unknown>> {
  private readonly statement: DriverStatement;
  /** A second copy in raw mode (arrays, no column names) for value(): the mode belongs to the driver's statement. */
  private raw?: DriverStatement;

  constructor(private readonly prepareDriver: () => DriverStatement) {
    this.statement = prepareDriver();
  }

  run(...params: Params): RunResult {
    const { changes, lastInsertRowid } = translate(() => this.statement.run(bind(params)));
    return { changes, lastInsertRowid };
  }

  /** The first row, or undefined. */
  get(...params: Params): Row | undefined {
    const row = translate(() => this.statement.get(bind(params))) as (Row & { _metadata?: unknown }) | undefined | null;
    if (row === undefined || row === null) return undefined;
    const { _metadata, ...clean } = row;
    return clean as Row;
  }

  all(...params: Params): Row[] {
    return translate(() => this.statement.all(bind(params))) as Row[];
  }

  /** The rows one at a time, so a large result never sits in memory whole. */
  *iterate(...params: Params): Generator<Row> {
    const rows = translate(() => this.statement.iterate(bind(params)));
    for (;;) {
      const next = translate(() => rows.next());
      if (next.done) return;
      const { _metadata, ...clean } = next.value as Row & { _metadata?: unknown };
      yield clean as Row;
    }
  }

  /** The first column of the first row, or undefined when there is no row: the fast path for lookups. */
  value<T = unknown>(...params: Params): T | undefined {
    if (!this.statement.reader) {
      this.run(...params); // a statement that returns no rows (`PRAGMA user_version = 2`)
      return undefined;
    }
    this.raw ??= this.prepareDriver().raw(true);
    const row = translate(() => this.raw!.get(bind(params))) as unknown[] | undefined | null;
    return row ? (row[0] as T) : undefined;
  }
}

/** A plain object as the only argument is a set of named parameters; anything else is positional. */
function bind(params: Params): Bound {
  const [first] = params;
  const named = params.length === 1 && first !== null && typeof first === 'object' && !Array.isArray(first) && !ArrayBuffer.isView(first);
  return named ? (first as Record<string, unknown>) : params;
}

export class Database {
  private depth = 0;

  private constructor(private readonly db: DriverDatabase, readonly path: string, readonly readOnly: boolean) {}

  /** Opens (creating unless told otherwise) a SQLite file; errors are SqliteErrors with SQLite's code. */
  static open(path: string, options: OpenOptions = {}): Database {
    const readOnly = options.readOnly ?? false;
    if ((readOnly || options.mustExist) && !existsSync(path)) throw new SqliteError(`unable to open database file: ${path} does not exist`, 'SQLITE_CANTOPEN');
    const Driver = loadDriver();
    const db = translate(() => new Driver(readOnly ? readOnlyUri(path) : path, { timeout: options.busyTimeoutMs ?? 5000 }));
    return new Database(db, path, readOnly);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  exec(sql: string): void {
    translate(() => this.db.exec(sql));
  }

  prepare<Row = Record<string, unknown>>(sql: string): Statement<Row> {
    return new Statement<Row>(() => translate(() => this.db.prepare(sql)));
  }

  /** The value of a pragma (`pragma('user_version')`), or sets one (`pragma('user_version = 2')`) and returns its answer. */
  pragma<T = unknown>(source: string): T | undefined {
    return this.prepare(`PRAGMA ${source}`).value<T>();
  }

  /** Every row a pragma returns (`table_info(events)`). */
  pragmaRows<Row = Record<string, unknown>>(source: string): Row[] {
    return this.prepare<Row>(`PRAGMA ${source}`).all();
  }

  /**
   * Runs `work` in one transaction and returns its result: committed when it returns, rolled back
   * when it throws. IMMEDIATE takes the write lock at the start. Nested calls are savepoints.
   */
  transaction<T>(work: () => T, mode: 'deferred' | 'immediate' = 'deferred'): T {
    const nested = this.depth > 0;
    const savepoint = `eventload_${this.depth}`;
    this.exec(nested ? `SAVEPOINT ${savepoint}` : `BEGIN ${mode.toUpperCase()}`);
    this.depth++;
    try {
      const result = work();
      this.exec(nested ? `RELEASE ${savepoint}` : 'COMMIT');
      return result;
    } catch (error) {
      // A failed COMMIT (full disk) may have rolled back already: only what is still open is undone.
      if (this.db.inTransaction) {
        try {
          this.exec(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
        } catch {
          // The original error says what went wrong; a failed rollback leaves SQLite to undo it on close.
        }
      }
      throw error;
    } finally {
      this.depth--;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens a SQLite file that someone else wrote (an input), only to read it: never created, never written. */
export function openReadOnly(path: string, options: Omit<OpenOptions, 'readOnly' | 'mustExist'> = {}): Database {
  return Database.open(path, { ...options, readOnly: true });
}

/** `file:` URI with mode=ro: SQLite enforces it (libsql ignores `readonly`); the path is percent-encoded. */
function readOnlyUri(path: string): string {
  return `${pathToFileURL(resolve(path)).href}?mode=ro`;
}

/** The driver's errors as SqliteErrors: the same code, whatever the driver calls its class. */
function translate<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_')) throw new SqliteError(error.message, code);
    throw error;
  }
}
