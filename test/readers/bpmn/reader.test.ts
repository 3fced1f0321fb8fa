import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createReadStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { canonicalEventSchema, type CanonicalEvent } from '../../../src/events/canonical.js';
import { parseMapping } from '../../../src/mapping/load.js';
import { readEvents, type PipelineItem } from '../../../src/pipeline/read-events.js';
import { bpmnOptionsSchema } from '../../../src/readers/bpmn/options.js';
import { bpmnReader } from '../../../src/readers/bpmn/reader.js';
import { bpmnEventSchema } from '../../../src/readers/bpmn/schema.js';
import type { ReaderInput, ReaderItem } from '../../../src/readers/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/bpmn/${name}`, import.meta.url));

function fileInput(path: string, stream: Readable = createReadStream(path), text?: string): ReaderInput {
  const head = (text ?? readFileSync(path).subarray(0, 64 * 1024).toString('utf8')).slice(0, 64 * 1024);
  return { name: path, stream, head };
}

async function readItems(input: ReaderInput, options: Record<string, unknown> = {}): Promise<ReaderItem[]> {
  const items: ReaderItem[] = [];
  for await (const item of bpmnReader.read(input, bpmnOptionsSchema.parse(options))) items.push(item);
  return items;
}

/** Maps every record with the default mapping; every result must be a valid canonical event. */
function mapAll(items: ReaderItem[]): CanonicalEvent[] {
  const mapper = bpmnReader.defaultMapper();
  return items.flatMap((item) => {
    if (item.kind !== 'record') return [];
    const result = mapper.map(item.record, item.position);
    if (!result.ok) throw new Error(`${item.position.line}: ${JSON.stringify(result.issues)}`);
    return [canonicalEventSchema.parse(result.event)];
  });
}

