// A large XES log is parsed on a worker thread (src/readers/thread.ts, xes/worker.ts) and its items
// sent back flat (xes/wire.ts). Whichever thread parses it, a log gives the same run: the same
// bodies (--out), the same rejects file and the same summary. Each log below is read both ways
// through the CLI (EVENTLOAD_READER_THREAD=on and off), logs chosen for what the trip could lose:
// attribute order, repeated keys, `__proto__`, numbered keys, nested lists and containers, notes,
// globals, a trace whose attributes follow its events, positions of tags over several lines, a
// fault part way, a cut end, gzip and standard input.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ReaderItem } from '../../../src/readers/types.js';
import { ItemDecoder, ItemEncoder } from '../../../src/readers/xes/wire.js';
import { runCli, withTempDir } from '../../helpers.js';

const at = (minute: number) => `2024-01-01T00:${String(minute % 60).padStart(2, '0')}:00.000+01:00`;

const EVENTS = [
  (i: number) => `<event><string key="concept:name" value="a"/><date key="time:timestamp" value="${at(i)}"/><string key="org:resource" value="u${i % 7}"/><int key="cost" value="${i}"/></event>`,
  (i: number) => `<event><date key="time:timestamp" value="${at(i)}"/><string key="concept:name" value="b"/><string key="x" value="1"/><string key="x" value="2"/></event>`,
  (i: number) => `<event><string key="concept:name" value="c"/><date key="time:timestamp" value="${at(i)}"/><string key="__proto__" value="p${i}"/><container key="__proto__"><string key="n" value="v"/></container></event>`,
  (i: number) => `<event><string key="concept:name" value="d"/><date key="time:timestamp" value="${at(i)}"/><string key="1" value="one"/><string key="toString" value="t"/><string key="0" value="zero"/></event>`,
  (i: number) => `<event><string key="concept:name" value="e"/><date key="time:timestamp" value="${at(i)}"/><list key="tags"><values><string key="t" value="a"/><string key="t" value="b"/></values></list><container key="c"><int key="n" value="${i}"/><list key="l"/></container></event>`,
  (i: number) => `<event><string key="concept:name" value="f"/><date key="time:timestamp" value="${at(i)}"/><int key="cost" value="many"/><weird key="w" value="?"/><float key="big" value="1e400"/></event>`,
  (i: number) => `<event\n   ><string key="concept:name"\n value="g"/><date key="time:timestamp" value="${at(i)}"\n/><boolean key="ok" value="maybe"/></event>`,
  (i: number) => `<event><string key="concept:name" value="h &amp; &quot;q&quot; &#x2028;"/><date key="time:timestamp" value="2024-01-01T00:00:00"/><string key="region" value="south${i}"/></event>`,
  (i: number) => `<event><string key="concept:name" value="i"/></event><event><string key="concept:name" value="j"/><date key="time:timestamp" value="${at(i)}"/></event>`,
];

/** A log of about `bytes`, each trace holding every kind of event above, some traces named after their events. */
function log(bytes: number): string {
  let text = '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1849-2016">\n<global scope="trace"><string key="region" value="none"/></global>\n<global scope="event"><string key="lifecycle:transition" value="complete"/><string key="region" value="north"/></global>\n';
  for (let trace = 0; text.length < bytes; trace++) {
    const events = EVENTS.map((make, i) => make(trace * 10 + i)).join('\n');
    const name = `<string key="concept:name" value="t${trace}"/><string key="__proto__" value="tp"/><int key="n" value="x${trace}"/>`;
    text += trace % 3 === 0 ? `<trace>\n${events}\n${name}\n</trace>\n` : `<trace>${name}\n${events}\n</trace>\n`;
  }
  return `${text}</log>\n`;
}

/** A run, as far as it does not depend on the clock: exit code, bodies, rejects (after their header line), summary. */
let runs = 0;
async function runOf(dir: string, args: string[], mode: 'on' | 'off', input?: string) {
  const out = join(dir, `out-${++runs}.ndjson`);
  const rejects = join(dir, `rejects-${runs}.ndjson`);
  const result = await runCli(['import', ...args, '--target', 'flowmyna', '--dry-run', '--timezone', 'Europe/Berlin', '--out', out, '--rejects', rejects, '--json', '-q'], { cwd: dir, input, env: { EVENTLOAD_READER_THREAD: mode } });
  const summary = JSON.parse(result.stdout || '{}') as Record<string, unknown>;
  for (const key of ['elapsedSeconds', 'eventsPerSecond', 'peakRssMb', 'startedAt', 'finishedAt', 'rejects', 'outFile', 'rejectsFile']) delete summary[key];
  const rejected = (await readFile(rejects, 'utf8').catch(() => '')).split('\n').slice(1).join('\n');
  return { code: result.code, stderr: result.stderr, out: await readFile(out, 'utf8').catch(() => ''), rejected, summary };
}

async function sameBothWays(dir: string, args: string[], input?: string) {
  const off = await runOf(dir, args, 'off', input);
  const on = await runOf(dir, args, 'on', input);
  expect(on).toEqual(off);
  return off;
}

