// The XES reader's worker thread (readers/thread.ts): parses a large log's bytes into the reader's
// items, the same function the reader runs for a small log on its own thread.
import { serveOnThread } from '../thread.js';
import { xesBatches } from './batches.js';
import { ItemEncoder } from './wire.js';

serveOnThread(async function* (chunks, data) {
  const wire = new ItemEncoder();
  const { name, holdEvents } = data as { name: string; holdEvents: number };
  for await (const items of xesBatches(chunks, name, holdEvents)) yield wire.encode(items);
});
