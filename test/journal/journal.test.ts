import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Journal } from '../../src/journal/journal.js';
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
      const batch = scope.markInFlight(['k1', 'k2', 'k3']);
      scope.markInFlight(['k4']); // never answered: the process "died"
      expect(scope.lookup('k1')).toBeUndefined();
      scope.record([
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
      expect(() => Journal.open(path)).toThrow(/is not a readable eventload journal.*--no-journal/);
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
