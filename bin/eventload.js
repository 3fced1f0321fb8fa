#!/usr/bin/env node
// The executable: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { leanHeap } from '../dist/cli/heap.js';
import { main } from '../dist/cli/main.js';

// Memory is kept lean from the start; a delivery that sends makes it roomier (src/cli/heap.ts).
leanHeap();

main(process.argv).then((code) => {
  process.exitCode = code;
});
