import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Database } from '../../src/sqlite/database.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DELIVERED_ROWS, Journal, MERGE_EVERY } from '../../src/journal/journal.js';
import { withTempDir } from '../helpers.js';

describe('journal', () => {
  it('creates a missing journal and its folder', async () => {
    await withTempDir(async (dir) => {
      const journal = Journal.open(join(dir, 'deep', 'folder', 'journal.db'));
      expect(journal.status()).toEqual([]);
      journal.close();
    });
  });

  it('remembers in-flight, accepted, duplicate and rejected events per target and endpoint', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'journal.db');
      const journal = Journal.open(path);
      const run = journal.startRun('import', 'flowmyna', 'http://a');
      const scope = journal.scope('flowmyna', 'http://a', run);
      const batch = await scope.markInFlight(['k1', 'k2', 'k3']);
      await scope.markInFlight(['k4']); // never answered: the process "died"
      expect(scope.lookup('k1')).toBeUndefined();
      await scope.record([
        { key: 'k1', state: 'accepted', serverId: 'evt_1' },
        { key: 'k2', state: 'duplicate' },
        { key: 'k3', state: 'rejected', status: 422, reason: 'event: too long' },
      ], batch);
      journal.finishRun(run, 'completed', { read: 4 });
      journal.close();

      // A second process (a re-run) sees what the first one wrote.
      const again = Journal.open(path);
      const next = again.scope('flowmyna', 'http://a', again.startRun('import', 'flowmyna', 'http://a'));
      expect(next.lookup('k1')).toBe('accepted');
      expect(next.lookup('k2')).toBe('duplicate');
      expect(next.lookup('k3')).toBe('rejected');
      expect(next.lookup('k4')).toBeUndefined(); // in flight at the "crash": no final state, so it is resent
      expect(next.lookup('k5')).toBeUndefined();
      // Another endpoint is another scope.
      expect(again.scope('flowmyna', 'http://b', 1).lookup('k1')).toBeUndefined();
      const [status] = again.status();
      expect(status).toMatchObject({ target: 'flowmyna', endpoint: 'http://a', accepted: 1, duplicate: 1, rejected: 1, inflight: 1 });
      expect(status!.lastRun).toMatchObject({ command: 'import', outcome: null });
      again.close();
    });
  });

  it('says clearly that a corrupt journal is unreadable instead of crashing', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'journal.db');
      await writeFile(path, 'this is not a database, just some text that happens to be here'.repeat(100));
      expect(() => Journal.open(path)).toThrow(ConfigError);
      expect(() => Journal.open(path)).toThrow(/is not an eventload journal.*left untouched/);
    });
  });

  it('keeps file fingerprints for sync', async () => {
    await withTempDir(async (dir) => {
      const journal = Journal.open(join(dir, 'j.db'));
      const scope = journal.scope('immutable', 'http://x', journal.startRun('sync', 'immutable', 'http://x'));
      expect(scope.fileFingerprint('/data/a.csv')).toBeUndefined();
      scope.rememberFile('/data/a.csv', { size: 10, mtimeMs: 1234.5, hash: 'abc' });
      expect(scope.fileFingerprint('/data/a.csv')).toEqual({ size: 10, mtimeMs: 1234.5, hash: 'abc' });
      journal.close();
    });
  });
});

