// Every OCEL log of the corpus imports into the FlowMyna sandbox with no mapping file: what the
// sandbox stored is exactly what eventload read, each event once, under its own key.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/events/canonical.js';
import { corpus, hasCorpus } from '../helpers.js';
import { eventsOf } from '../readers/ocel/helpers.js';
import { writeSqlite, type Log20 } from '../readers/ocel/writers.js';
import { expectAccounted, importInto, useSandboxes, useTempDirs } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

const flowmynaBody = (event: CanonicalEvent) => ({ event: event.event, timestamp: event.timestamp, objects: event.objects, ...(event.properties && { properties: event.properties }) });
const isOcel = (name: string) => /\.(jsonocel|xmlocel)$/.test(name);

describe.skipIf(!hasCorpus)('OCEL corpus into the FlowMyna sandbox (skipped: ../shared/corpus is not present)', () => {
  it('imports every OCEL log, bodies as read', async () => {
    const files = (await readdir(corpus('ocel'))).filter(isOcel);
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const name of files) {
      const file = corpus(`ocel/${name}`);
      const sandbox = await startSandbox({ target: 'flowmyna' });
      const run = await importInto(sandbox, await tempDir(), [file, '--timezone', 'Europe/Berlin']);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      const events = await eventsOf(file, { timezone: 'Europe/Berlin' });
      expect(run.summary, name).toMatchObject({ read: events.length, accepted: events.length, rejectedLocal: 0, rejectedServer: 0 });
      expectAccounted(run.summary);
      expect(sandbox.stats.stored.map((entry) => entry.body), name).toEqual(events.map(flowmynaBody));
    }
  }, 300_000);

  it('imports the OCEL 2.0 example written as SQLite, the same bodies as its JSON', async () => {
    const dir = await tempDir();
    const json = corpus('ocel/pm4py_ocel20_example.jsonocel');
    writeSqlite(JSON.parse(await readFile(json, 'utf8')) as Log20, join(dir, 'p2p.sqlite'));
    const sandbox = await startSandbox({ target: 'flowmyna' });
    const run = await importInto(sandbox, dir, [join(dir, 'p2p.sqlite')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ read: 13, accepted: 13 });
    expect(sandbox.stats.stored.map((entry) => entry.body)).toEqual((await eventsOf(json)).map(flowmynaBody));
  }, 120_000);
});
