// The store verify compares in: a file of its own in a private temp folder (not SQLite's ''
// temporary database, which the driver keeps in memory), matched by key, removed when closed.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CompareStore } from '../../src/core/verify-store.js';

const folders = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('eventload-verify-')));

describe('CompareStore', () => {
  it('pairs expected events with stored records by key, counts the rest, and leaves no file behind', () => {
    const before = folders();
    const store = new CompareStore();
    const mine = [...folders()].filter((name) => !before.has(name));
    expect(mine).toHaveLength(1); // on disk, not in memory
    for (let i = 0; i < 5000; i++) store.addExpected({ key: `k-${i}`, journalKey: `k-${i}`, body: `{"n":${i}}`, event: '{}', file: 'in.ndjson', line: i + 1 });
    // Stored in another order, without k-7, with one unknown record.
    for (let i = 4999; i >= 0; i--) if (i !== 7) store.addStored(`k-${i}`, `{"n":${i}}`);
    store.addStored('other', '{}');
    const kinds = { found: 0, missing: [] as string[] };
    for (const match of store.matches()) {
      if (match.kind === 'found') kinds.found++;
      else kinds.missing.push(match.expected.key);
    }
    expect(kinds).toEqual({ found: 4999, missing: ['k-7'] });
    expect(store.extra()).toBe(1);
    store.close();
    expect(folders().has(mine[0]!)).toBe(false);
  });
});
