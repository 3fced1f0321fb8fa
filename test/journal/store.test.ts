// The journal's store (issue 18): journals written by earlier versions (better-sqlite3) open and
// resume with the libsql store, and src/sqlite/ keeps better-sqlite3's semantics where libsql's
// API differs (read-only, missing files, rows, parameters, transactions).
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database, openReadOnly, SqliteError } from '../../src/sqlite/database.js';
import { fixture, runCli } from '../helpers.js';
import { parseSummary, useTempDirs } from '../import/helpers.js';

const tempDir = useTempDirs();

describe('journals written by better-sqlite3 (eventload before issue 18)', () => {
  it('a finished run: status reads it, and a run against it sends only what it does not hold', async () => {
    const dir = await tempDir();
    const journal = join(dir, 'journal.db');
    await copyFile(fixture('journal/better-sqlite3.db'), journal);
    const status = await runCli(['status', '--journal', journal, '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).targets).toEqual([expect.objectContaining({ target: 'flowmyna', accepted: 3, inflight: 0 })]);
    const run = await runCli(['import', fixture('journal/events.ndjson'), '--target', 'flowmyna', '--sandbox', '--journal', journal, '--json', '-q'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(parseSummary(run)).toMatchObject({ read: 5, skippedByJournal: 3, accepted: 2 });
  }, 60_000);

  it('a run killed with -9 (its -wal file holds an unmerged answer and a request in flight): both are recovered', async () => {
    const dir = await tempDir();
    const journal = join(dir, 'journal.db');
    await copyFile(fixture('journal/better-sqlite3-killed.db'), journal);
    await copyFile(fixture('journal/better-sqlite3-killed.db-wal'), `${journal}-wal`);
    const status = await runCli(['status', '--journal', journal, '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).targets).toEqual([expect.objectContaining({ accepted: 4, inflight: 1 })]);
    const run = await runCli(['import', fixture('journal/events.ndjson'), '--target', 'flowmyna', '--sandbox', '--journal', journal, '--json', '-q'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    // so-5 was on the wire when the run was killed, never answered: it is sent again.
    expect(parseSummary(run)).toMatchObject({ read: 5, skippedByJournal: 4, accepted: 1 });
    const after = JSON.parse((await runCli(['status', '--journal', journal, '--json'], { cwd: dir })).stdout);
    expect(after.targets).toEqual([expect.objectContaining({ accepted: 5, inflight: 0 })]);
  }, 60_000);
});

describe('src/sqlite', () => {
  it('opens read-only without creating or writing: a missing file is SQLITE_CANTOPEN, a write SQLITE_READONLY', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.db');
    expect(() => openReadOnly(missing)).toThrow(expect.objectContaining({ code: 'SQLITE_CANTOPEN' }));
    expect(() => Database.open(missing, { mustExist: true })).toThrow(SqliteError);
    expect(await readdir(dir)).toEqual([]);

    const path = join(dir, 'data #1?.db'); // characters a file: URI must escape
    const db = Database.open(path);
    db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x')");
    db.close();
    const bytes = await readFile(path);
    const reader = openReadOnly(path);
    expect(reader.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 1, b: 'x' }]);
    expect(() => reader.exec("INSERT INTO t VALUES (2, 'y')")).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    reader.close();
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['data #1?.db']);
  });

  it('rows are plain: no driver metadata, equal to what was written; null and named parameters bind', async () => {
    const db = Database.open(join(await tempDir(), 'rows.db'));
    db.exec('CREATE TABLE t (a INTEGER, b TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
    expect(insert.run(1, null)).toEqual({ changes: 1, lastInsertRowid: 1 });
    insert.run(2, 'two');
    const row = db.prepare('SELECT a, b FROM t WHERE a = ?').get(2);
    expect(row).toEqual({ a: 2, b: 'two' });
    expect(Object.keys(row!)).toEqual(['a', 'b']);
    expect(JSON.stringify(row)).toBe('{"a":2,"b":"two"}');
    expect({ ...row }).toEqual({ a: 2, b: 'two' });
    expect(db.prepare('SELECT a FROM t WHERE b IS ?').get(null)).toEqual({ a: 1 });
    expect(db.prepare('SELECT b FROM t WHERE a = @a').get({ a: 2 })).toEqual({ b: 'two' });
    expect(db.prepare('SELECT b FROM t WHERE a = ?').value(2)).toBe('two');
    expect(db.prepare('SELECT b FROM t WHERE a = ?').value(3)).toBeUndefined();
    expect(db.prepare('SELECT b FROM t WHERE a = ?').get(3)).toBeUndefined();
    expect(db.pragma('user_version')).toBe(0);
    db.pragma('user_version = 7');
    expect(db.pragma('user_version')).toBe(7);
    db.close();
  });

  it('transactions commit, roll back on a throw, and nest as savepoints', async () => {
    const db = Database.open(join(await tempDir(), 'tx.db'));
    db.exec('CREATE TABLE t (a INTEGER)');
    const count = () => db.prepare('SELECT COUNT(*) AS n FROM t').value<number>();
    expect(db.transaction(() => db.exec('INSERT INTO t VALUES (1)') ?? 'done', 'immediate')).toBe('done');
    expect(() => db.transaction(() => {
      db.exec('INSERT INTO t VALUES (2)');
      throw new Error('boom');
    })).toThrow('boom');
    expect(count()).toBe(1);
    db.transaction(() => {
      db.exec('INSERT INTO t VALUES (3)');
      expect(() => db.transaction(() => {
        db.exec('INSERT INTO t VALUES (4)');
        throw new Error('inner');
      })).toThrow('inner');
    });
    expect(db.prepare<{ a: number }>('SELECT a FROM t ORDER BY a').all().map((row) => row.a)).toEqual([1, 3]);
    expect(db.inTransaction).toBe(false);
    db.close();
    expect(db.isOpen).toBe(false);
  });

  it('a file that is not SQLite is SQLITE_NOTADB and stays byte-identical', async () => {
    const path = join(await tempDir(), 'notes.txt');
    await writeFile(path, 'remember the milk\n'.repeat(100));
    expect(() => {
      const db = Database.open(path);
      try {
        db.pragma('application_id');
      } finally {
        db.close();
      }
    }).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
    expect(await readFile(path, 'utf8')).toBe('remember the milk\n'.repeat(100));
  });
});
