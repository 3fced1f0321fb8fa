// A .gz that breaks part way (corrupt or cut off) is read up to its last complete line: what was
// read is sent and accounted for, the break is one rejected record naming where, exit 1, and a
// rerun on the repaired file sends only the rest. A .gz from which nothing can be read is exit 2.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CompleteLines } from '../../src/readers/complete-lines.js';
import { eventload, expectAccounted, generateEvents, importInto, useSandboxes, useTempDirs } from '../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const ndjson = (events: unknown[]) => Buffer.from(events.map((event) => JSON.stringify(event)).join('\n') + '\n');

describe('broken gzip inputs', () => {
  for (const [what, code, breakIt] of [
    // The stored CRC-32 no longer matches: zlib's "incorrect data check" at the very end.
    ['corrupt (incorrect data check)', 'EL_GZIP_CORRUPT', (gz: Buffer) => Buffer.from(gz).fill(0, gz.length - 8, gz.length - 4)],
    // Cut off part way: "unexpected end of file".
    ['cut off', 'EL_GZIP_TRUNCATED', (gz: Buffer) => gz.subarray(0, Math.floor(gz.length * 0.6))],
  ] as const) {
    it(`a ${what} .gz: sends what was read, rejects the rest as one ${code} record, exit 1; a rerun sends only the rest`, async () => {
      const sandbox = await sandboxes({ target: 'immutable' });
      const dir = await tempDir();
      const events = generateEvents(3000, 'gz');
      const whole = gzipSync(ndjson(events));
      const file = join(dir, 'events.ndjson.gz');
      await writeFile(file, breakIt(whole));

      const run = await importInto(sandbox, dir, [file]);
      expect(run.code, run.stderr).toBe(1);
      expectAccounted(run.summary);
      const read = run.summary.read;
      expect(read).toBeGreaterThan(100);
      expect(run.summary).toMatchObject({ accepted: read - 1, rejectedLocal: 1 });
      expect(run.rejects).toHaveLength(1);
      const broken = run.rejects[0]!;
      expect(broken).toMatchObject({ line: read, issues: [expect.objectContaining({ code })] });
      expect(broken.issues[0].message).toContain(`after line ${read - 1}`);
      // Exactly the lines before the break arrived, each once.
      expect(sandbox.stats.stored.map((event) => event.key).sort()).toEqual(events.slice(0, read - 1).map((event) => event.idempotency_key).sort());

      // The export is written again, whole: the rerun sends only what the broken run could not read.
      await writeFile(file, whole);
      const rerun = await importInto(sandbox, dir, [file]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.summary).toMatchObject({ read: 3000, accepted: 3000 - (read - 1), skippedByJournal: read - 1 });
      expect(sandbox.stats.stored).toHaveLength(3000);
      expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
    });
  }

  it('a .gz from which not one line can be read stops before sending (exit 2), naming the cause', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    const gz = gzipSync(ndjson(generateEvents(5)));
    const cut = join(dir, 'cut.ndjson.gz');
    await writeFile(cut, gz.subarray(0, 30));
    const headless = join(dir, 'headless.ndjson.gz');
    await writeFile(headless, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0xff]), gz.subarray(4)]));
    for (const [file, code, errorCode] of [[cut, 'cut off', 'EL_GZIP_TRUNCATED'], [headless, 'corrupt', 'EL_GZIP_CORRUPT']] as const) {
      const run = await importInto(sandbox, dir, [file]);
      expect(run.code, run.stdout).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^eventload: ${errorCode}: .*\\.ndjson\\.gz: the gzip file is ${code} \\(.*\\); nothing could be read from it\\n$`));
      const validated = await eventload(dir, ['validate', file]);
      expect(validated.code).toBe(2);
    }
    expect(sandbox.stats.ingestRequests).toBe(0);
  });
});

describe('documents cut off, and files without line ends', () => {
  it('a minified JSON array (one line) in a cut .gz: the records before the cut are sent, the break is the one rejection', async () => {
    const sandbox = await sandboxes({ target: 'immutable' });
    const dir = await tempDir();
    const events = generateEvents(12_000, 'min'); // over 1 MiB on its one line: see holdAtMost
    const file = join(dir, 'events.json.gz');
    const whole = gzipSync(Buffer.from(JSON.stringify(events)));
    await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const run = await importInto(sandbox, dir, [file]);
    expect(run.code, run.stderr).toBe(1);
    expectAccounted(run.summary);
    expect(run.summary.accepted).toBeGreaterThan(500);
    expect(run.summary).toMatchObject({ read: run.summary.accepted + 1, rejectedLocal: 1 });
    expect(run.rejects).toHaveLength(1);
    expect(run.rejects[0]).toMatchObject({ line: 1, issues: [expect.objectContaining({ code: 'EL_GZIP_TRUNCATED' })] });
    expect(sandbox.stats.stored.map((event) => event.key).sort()).toEqual(events.slice(0, run.summary.accepted).map((event) => event.idempotency_key).sort());
  });

  it('a pretty-printed JSON array and an XES log in a cut .gz: the break is reported once, not also as the syntax error it causes', async () => {
    const pretty = gzipSync(Buffer.from(JSON.stringify(generateEvents(2000, 'pretty'), null, 2)));
    const trace = (i: number) => `<trace><string key="concept:name" value="c${i}"/>\n<event>\n<string key="concept:name" value="a"/>\n<date key="time:timestamp" value="2024-01-01T00:00:0${i % 10}Z"/>\n</event>\n</trace>\n`;
    const xes = gzipSync(Buffer.from(`<?xml version="1.0"?>\n<log xes.version="1.0">\n${Array.from({ length: 3000 }, (_, i) => trace(i)).join('')}</log>\n`));
    for (const [name, whole, target] of [['events.json.gz', pretty, 'immutable'], ['log.xes.gz', xes, 'flowmyna']] as const) {
      const sandbox = await sandboxes({ target });
      const dir = await tempDir();
      const file = join(dir, name);
      await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.5)));
      const run = await importInto(sandbox, dir, [file]);
      expect(run.code, run.stderr).toBe(1);
      expectAccounted(run.summary);
      expect(run.summary.accepted, name).toBeGreaterThan(100);
      expect(run.rejects.map((reject) => reject.issues[0].code), name).toEqual(['EL_GZIP_TRUNCATED']);
      expect(run.summary.read, name).toBe(run.summary.accepted + 1);
    }
  });

  it('a record the input cut off is still rejected when the file itself is whole (no gzip to blame)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'cut.json');
    await writeFile(file, '[{"event":"a","timestamp":"2024-01-01T00:00:00Z","objects":[{"type":"c","id":"1"}]},\n{"event":"b","timest');
    const run = await eventload(dir, ['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/2 records read: 1 valid, 1 invalid/);
    expect(run.stdout + run.stderr).toContain('EL_JSON_INVALID');
  });

  it('a line longer than the limit is passed on as it comes, not held whole; shorter, a cut-off line is still held back', async () => {
    const passed = async (limit: number, chunks: Buffer[], breakAtEnd: boolean) => {
      const state = { completeLines: 0, ...(breakAtEnd && { broken: { code: 'EL_GZIP_TRUNCATED' as const, message: 'cut' } }) };
      const lines = new CompleteLines(state, false, limit);
      const source = new PassThrough();
      const out: Buffer[] = [];
      const outBeforeEnd: number[] = [];
      lines.on('data', (data: Buffer) => out.push(data));
      source.pipe(lines);
      for (const chunk of chunks) {
        source.write(chunk);
        await new Promise((resolve) => setImmediate(resolve));
        outBeforeEnd.push(Buffer.concat(out).length);
      }
      source.end();
      await new Promise((resolve) => lines.on('end', resolve));
      return { text: Buffer.concat(out).toString(), outBeforeEnd };
    };
    const piece = Buffer.from('x'.repeat(1000));
    // No line end at all (minified JSON, one-line XML): past 2,500 bytes held, the bytes flow on.
    const long = await passed(2500, [piece, piece, piece, piece], true);
    expect(long.outBeforeEnd).toEqual([0, 0, 3000, 3000]);
    // Under the limit, a last line without its line end is dropped when the source broke.
    const short = await passed(2500, [Buffer.from('a,b\nc,'), Buffer.from('d')], true);
    expect(short.text).toBe('a,b\n');
    // Old Mac line ends (CR only) end lines too: only the cut-off last one is held.
    const mac = await passed(2500, [Buffer.from('a,b\rc,d\re,')], true);
    expect(mac.text).toBe('a,b\rc,d\r');
  });
});
