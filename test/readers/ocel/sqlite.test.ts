// OCEL 2.0 SQLite: the same log as its JSON gives the same canonical events and keys; a SQLite
// file without the OCEL tables is refused with its own code.
import { Database } from '../../../src/sqlite/database.js';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bin, corpus, hasCorpus, runCli, withTempDir } from '../../helpers.js';
import { eventsOf } from './helpers.js';
import { SAMPLE_LOG as sample, writeSqlite, type Log20 } from './writers.js';


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
      const db = Database.open(join(dir, 'other.db'));
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
