// Every XES file of the shared corpus validates and imports into the FlowMyna sandbox with no
// mapping file; counts, timestamps and qualifiers are checked against what the test reads from
// the files itself (regular expressions over the text, not the reader).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { corpus, hasCorpus, runCli, withTempDir } from '../../helpers.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

interface SentEvent {
  event: string;
  timestamp: string;
  objects: Array<{ type: string; id: string; qualifier?: string }>;
}

/** What the file holds, read with regular expressions: one entry per event, in file order, with its trace's name. */
function expected(file: string): Array<{ trace: string; name?: string; time?: string; resource?: string }> {
  const text = readFileSync(corpus(`xes/${file}`), 'utf8').replace(/<global[\s\S]*?<\/global>/g, '');
  const out: Array<{ trace: string; name?: string; time?: string; resource?: string }> = [];
  for (const trace of text.split(/<trace[\s>]/).slice(1)) {
    const [head] = trace.split(/<event[\s>]/);
    const traceName = /<string key="concept:name" value="([^"]*)"/.exec(head!)?.[1] ?? '';
    for (const event of trace.split(/<event[\s>]/).slice(1).map((part) => part.split('</event>')[0]!)) {
      const value = (key: string) => new RegExp(`<(?:string|date) key="${key}" value="([^"]*)"`).exec(event)?.[1];
      out.push({ trace: traceName, name: value('concept:name'), time: value('time:timestamp'), resource: value('org:resource') });
    }
  }
  return out;
}

const count = (file: string, pattern: RegExp) => (readFileSync(corpus(`xes/${file}`), 'utf8').match(pattern) ?? []).length;

// roadtraffic's times have no zone: the test names one, and expects it written as an offset.
const CASES = [
  { file: 'pm4py_running-example.xes', traces: 6, events: 42, args: [] as string[], zone: '' },
  { file: 'pm4py_roadtraffic50traces.xes', traces: 51, events: 201, args: ['--timezone', 'UTC'], zone: '+00:00' },
  { file: 'rustxes_test.xes', traces: 1, events: 2, args: [], zone: '' },
];

describe.skipIf(!hasCorpus)('XES corpus (skipped: ../shared/corpus is not present)', () => {
  for (const { file, traces, events, args, zone } of CASES) {
    it(`${file}: every event validates and imports, with its case, resource and time exactly`, async () => {
      // The corpus README's counts, and the file's own, agree: the test's independent reading is sound.
      expect(count(file, /<trace[\s>]/g)).toBe(traces);
      expect(count(file, /<event[\s>]/g)).toBe(events);
      const want = expected(file);
      expect(want).toHaveLength(events);

      const validate = await runCli(['validate', corpus(`xes/${file}`), ...args]);
      expect(validate.stdout).toBe(`${events} records read: ${events} valid, 0 invalid\n`);

      sandbox = await startSandbox({ target: 'flowmyna' });
      const result = await runCli(['import', corpus(`xes/${file}`), ...args, '--target', 'flowmyna', '--endpoint', sandbox.url, '--json', '--concurrency', '1', '--no-journal'], {
        env: { FLOWMYNA_API_KEY: sandbox.token },
      });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({ read: events, accepted: events, rejectedLocal: 0, rejectedServer: 0 });
      const sent = sandbox.stats.stored.map((stored) => stored.body as unknown as SentEvent);
      expect(sent).toHaveLength(events);
      sent.forEach((event, index) => {
        const w = want[index]!;
        expect(event.event).toBe(w.name);
        expect(event.timestamp).toBe(zone ? `${w.time}${zone}` : w.time);
        const objects = event.objects.map(({ type, id, qualifier }) => ({ type, id, qualifier }));
        expect(objects).toEqual([{ type: 'Case', id: w.trace, qualifier: 'case' }, ...(w.resource ? [{ type: 'Resource', id: w.resource, qualifier: 'resource' }] : [])]);
      });
      expect(new Set(sent.map((event) => event.objects[0]!.id)).size).toBe(traces);
    });
  }

  it('pm4py_xes_20.xes: its one event has no name and no time, so it is rejected, and a mapping file laid over the default supplies them', async () => {
    const file = corpus('xes/pm4py_xes_20.xes');
    expect(count('pm4py_xes_20.xes', /<event[\s>]/g)).toBe(1);
    const validate = await runCli(['validate', file]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('1 records read: 0 valid, 1 invalid');
    expect(validate.stdout).toContain('EL_FIELD_REQUIRED: event.concept:name: the event has no concept:name');
    await withTempDir(async (dir) => {
      const mapping = join(dir, 'xes20.mapping.json');
      await writeFile(mapping, JSON.stringify({
        event: { const: 'observed' },
        timestamp: { const: '2021-10-15T00:00:00Z' },
      }));
      sandbox = await startSandbox({ target: 'flowmyna' });
      const result = await runCli(['import', file, '-m', mapping, '--target', 'flowmyna', '--endpoint', sandbox.url, '--json', '--no-journal'], { env: { FLOWMYNA_API_KEY: sandbox.token } });
      expect(JSON.parse(result.stdout)).toMatchObject({ read: 1, accepted: 1 });
      const body = sandbox.stats.stored[0]!.body as unknown as { properties: Record<string, unknown>; objects: unknown[] };
      // The default's case object (the trace has no name: its place names it) and properties stay.
      expect(body.objects).toEqual([{ type: 'Case', id: 'trace 1', qualifier: 'case' }]);
      // Nested values stay nested: a meta-attribute, a list and a container.
      expect(body.properties).toEqual({
        sdasaddas: { value: 'ciao', attributes: { cost: 0 } },
        lista: [{ val1: 5 }, { val2: '66' }],
        contenitore: { val3: 7, val4: '666' },
      });
    });
  });
});