describe('XES on a worker thread', () => {
  it('gives the same bodies, rejects and summary as parsing on the main thread', async () => {
    await withTempDir(async (dir) => {
      const text = log(5 * 1024 * 1024); // over the size that goes to the worker by default
      await writeFile(join(dir, 'log.xes'), text);
      const run = await sameBothWays(dir, ['log.xes']);
      const events = (text.match(/<event[\s>]/g) ?? []).length;
      expect(run.summary).toMatchObject({ outcome: 'completed', read: events });
      // The log's tricks are in the output: kept `__proto__` members, repeated keys, notes, rejects.
      expect(run.out).toContain('"__proto__":["p');
      expect(run.out).toContain('"x":["1","2"]');
      expect(run.out).toContain('xes:notes');
      expect(run.rejected).toContain('EL_TIMESTAMP_MISSING');
      expect(run.summary.rejectedLocal).toBeGreaterThan(0);
      // Without EVENTLOAD_READER_THREAD, this log goes to the worker; the run is the same again.
      const auto = await runCli(['validate', 'log.xes', '--timezone', 'UTC', '--json'], { cwd: dir });
      const inline = await runCli(['validate', 'log.xes', '--timezone', 'UTC', '--json'], { cwd: dir, env: { EVENTLOAD_READER_THREAD: 'off' } });
      expect(auto.stdout.replace(/"(elapsedSeconds|peakRssMb|eventsPerSecond)": [\d.]+/g, '')).toBe(inline.stdout.replace(/"(elapsedSeconds|peakRssMb|eventsPerSecond)": [\d.]+/g, ''));
    });
  });

  it('reports a fault part way, a cut end, gzip and standard input the same way', async () => {
    await withTempDir(async (dir) => {
      const text = log(2 * 1024 * 1024);
      const middle = text.indexOf('<trace', text.length / 2);
      await writeFile(join(dir, 'stray.xes'), `${text.slice(0, middle)}<trace><event><string key="concept:name" value="x"/></trace>${text.slice(middle)}`);
      await writeFile(join(dir, 'cut.xes'), text.slice(0, text.length - 5000));
      const gzipped = gzipSync(text);
      await writeFile(join(dir, 'log.xes.gz'), gzipped);
      await writeFile(join(dir, 'cut.xes.gz'), gzipped.subarray(0, gzipped.length / 2));
      const stray = await sameBothWays(dir, ['stray.xes']);
      expect(stray.rejected).toContain('EL_XML_MALFORMED');
      const cut = await sameBothWays(dir, ['cut.xes']);
      expect(cut.rejected).toContain('EL_XML_MALFORMED');
      const gz = await sameBothWays(dir, ['log.xes.gz']);
      expect(gz.summary).toMatchObject({ outcome: 'completed' });
      const cutGz = await sameBothWays(dir, ['cut.xes.gz']);
      expect(cutGz.rejected).toContain('EL_GZIP_TRUNCATED');
      const stdin = await sameBothWays(dir, ['-', '--format', 'xes'], text);
      expect(stdin.out).toBe(gz.out);
    });
  });

  it('sends items flat and builds them again member for member, through a structured clone', () => {
    const trace = { 'concept:name': 't', n: '1' };
    Object.defineProperty(trace, '__proto__', { value: 'tp', enumerable: true, writable: true, configurable: true });
    const event: Record<string, unknown> = { 'concept:name': 'a', 1: 'one', x: ['1', '2'], c: { l: [] } };
    Object.defineProperty(event, '__proto__', { value: { n: 'v' }, enumerable: true, writable: true, configurable: true });
    const items: ReaderItem[] = [
      { kind: 'record', position: { file: 'f.xes', line: 3 }, record: { event, trace, trace_index: 1, event_index: 1 } },
      { kind: 'record', position: { file: 'f.xes', line: 9 }, record: { event: {}, trace, trace_index: 1, event_index: 2, notes: ['n'] } },
      { kind: 'invalid', position: { file: 'f.xes', line: 12 }, raw: '', issue: { path: 'file', message: 'm', code: 'EL_XML_MALFORMED' } },
    ];
    const encoder = new ItemEncoder();
    const decoder = new ItemDecoder('f.xes');
    const back = decoder.decode(structuredClone(encoder.encode(items)));
    const described = (list: ReaderItem[]) => list.map((item) => ({ json: JSON.stringify(item), keys: item.kind === 'record' ? [Reflect.ownKeys(item.record), Reflect.ownKeys(item.record.event as object), Reflect.ownKeys(item.record.trace as object)] : [] }));
    expect(described(back)).toEqual(described(items));
    // A second batch reuses the orders the first one sent, and may bring new ones.
    const again = [items[1]!, items[0]!, { kind: 'record', position: { file: 'f.xes', line: 20 }, record: { event: { z: 1, a: 2 }, trace: {}, trace_index: 2, event_index: 1 } } as ReaderItem];
    expect(described(decoder.decode(structuredClone(encoder.encode(again))))).toEqual(described(again));
    // Past 256 orders, each goes with its keys and neither side remembers it.
    const many = Array.from({ length: 600 }, (_, index) => ({ kind: 'record', position: { file: 'f.xes', line: index }, record: { event: { [`k${index}`]: index, [`k${index % 7}`]: 'v' }, trace, trace_index: 3, event_index: index } }) as ReaderItem);
    expect(described(decoder.decode(structuredClone(encoder.encode(many))))).toEqual(described(many));
    expect(described(decoder.decode(structuredClone(encoder.encode(many.slice(300)))))).toEqual(described(many.slice(300)));
    const record = back[0]!.kind === 'record' ? back[0]!.record : undefined;
    expect(Object.getPrototypeOf(record!.event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(record!.trace)).toBe(Object.prototype);
    // The events of one trace share its object, as the default mapping expects.
    expect(back[1]!.kind === 'record' && back[1]!.record.trace).toBe(record!.trace);
  });
});
