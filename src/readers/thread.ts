// Reading a large document on a second thread. A reader whose parsing is most of a run's CPU (XES:
// saxes alone is about half of a dry run) hands the parse to a worker thread, which sends back the
// reader's items, while this thread maps, keys, checks and sends them: on two cores the two halves
// overlap (BENCHMARKS.md, case 9). Both halves run the same function (`inline` here, served there),
// so an input reads the same on either thread; a small input, where starting a thread costs more than
// it saves, is read here.
//
// Flow: this thread decodes the input and sends it a chunk at a time, at most AHEAD chunks ahead
// of what the worker has started on, and only while the consumer asks for items: memory stays at a
// few chunks and their items whatever the input's size, and a slow consumer (a rate-limited upload)
// holds the worker back as it would hold back the file.
//
// The second thread pays only where a core is free for it: on two cores with one busy with other
// work, a 1M-event XES dry run took 176k events/s on two threads against 212k on one (both idle:
// 261k against 210k). With one core, every input is read here.
//
// EVENTLOAD_READER_THREAD: `off` (or 0) reads every input on this thread; `on` (or 1) uses the
// worker for any size; unset, inputs over INLINE_BYTES use it where there are two cores or more.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';

type Chunk = Uint8Array | string;

/**
 * How a reader runs its parse: `inline` on this thread, or the same function served by `script`
 * (serveOnThread) with `data`, whose messages `decode` turns back into items.
 */
export interface ThreadPlan<T> {
  script: URL;
  data: unknown;
  inline: (chunks: AsyncIterable<Chunk>) => AsyncIterable<T[]>;
  decode: (message: unknown) => T[];
}

// Starting a worker and loading the parser in it costs ~60 ms here (a small log validated with
// EVENTLOAD_READER_THREAD=on and off), what reading ~3 MB of XES takes on one thread.
export const INLINE_BYTES = 4 * 1024 * 1024;
const AHEAD = 4;

/** From the worker: the items of one or more chunks, that it took the next chunk, or that it is done. */
type Message = { kind: 'items'; items: unknown } | { kind: 'took' } | { kind: 'done' };
type Received = Message | { kind: 'crash'; error: unknown } | { kind: 'exit'; code: number };

export async function* readOnThread<T>(stream: AsyncIterable<Chunk>, plan: ThreadPlan<T>): AsyncGenerator<T[]> {
  const source = stream[Symbol.asyncIterator]();
  const mode = threadMode();
  const head = mode === 'auto' ? await gather(source, INLINE_BYTES) : { chunks: [], ended: false };
  const cores = availableParallelism();
  const script = fileURLToPath(plan.script);
  // The worker's script exists in the build (dist/); run from the TypeScript sources, there is none.
  if (mode === 'off' || head.ended || (mode === 'auto' && cores < 2) || !existsSync(script)) {
    yield* plan.inline(chain(head.chunks, head.ended ? undefined : source));
    return;
  }
  yield* onWorker(plan, head.chunks, source);
}

function threadMode(): 'on' | 'off' | 'auto' {
  const value = process.env.EVENTLOAD_READER_THREAD?.trim().toLowerCase();
  if (value === 'on' || value === '1') return 'on';
  if (value === 'off' || value === '0') return 'off';
  return 'auto';
}

/** Reads chunks until more than `bytes` came, or the input ended. */
async function gather(source: AsyncIterator<Chunk>, bytes: number): Promise<{ chunks: Chunk[]; ended: boolean }> {
  const chunks: Chunk[] = [];
  let size = 0;
  while (size <= bytes) {
    const next = await source.next();
    if (next.done) return { chunks, ended: true };
    chunks.push(next.value);
    size += next.value.length;
  }
  return { chunks, ended: false };
}

/** The chunks already read, then the rest of the source; stopping early stops the source (closing the file). */
async function* chain(head: Chunk[], source: AsyncIterator<Chunk> | undefined): AsyncGenerator<Chunk> {
  try {
    yield* head;
    if (!source) return;
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await source?.return?.();
  }
}

async function* onWorker<T>(plan: ThreadPlan<T>, head: Chunk[], source: AsyncIterator<Chunk>): AsyncGenerator<T[]> {
  const worker = new Worker(plan.script, { workerData: plan.data });
  const inbox = new Inbox<Received>();
  worker.on('message', (message: Message) => inbox.push(message));
  worker.on('error', (error) => inbox.push({ kind: 'crash', error }));
  worker.on('exit', (code) => inbox.push({ kind: 'exit', code }));
  const queued = [...head];
  const decoder = new StringDecoder('utf8');
  let ahead = 0; // chunks sent that the worker has not started on
  let ended = false;
  const pump = async () => {
    while (ahead < AHEAD && !ended) {
      const next = queued.length > 0 ? { done: false as const, value: queued.shift()! } : await source.next();
      if (next.done) {
        ended = true;
        const rest = decoder.end();
        if (rest) worker.postMessage(rest);
        worker.postMessage(null);
      } else {
        // Decoded here, where there is time to spare: the worker is the slower half.
        worker.postMessage(typeof next.value === 'string' ? next.value : decoder.write(next.value as Buffer));
        ahead++;
      }
    }
  };
  try {
    await pump();
    for (;;) {
      const message = await inbox.shift();
      switch (message.kind) {
        case 'items':
          yield plan.decode(message.items);
          break;
        case 'took':
          ahead--;
          await pump();
          break;
        case 'done':
          return;
        case 'crash':
          throw message.error;
        case 'exit':
          throw new Error(`the reader's worker thread stopped (exit code ${message.code}) before the end of the input`);
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
    await source.return?.();
  }
}

/** Messages in arrival order, awaited one at a time. */
class Inbox<M> {
  private readonly queue: M[] = [];
  private waiting: ((message: M) => void) | undefined;

  push(message: M): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(message);
    else this.queue.push(message);
  }

  shift(): Promise<M> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/**
 * The worker's side: runs `read` over the chunks this thread is sent, and sends back what it yields. Called
 * once, by the reader's worker script. A fault `read` does not turn into items is the worker's
 * uncaught error, which the reading thread throws (readOnThread).
 */
export function serveOnThread(read: (chunks: AsyncIterable<Chunk>, data: unknown) => AsyncIterable<unknown>): void {
  const port = parentPort;
  if (!port) throw new Error('serveOnThread runs in a worker thread');
  const inbox = new Inbox<Chunk | null>();
  port.on('message', (chunk: Chunk | null) => inbox.push(chunk));
  async function* chunks(): AsyncGenerator<Chunk> {
    for (;;) {
      const chunk = await inbox.shift();
      if (chunk === null) return;
      port!.postMessage({ kind: 'took' } satisfies Message);
      yield chunk;
    }
  }
  void (async () => {
    for await (const items of read(chunks(), workerData)) port.postMessage({ kind: 'items', items } satisfies Message);
    port.postMessage({ kind: 'done' } satisfies Message);
    port.close();
  })();
}
