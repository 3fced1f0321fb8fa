// The XES reader's worker thread (readers/thread.ts): parses a large log's bytes into the reader's
// items, the same function the reader runs for a small log on its own thread.
import { serveOnThread } from '../thread.js';
import { xesBatches } from './batches.js';
import { ItemEncoder } from './wire.js';

serveOnThread(async function* (chunks, data) {
  const wire = new ItemEncoder();
  for await (const items of xesBatches(chunks, (data as { name: string }).name)) yield wire.encode(items);
});
