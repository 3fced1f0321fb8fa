// Reading on a worker thread (src/readers/thread.ts), with small worker scripts written by the test
// against the built serveOnThread: what comes back is what the worker made, in order; the worker is
// never more than a few chunks ahead of the consumer; a worker that fails or dies fails the read;
// stopping early stops the worker and the source; small inputs and EVENTLOAD_READER_THREAD=off stay
// on this thread.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INLINE_BYTES, readOnThread, type ThreadPlan } from '../../src/readers/thread.js';
import { root, withTempDir } from '../helpers.js';

const serve = pathToFileURL(join(root, 'dist', 'readers', 'thread.js')).href;

// Each chunk comes back as [thread, text]: which thread read it, and what it held.
const ECHO = `
import { threadId } from 'node:worker_threads';
import { serveOnThread } from '${serve}';
serveOnThread(async function* (chunks, data) {
  for await (const chunk of chunks) {
    if (chunk === data.failOn) throw new Error('the worker met ' + chunk);
    if (chunk === data.exitOn) process.exit(3);
    yield [[threadId, chunk]];
  }
});
`;

async function echoPlan(dir: string, data: Record<string, unknown> = {}): Promise<ThreadPlan<[number, string]>> {
  const script = join(dir, 'echo.mjs');
  await writeFile(script, ECHO);
  return {
    script: pathToFileURL(script),
    data,
    inline: async function* (chunks) {
      for await (const chunk of chunks) yield [[0, String(chunk)]];
    },
    decode: (message) => message as Array<[number, string]>,
  };
}

/** A source of `count` text chunks that counts how many were taken from it, and whether it was stopped. */
function source(count: number, size = 10) {
  const state = { taken: 0, stopped: false };
  async function* chunks() {
    try {
      for (let index = 0; index < count; index++) {
        state.taken++;
        yield `${String(index).padStart(size, '.')}`;
      }
    } finally {
      state.stopped = true;
    }
  }
  return { state, chunks: chunks() };
}

async function all<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.EVENTLOAD_READER_THREAD;
});
afterEach(() => {
  if (saved === undefined) delete process.env.EVENTLOAD_READER_THREAD;
  else process.env.EVENTLOAD_READER_THREAD = saved;
});

describe('reading on a worker thread', () => {
  it('gives back what the worker made, in order, and only a large input goes to the worker', async () => {
    await withTempDir(async (dir) => {
      const plan = await echoPlan(dir);
      const small = await all(readOnThread(source(5).chunks, plan));
      expect(small.map(([thread]) => thread)).toEqual([0, 0, 0, 0, 0]);

      const chunkSize = 64 * 1024;
      const count = Math.ceil((2 * INLINE_BYTES) / chunkSize);
      const large = await all(readOnThread(source(count, chunkSize).chunks, plan));
      expect(large.map(([, text]) => text)).toEqual(Array.from({ length: count }, (_, index) => String(index).padStart(chunkSize, '.')));
      expect(new Set(large.map(([thread]) => thread)).has(0)).toBe(false);
    });
  });

  it('EVENTLOAD_READER_THREAD: on sends even a small input to the worker, off keeps a large one here', async () => {
    await withTempDir(async (dir) => {
      const plan = await echoPlan(dir);
      process.env.EVENTLOAD_READER_THREAD = 'on';
      expect((await all(readOnThread(source(3).chunks, plan))).every(([thread]) => thread !== 0)).toBe(true);
      process.env.EVENTLOAD_READER_THREAD = 'off';
      expect((await all(readOnThread(source(40, 64 * 1024).chunks, plan))).every(([thread]) => thread === 0)).toBe(true);
    });
  });

  it('keeps the worker a few chunks ahead of the consumer at most, and stops it and the source when the consumer stops', async () => {
    await withTempDir(async (dir) => {
      process.env.EVENTLOAD_READER_THREAD = 'on';
      const plan = await echoPlan(dir);
      const { state, chunks } = source(10_000);
      const reading = readOnThread(chunks, plan);
      const first = await reading.next();
      expect(first.value).toEqual([[expect.any(Number), '.........0']]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for a runaway worker to ask for more
      expect(state.taken).toBeLessThanOrEqual(8);
      await reading.return(undefined);
      expect(state.stopped).toBe(true);
    });
  });

  it('fails the read with the error the worker threw, after what it made before', async () => {
    await withTempDir(async (dir) => {
      process.env.EVENTLOAD_READER_THREAD = 'on';
      const plan = await echoPlan(dir, { failOn: '.........3' });
      const got: string[] = [];
      const reading = (async () => {
        for await (const batch of readOnThread(source(10).chunks, plan)) got.push(...batch.map(([, text]) => text));
      })();
      await expect(reading).rejects.toThrow('the worker met .........3');
      expect(got).toEqual(['.........0', '.........1', '.........2']);
    });
  });

  it('fails the read when the worker dies before the end of the input', async () => {
    await withTempDir(async (dir) => {
      process.env.EVENTLOAD_READER_THREAD = 'on';
      const plan = await echoPlan(dir, { exitOn: '.........2' });
      await expect(all(readOnThread(source(10).chunks, plan))).rejects.toThrow("the reader's worker thread stopped (exit code 3) before the end of the input");
    });
  });
});