describe('journal: answers are merged into the keyed table in batches', () => {
  it('finds every answer before and after a merge, and a later answer for a key wins', async () => {
    await withTempDir(async (dir) => {
      const journal = Journal.open(join(dir, 'j.db'));
      const scope = journal.scope('flowmyna', 'http://a', journal.startRun('import', 'flowmyna', 'http://a'));
      expect(scope.emptyAtStart).toBe(true);
      // More answers than one merge holds, so some are looked up in memory and some in the table.
      const keys = Array.from({ length: 25_000 }, (_, i) => `order-${i}`);
      for (let i = 0; i < keys.length; i += 100) {
        const batch = keys.slice(i, i + 100);
        await scope.record(batch.map((key) => ({ key, state: 'accepted' as const, serverId: `evt_${key}` })), await scope.markInFlight(batch));
      }
      expect(keys.every((key) => scope.lookup(key) === 'accepted')).toBe(true);
      await scope.record([{ key: 'late', state: 'rejected', status: 422, reason: 'bad' }], await scope.markInFlight(['late']));
      scope.merge();
      await scope.record([{ key: 'late', state: 'accepted', serverId: 'evt_late' }], await scope.markInFlight(['late']));
      expect(scope.lookup('late')).toBe('accepted');
      expect(scope.lookup('order-25000')).toBeUndefined();
      scope.merge();
      expect(journal.status()[0]).toMatchObject({ accepted: 25_001, rejected: 0, inflight: 0 });
      journal.close();
    });
  });

  it('merges every MERGE_EVERY answered events, and looks the rest up in memory', async () => {
    expect(MERGE_EVERY).toBe(100_000);
    await withTempDir(async (dir) => {
      const path = join(dir, 'j.db');
      const journal = Journal.open(path);
      const scope = journal.scope('flowmyna', 'http://a', journal.startRun('import', 'flowmyna', 'http://a'));
      const table = Database.open(path, { readOnly: true });
      const inTable = () => table.prepare('SELECT COUNT(*) FROM events').value<number>();
      const merged = new Map<number, number>();
      for (let answered = 1000; answered <= 230_000; answered += 1000) {
        const keys = Array.from({ length: 1000 }, (_, i) => `k-${answered - 1000 + i}`);
        await scope.record(keys.map((key) => ({ key, state: 'accepted' as const })), await scope.markInFlight(keys));
        merged.set(answered, inTable()!);
      }
      // A merge runs in the journal's next write after the answers that make it due.
      expect([...new Set(merged.values())]).toEqual([0, 100_000, 200_000]);
      expect(merged.get(101_000)).toBe(100_000);
      expect(scope.lookup('k-229999')).toBe('accepted'); // answered, not merged yet: found in memory
      expect(scope.lookup('k-5')).toBe('accepted'); // merged: found in the table
      table.close();
      journal.close();
    });
  }, 60_000);

  it('merges the answers of a run that was killed before its merge when the journal is next opened', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'j.db');
      const journal = Journal.open(path);
      const scope = journal.scope('immutable', 'http://x', journal.startRun('import', 'immutable', 'http://x'));
      await scope.record([{ key: 'a', state: 'accepted' }, { key: 'b', state: 'duplicate' }], await scope.markInFlight(['a', 'b']));
      await scope.markInFlight(['c']); // on the wire at the "kill"
      journal.close(); // no merge, no finishRun: as after kill -9

      const again = Journal.open(path);
      const next = again.scope('immutable', 'http://x', again.startRun('import', 'immutable', 'http://x'));
      expect(next.emptyAtStart).toBe(false);
      expect([next.lookup('a'), next.lookup('b'), next.lookup('c')]).toEqual(['accepted', 'duplicate', undefined]);
      expect(again.status()[0]).toMatchObject({ accepted: 1, duplicate: 1, inflight: 1 });
      // The resent request is answered: nothing is in flight any more.
      await next.record([{ key: 'c', state: 'accepted' }], await next.markInFlight(['c']));
      next.merge();
      expect(again.status()[0]).toMatchObject({ accepted: 2, inflight: 0 });
      again.close();
    });
  });

  it('reads a journal written in the first layout (details per key, in-flight table)', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'old.db');
      const db = Database.open(path);
      db.exec(`
        CREATE TABLE runs (id INTEGER PRIMARY KEY, command TEXT NOT NULL, target TEXT NOT NULL, endpoint TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT, summary TEXT);
        CREATE TABLE scopes (id INTEGER PRIMARY KEY, target TEXT NOT NULL, endpoint TEXT NOT NULL, UNIQUE (target, endpoint));
        CREATE TABLE events (scope INTEGER NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, server_id TEXT, status INTEGER, reason TEXT, run_id INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID;
        CREATE TABLE inflight (id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, run_id INTEGER NOT NULL, keys TEXT NOT NULL, sent_at INTEGER NOT NULL);
        CREATE TABLE files (scope INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, hash TEXT NOT NULL, run_id INTEGER NOT NULL, PRIMARY KEY (scope, path)) WITHOUT ROWID;
        INSERT INTO runs VALUES (1, 'import', 'flowmyna', 'http://a', '2026-11-24T10:00:00Z', NULL, NULL, NULL);
        INSERT INTO scopes VALUES (1, 'flowmyna', 'http://a');
        INSERT INTO events VALUES (1, 'k1', 'accepted', 'evt_1', NULL, NULL, 1, 0), (1, 'k2', 'rejected', NULL, 422, 'too long', 1, 0);
        INSERT INTO inflight VALUES (1, 1, 1, 'k3' || char(10) || 'k4', 0);
      `);
      db.close();
      const journal = Journal.open(path);
      const scope = journal.scope('flowmyna', 'http://a', journal.startRun('import', 'flowmyna', 'http://a'));
      expect([scope.lookup('k1'), scope.lookup('k2'), scope.lookup('k3')]).toEqual(['accepted', 'rejected', undefined]);
      expect(journal.status()[0]).toMatchObject({ accepted: 1, rejected: 1, inflight: 2 });
      journal.close();
      expect(() => Journal.open(path).close()).not.toThrow(); // and opens again in the new layout
    });
  });
});

