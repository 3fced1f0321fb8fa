// A record nested 20,000 levels deep (40 KB, well under --max-record-size) used to overflow the
// stack while its key was derived: exit 70 at event 1,000 of 3,000, on every rerun. Now it is one
// rejected record with EL_RECORD_TOO_DEEP and its line, whatever the input shape, and every other
// event arrives.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAccounted, fixturePath, importInto, useSandboxes, useTempDirs } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

const DEPTH = 20_000;
const DEEP_LINE = 1000;
const deepValue = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

/** 3,000 canonical events without keys (so keys are derived), the one at line 1,000 nested 20,000 deep. */
function eventLines(): string[] {
  const start = Date.parse('2023-06-01T00:00:00Z');
  return Array.from({ length: 3000 }, (_, i) => {
    const line = JSON.stringify({ event: 'Order placed', timestamp: new Date(start + i * 60_000).toISOString(), objects: [{ type: 'Order', id: `SO-${i}` }], properties: { n: i, deep: 'DEEP' } });
    return line.replace('"DEEP"', i === DEEP_LINE - 1 ? deepValue : '[1]');
  });
}

describe('records nested deeper than the limit', () => {
  it('NDJSON: 2,999 of 3,000 events arrive, the deep one is rejected with EL_RECORD_TOO_DEEP and its line, exit 1', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const file = join(dir, 'events.ndjson');
    await writeFile(file, `${eventLines().join('\n')}\n`);
    const run = await importInto(sandbox, dir, [file, '--batch-size', '100']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: 3000, accepted: 2999, rejectedLocal: 1 });
    expectAccounted(run.summary);
    expect(sandbox.stats.stored).toHaveLength(2999);
    expect(run.rejects).toHaveLength(1);
    expect(run.rejects[0]).toMatchObject({ line: DEEP_LINE, stage: 'read', issues: [{ code: 'EL_RECORD_TOO_DEEP' }] });
  });

  it('a JSON array file: the same, and the records after the deep one are read', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const file = join(dir, 'events.json');
    await writeFile(file, `[\n${eventLines().join(',\n')}\n]\n`);
    const run = await importInto(sandbox, dir, [file, '--batch-size', '100']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: 3000, accepted: 2999, rejectedLocal: 1 });
    expectAccounted(run.summary);
    expect(sandbox.stats.stored).toHaveLength(2999);
    expect(run.rejects[0]).toMatchObject({ line: DEEP_LINE + 1, issues: [{ code: 'EL_RECORD_TOO_DEEP' }] });
  });

  it('a BPMN dump: the deep raw event is rejected alone', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const lines = (await readFile(fixturePath('bpmn/hiring.ndjson'), 'utf8')).split('\n').filter((line) => line !== '');
    lines[4] = lines[4]!.replace(/\}$/, `,"data":{"x":${deepValue}}}`);
    const file = join(dir, 'dump.bpmn.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const run = await importInto(sandbox, dir, [file]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: lines.length, accepted: lines.length - 1, rejectedLocal: 1 });
    expectAccounted(run.summary);
    expect(run.rejects[0]).toMatchObject({ line: 5, issues: [{ code: 'EL_RECORD_TOO_DEEP' }] });
  });

  it('a cell read "as": "json" is held to the same limit', async () => {
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const dir = await tempDir();
    const mapping = { event: { const: 'Order placed' }, timestamp: 'at', objects: [{ type: { const: 'Order' }, id: 'id' }], properties: { payload: { column: 'payload', as: 'json' } } };
    await writeFile(join(dir, 'm.json'), JSON.stringify(mapping));
    await writeFile(join(dir, 'orders.csv'), `id,at,payload\nA,2024-01-01T00:00:00Z,[1]\nB,2024-01-01T00:01:00Z,${deepValue}\n`);
    const run = await importInto(sandbox, dir, [join(dir, 'orders.csv'), '-m', join(dir, 'm.json')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ read: 2, accepted: 1, rejectedLocal: 1 });
    expect(run.rejects[0]).toMatchObject({ line: 3, issues: [{ path: 'properties.payload', code: 'EL_RECORD_TOO_DEEP' }] });
  });
});
