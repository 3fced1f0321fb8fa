// OCEL 2.0 SQLite: the same log as its JSON gives the same canonical events and keys; a SQLite
// file without the OCEL tables is refused with its own code.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bin, corpus, hasCorpus, runCli, withTempDir } from '../../helpers.js';
import { eventsOf } from './helpers.js';
import { writeSqlite, type Log20 } from './writers.js';

const sample: Log20 = {
  objectTypes: [{ name: 'Sales Order', attributes: [{ name: 'status', type: 'string' }, { name: 'total', type: 'float' }, { name: 'lines', type: 'integer' }] }],
  eventTypes: [{ name: 'Pay', attributes: [{ name: 'amount', type: 'integer' }, { name: 'urgent', type: 'boolean' }, { name: 'due', type: 'time' }] }],
  objects: [
    {
      id: 'o1',
      type: 'Sales Order',
      attributes: [
        { name: 'status', time: '1970-01-01T00:00:00Z', value: 'new' },
        { name: 'total', time: '1970-01-01T00:00:00Z', value: 12.5 },
        { name: 'lines', time: '1970-01-01T00:00:00Z', value: 3 },
        { name: 'status', time: '2024-01-02T00:00:00Z', value: 'paid' },
      ],
      relationships: [{ objectId: 'o2', qualifier: 'follows' }],
    },
    { id: 'o2', type: 'Sales Order' },
  ],
  events: [
    { id: 'e1', type: 'Pay', time: '2024-01-01T10:00:00+01:00', attributes: [{ name: 'amount', value: 5 }, { name: 'urgent', value: true }, { name: 'due', value: '2024-02-01T00:00:00Z' }], relationships: [{ objectId: 'o1', qualifier: 'paid' }] },
    { id: 'e2', type: 'Pay', time: '2024-01-03T10:00:00Z', attributes: [{ name: 'amount', value: 7 }, { name: 'urgent', value: false }], relationships: [{ objectId: 'o1', qualifier: 'paid' }, { objectId: 'o2', qualifier: 'next' }] },
  ],
};

describe('OCEL 2.0 SQLite', () => {
  it('gives the same canonical events and keys as the same log in JSON, from .sqlite, .db, gzip and standard input', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'log.jsonocel'), JSON.stringify(sample));
      writeSqlite(sample, join(dir, 'log.sqlite'));
      const fromJson = await eventsOf(join(dir, 'log.jsonocel'));
      expect(fromJson).toHaveLength(2);
      expect(fromJson[1]!.objects[0]!.properties).toEqual({ status: 'paid', total: 12.5, lines: 3, 'ocel:relationships': [{ id: 'o2', type: 'Sales Order', qualifier: 'follows' }] });
      expect(await eventsOf(join(dir, 'log.sqlite'))).toEqual(fromJson);
      const bytes = await readFile(join(dir, 'log.sqlite'));
      await writeFile(join(dir, 'copy.db'), bytes);
      await writeFile(join(dir, 'log.sqlite.gz'), gzipSync(bytes));
      expect(await eventsOf(join(dir, 'copy.db'))).toEqual(fromJson);
      expect(await eventsOf(join(dir, 'log.sqlite.gz'))).toEqual(fromJson);
      // Standard input is spooled to a temporary file for SQLite to open.
      const stdin = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" validate - --json < log.sqlite`], { cwd: dir, encoding: 'utf8' });
      expect(stdin.status, stdin.stderr).toBe(0);
      expect(JSON.parse(stdin.stdout)).toMatchObject({ read: 2, valid: 2 });
    });
  });

  it('refuses a SQLite file without the OCEL tables (EL_OCEL_SQLITE, exit 2)', async () => {
    await withTempDir(async (dir) => {
      const db = new Database(join(dir, 'other.db'));
      db.exec('CREATE TABLE t (a)');
      db.close();
      const run = await runCli(['validate', join(dir, 'other.db')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/EL_OCEL_SQLITE: .*other\.db: is a SQLite file but not an OCEL 2\.0 log \(it has no event, object, event_object table\)/);
    });
  });
});

describe.skipIf(!hasCorpus)('OCEL 2.0 SQLite from the corpus (skipped: ../shared/corpus is not present)', () => {
  it('pm4py_ocel20_example written as SQLite reads as its JSON does', async () => {
    await withTempDir(async (dir) => {
      const file = corpus('ocel/pm4py_ocel20_example.jsonocel');
      writeSqlite(JSON.parse(await readFile(file, 'utf8')) as Log20, join(dir, 'p2p.sqlite'));
      const fromJson = await eventsOf(file);
      expect(fromJson).toHaveLength(13);
      expect(await eventsOf(join(dir, 'p2p.sqlite'))).toEqual(fromJson);
    });
  });
});