describe('delivered events as verify reads them', () => {
  it('gives each delivered key its event as sent, once, the latest answer winning; a rejection has none', async () => {
    await withTempDir(async (dir) => {
      const journal = Journal.open(join(dir, 'journal.db'));
      const scope = journal.scope('flowmyna', 'http://a', journal.startRun('import', 'flowmyna', 'http://a'));
      const first = await scope.markInFlight(['a', 'b', 'c', 'a']);
      await scope.record(
        [
          { key: 'a', state: 'accepted', event: '{"event":"A","n":1}' },
          { key: 'b', state: 'rejected', status: 422, reason: 'no' },
          { key: 'c', state: 'duplicate', event: '{"event":"C","text":"line\\nbreak"}' },
          { key: 'a', state: 'accepted', event: '{"event":"A","n":1}' }, // the same key twice in one request
        ],
        first,
      );
      const second = await scope.markInFlight(['b', 'd']);
      await scope.record([{ key: 'b', state: 'accepted', event: '{"event":"B"}' }, { key: 'd', state: 'rejected', status: 422, reason: 'no' }], second);
      const delivered = [...scope.delivered()].sort((x, y) => x.key.localeCompare(y.key));
      expect(delivered).toEqual([
        { key: 'a', event: '{"event":"A","n":1}' },
        { key: 'b', event: '{"event":"B"}' },
        { key: 'c', event: '{"event":"C","text":"line\\nbreak"}' },
      ]);
      journal.close();
    });
  });

  it('reads them answer by answer: the answers in id order, one key lookup per result, no sort of every row', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'journal.db');
      Journal.open(path).close();
      const db = Database.open(path, { readOnly: true });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${DELIVERED_ROWS}`).all(1) as Array<{ detail: string }>).map((row) => row.detail);
      db.close();
      expect(plan[0]).toMatch(/^SCAN a\b/);
      expect(plan.some((step) => /SEARCH ev USING PRIMARY KEY \(scope=\? AND key=\?\)/.test(step))).toBe(true);
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    });
  });

  it('still reads the event texts a layout-2 journal kept inside each answer\'s results, next to new answers', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'journal.db');
      const created = Journal.open(path);
      created.scope('flowmyna', 'http://a', created.startRun('import', 'flowmyna', 'http://a'));
      created.close();
      // What eventload wrote before layout 3: no `events` column, the text as a sixth element of each result.
      const db = Database.open(path);
      db.exec(`ALTER TABLE answers DROP COLUMN events;
        INSERT INTO answers (scope, request_id, run_id, results, answered_at) VALUES (1, NULL, 1, '[["old","accepted","evt_1",null,null,"{\\"event\\":\\"Old\\"}"]]', 0);
        INSERT INTO events (scope, key, state, answer_id) VALUES (1, 'old', 'accepted', 1);
        UPDATE scopes SET merged_through = 1;`);
      db.pragma('user_version = 2');
      db.close();
      const journal = Journal.open(path);
      const scope = journal.scope('flowmyna', 'http://a', journal.startRun('import', 'flowmyna', 'http://a'));
      await scope.record([{ key: 'new', state: 'accepted', event: '{"event":"New"}' }], await scope.markInFlight(['new']));
      expect([...scope.delivered()].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'new', event: '{"event":"New"}' },
        { key: 'old', event: '{"event":"Old"}' },
      ]);
      journal.close();
      const check = Database.open(path, { readOnly: true });
      expect(check.pragma('user_version')).toBe(3);
      check.close();
    });
  });
});

describe('journal write failures', () => {
  it('treats a full disk, an I/O error and a read-only file as "cannot write" (exit 3), nothing else', async () => {
    const { asJournalWriteError, JournalWriteError } = await import('../../src/journal/journal.js');
    for (const [code, message] of <Array<[string, string]>>[['SQLITE_FULL', 'database or disk is full'], ['SQLITE_IOERR_WRITE', 'disk I/O error'], ['SQLITE_IOERR', 'disk I/O error'], ['SQLITE_READONLY', 'attempt to write a readonly database']]) {
      const failure = asJournalWriteError(Object.assign(new Error(message), { code }), 'j.db');
      expect(failure, code).toBeInstanceOf(JournalWriteError);
      expect((failure as InstanceType<typeof JournalWriteError>).exitCode).toBe(3);
      expect((failure as Error).message).toMatch(new RegExp(`^journal j\\.db: cannot write \\(${message.replace('/', '\\/')}\\); stopped sending`));
    }
    const other = Object.assign(new Error('no such table: x'), { code: 'SQLITE_ERROR' });
    expect(asJournalWriteError(other, 'j.db')).toBe(other);
  });

  it('a folder that cannot be created is a clear error (exit 2), never a crash', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'file'), 'x');
      expect(() => Journal.open(join(dir, 'file', 'journal.db'))).toThrow(/cannot create its folder or its lock file .*ENOTDIR|EEXIST/);
    });
  });
});
