// Flattened OCEL CSV (pm4py): a list column's cell `['i4', 'i1']` becomes one object per element
// when the object's id is mapped "as": "list"; `init` writes such a mapping when it sees them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../src/mapping/compile.js';
import { corpus, hasCorpus, runCli, withTempDir } from '../helpers.js';

const mapper = compileMapping({
  event: 'activity',
  timestamp: { column: 'time', format: 'auto', timezone: 'UTC' },
  objects: [
    { type: { const: 'order' }, id: { column: 'orders', as: 'list' }, qualifier: { const: 'order' } },
    { type: { const: 'item' }, id: { column: 'items', as: 'list' } },
  ],
});
const map = (orders: string, items: string) => mapper.map({ activity: 'pick', time: '2024-01-01 10:00:00', orders, items }, { file: 'f', line: 2 });

describe('"as": "list" on an object id', () => {
  it('makes one object per element of a Python list literal, a JSON array or a bare value', () => {
    const result = map("['o1']", "['i4', 'i1', \"i'3\"]");
    expect(result.ok && result.event.objects).toEqual([
      { type: 'order', id: 'o1', qualifier: 'order' },
      { type: 'item', id: 'i4' },
      { type: 'item', id: 'i1' },
      { type: 'item', id: "i'3" },
    ]);
    expect(map('o2', '["i9"]').ok && (map('o2', '["i9"]') as { event: { objects: unknown[] } }).event.objects).toEqual([
      { type: 'order', id: 'o2', qualifier: 'order' },
      { type: 'item', id: 'i9' },
    ]);
  });

  it('adds no object for an empty list or cell, and rejects an event left with none', () => {
    const result = map('[]', "['i1']");
    expect(result.ok && result.event.objects).toEqual([{ type: 'item', id: 'i1' }]);
    const none = map('[]', '');
    expect(!none.ok && none.issues.map((issue) => issue.code)).toEqual(['EL_OBJECTS_EMPTY']);
  });

  it('rejects a cell that is not a list, naming it', () => {
    const result = map("['o1'", "['i1']");
    expect(!result.ok && result.issues[0]).toMatchObject({ path: 'objects[0].id', code: 'EL_VALUE_NOT_LIST' });
  });
});

describe.skipIf(!hasCorpus)('flattened OCEL CSV corpus (skipped: ../shared/corpus is not present)', () => {
  // Counted from the text: every quoted id inside the list cells of a row is one object of its event.
  const expectedObjects = (file: string) =>
    readFileSync(corpus(`ocel/${file}`), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => (line.match(/\[[^\]]*\]/g) ?? []).flatMap((list) => list.match(/'[^']*'/g) ?? []).map((quoted) => quoted.slice(1, -1)));

  for (const file of ['pm4py_example_log.csv', 'pm4py_newocel.csv']) {
    it(`${file}: init maps each list column to one object per element, and every event validates with them`, async () => {
      await withTempDir(async (dir) => {
        const out = join(dir, 'm.json');
        const init = await runCli(['init', corpus(`ocel/${file}`), '--out', out, '--timezone', 'UTC']);
        expect(init.code).toBe(0);
        expect(init.stderr).toContain('per element of the list column');
        const mapping = JSON.parse(readFileSync(out, 'utf8')) as { objects: Array<{ id: unknown }> };
        expect(mapping.objects.every((object) => (object.id as { as?: string }).as === 'list')).toBe(true);
        const want = expectedObjects(file);
        const dry = join(dir, 'bodies.ndjson');
        const result = await runCli(['import', corpus(`ocel/${file}`), '-m', out, '--target', 'flowmyna', '--dry-run', '--out', dry, '--json']);
        expect(JSON.parse(result.stdout)).toMatchObject({ read: want.length, rejectedLocal: 0 });
        const sent = readFileSync(dry, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { objects: Array<{ id: string }> } | { events: Array<{ objects: Array<{ id: string }> }> });
        const events = sent.flatMap((body) => ('events' in body ? body.events : [body]));
        expect(events.map((event) => event.objects.map((object) => object.id).sort())).toEqual(want.map((ids) => [...ids].sort()));
      });
    });
  }

  it('pm4py_example_log_2.csv: the rows with a field more than the header are rejected, the others import', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'm.json');
      await runCli(['init', corpus('ocel/pm4py_example_log_2.csv'), '--out', out, '--timezone', 'UTC']);
      const lines = readFileSync(corpus('ocel/pm4py_example_log_2.csv'), 'utf8').trim().split('\n');
      const fields = (line: string) => line.replace(/"[^"]*"/g, '').split(',').length;
      const bad = lines.slice(1).filter((line) => fields(line) !== fields(lines[0]!)).length;
      const validate = await runCli(['validate', corpus('ocel/pm4py_example_log_2.csv'), '-m', out]);
      expect(validate.stdout).toContain(`${lines.length - 1} records read: ${lines.length - 1 - bad} valid, ${bad} invalid`);
    });
  });
});
