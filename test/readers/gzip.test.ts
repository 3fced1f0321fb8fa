// A .gz that breaks part way (corrupt or cut off) is read up to its last complete line: what was
// read is sent and accounted for, the break is one rejected record naming where, exit 1, and a
// rerun on the repaired file sends only the rest. A .gz from which nothing can be read is exit 2.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
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