const ndjson = fixture('hiring.ndjson');
const rawEvents = readFileSync(ndjson, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

function textInput(text: string) {
  return { name: 'events.ndjson', stream: Readable.from([Buffer.from(text)]), head: text.slice(0, 65536) };
}

describe('bpmn reader: file shapes', () => {
  it('reads one event per line, a JSON array and an OpenSearch _bulk file to the same canonical events', async () => {
    const lines = mapAll(await readItems(fileInput(ndjson)));
    const array = mapAll(await readItems(fileInput(fixture('hiring.json'))));
    const bulk = mapAll(await readItems(fileInput(fixture('hiring.bulk.ndjson'))));
    expect(lines).toHaveLength(25);
    expect(array).toEqual(lines);
    expect(bulk).toEqual(lines);
  });

  it('delivers events in file order, with the line each record starts on', async () => {
    const bulk = await readItems(fileInput(fixture('hiring.bulk.ndjson')));
    expect(bulk.every((item) => item.kind === 'record')).toBe(true);
    // Action lines are odd, documents even.
    expect(bulk.map((item) => (item.kind === 'record' ? item.position.line : 0))).toEqual(rawEvents.map((_, index) => 2 * index + 2));
    const events = mapAll(bulk);
    expect(events.map((event) => event.idempotency_key)).toEqual(rawEvents.map((event) => event.id));
    expect(events.map((event) => event.properties?.sequence_id)).toEqual(rawEvents.map((event) => event['bpm.sequenceId']));
  });

  it('reads a gzipped dump through the decompressed stream', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'eventload-bpmn-'));
    try {
      const gz = join(folder, 'hiring.json.gz');
      await writeFile(gz, gzipSync(await readFile(fixture('hiring.json'))));
      const head = gunzipSync(await readFile(gz)).subarray(0, 65536).toString('utf8');
      const events = mapAll(await readItems(fileInput(gz, createReadStream(gz).pipe(createGunzip()), head)));
      expect(events).toEqual(mapAll(await readItems(fileInput(ndjson))));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('recognises BPMN raw events from the first bytes of every shape, and nothing else', () => {
    for (const name of ['hiring.ndjson', 'hiring.json', 'hiring.bulk.ndjson', 'broken-array.json']) {
      expect(bpmnReader.sniff(readFileSync(fixture(name), 'utf8').slice(0, 65536))).toBe(true);
    }
    expect(bpmnReader.sniff('{"business-events-extension-version":"icm/1.0.0"}')).toBe(false);
    expect(bpmnReader.sniff('{"event":"Order placed","timestamp":"2024-01-01T00:00:00Z"}')).toBe(false);
  });
});

describe('bpmn reader: rejected records', () => {
  it('rejects a broken record in the middle of a JSON array alone, with its line', async () => {
    const file = fixture('broken-array.json');
    const lines = readFileSync(file, 'utf8').split('\n');
    const cut = lines.findIndex((line) => line.endsWith('"bpmnx:ACTIV'));
    const brokenLine = lines.lastIndexOf('  {', cut) + 1;
    const items = await readItems(fileInput(file));
    expect(items.map((item) => item.kind)).toEqual(['record', 'record', 'invalid', 'record', 'record']);
    expect(items[2]).toMatchObject({ position: { file, line: brokenLine }, issue: { path: 'json', message: 'invalid JSON: a string is not closed at the end of its line' } });
    const events = mapAll(items);
    expect(events.map((event) => event.idempotency_key)).toEqual([0, 1, 3, 4].map((index) => rawEvents[index]!.id));
  });

  it('names the attribute that does not fit the documented format, and rejects only that record', async () => {
    const good = rawEvents[0]!;
    const broken = (change: (event: any) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return JSON.stringify(copy);
    };
    const text = [
      JSON.stringify(good),
      broken((event) => delete event.context['bpm.starting-process-instance']),
      broken((event) => (event.timestamp = '2024-03-04 09:15:02')),
      broken((event) => (event['business-events-extension-version'] = 'icm/1.0.0')),
      broken((event) => (event.source.parent['bpm.name'] = 42)),
      broken((event) => delete event['bpm.sequenceId']),
      broken((event) => (event.timestamp = '2024-02-30T09:15:02.117-05:00')),
      broken((event) => delete event.source),
      JSON.stringify(good),
    ].join('\n');
    const items = await readItems(textInput(text));
    const summary = items.map((item) => (item.kind === 'invalid' ? `${item.position.line} ${item.issue.path}: ${item.issue.message}` : item.kind));
    expect(summary).toEqual([
      'record',
      '2 context.bpm.starting-process-instance: is required',
      '3 timestamp: must be an ISO 8601 date-time with its offset, as yyyy-mm-ddThh:mm:ss.nnn±hh:mm',
      '4 business-events-extension-version: must start with "bpmn/"',
      '5 source.parent.bpm.name: must be a string',
      '6 bpm.sequenceId: is required',
      '7 timestamp: is not a valid calendar date-time',
      '8 source: is required',
      'record',
    ]);
    const rejected = items[1] as Extract<ReaderItem, { kind: 'invalid' }>;
    expect(JSON.parse(rejected.raw)).toEqual(JSON.parse(text.split('\n')[1]!));
  });

  it('lists every failing attribute of one record in its message', async () => {
    const copy = structuredClone(rawEvents[0]!) as any;
    delete copy.id;
    copy.category = '';
    const [item] = await readItems(textInput(JSON.stringify(copy)));
    expect(item).toMatchObject({ kind: 'invalid', issue: { path: 'id', message: 'is required (also category: must not be empty)' } });
  });
});

describe('bpmn reader: phases', () => {
  it('with phases "completed", keeps only completed process and activity events and counts the rest as skipped', async () => {
    const items = await readItems(fileInput(fixture('hiring.json')), { phases: 'completed' });
    const events = mapAll(items);
    expect(events.map((event) => event.event)).toEqual([
      'Submit position request completed',
      'Approve or reject position request completed',
      'Notify hiring manager completed',
      'Standard HR Open New Position completed',
      'Submit position request completed',
      'Approve or reject position request completed',
      'Notify hiring manager completed',
      'Standard HR Open New Position completed',
    ]);
    const skipped = items.filter((item) => item.kind === 'skipped');
    expect(skipped).toHaveLength(25 - 8);
    expect(skipped[0]).toMatchObject({ position: { line: 2 }, reason: 'bpmnx:PROCESS_STARTED (phase "started") is not a completed event (phases: completed)' });
  });

  it('reads every phase by default', () => {
    expect(bpmnOptionsSchema.parse({})).toEqual({ phases: 'all', maxRecordBytes: 1024 * 1024, maxDepth: 64 });
    expect(bpmnOptionsSchema.safeParse({ phases: 'some' }).success).toBe(false);
  });
});

describe('bpmn: each record is checked against the schema once', () => {
  // The reader checks each record (and rejects it at the read stage); the default mapping takes the
  // reader's result instead of checking again, with or without a mapping file laid over it.
  async function parsesPerRun(file: string, mapping?: ReturnType<typeof parseMapping>): Promise<{ parses: number; items: PipelineItem[] }> {
    const parse = vi.spyOn(bpmnEventSchema, 'safeParse');
    try {
      const items: PipelineItem[] = [];
      for await (const item of readEvents({ files: [file], mapping, mappingFile: mapping && 'overlay.json' })) items.push(item);
      return { parses: parse.mock.calls.length, items };
    } finally {
      parse.mockRestore();
    }
  }

  it('with the default mapping, and with a mapping laid over it', async () => {
    const plain = await parsesPerRun(ndjson);
    expect(plain.items.map((item) => item.kind)).toEqual(rawEvents.map(() => 'event'));
    expect(plain.parses).toBe(rawEvents.length);
    const overlay = await parsesPerRun(ndjson, parseMapping({ properties: { region: { const: 'EU' } } }, 'overlay.json'));
    expect(overlay.items.every((item) => item.kind === 'event' && item.event.properties?.region === 'EU')).toBe(true);
    expect(overlay.parses).toBe(rawEvents.length);
  });

  it('a record that does not fit is rejected once, at the read stage, with EL_BPMN_INVALID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'el-bpmn-once-'));
    try {
      const file = join(dir, 'events.bpmn.ndjson');
      const broken = { ...rawEvents[1]!, timestamp: 'yesterday' };
      await writeFile(file, [rawEvents[0], broken, rawEvents[2]].map((event) => JSON.stringify(event)).join('\n') + '\n');
      const { parses, items } = await parsesPerRun(file);
      expect(items.map((item) => (item.kind === 'rejected' ? `${item.stage}:${item.issues[0]!.code}` : item.kind))).toEqual(['event', 'read:EL_BPMN_INVALID', 'event']);
      expect(parses).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
