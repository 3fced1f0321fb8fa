#!/usr/bin/env node
// The executable: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/cli/main.js';

// A streaming import's live data is small (~20 MB) but it allocates fast, and V8's default lets the
// old generation grow to several times what survives before it collects: a 10M-row dry run peaked
// at ~180 MB RSS for ~20 MB of live objects. Growing the heap by at most 20% over what survived the
// last full collection keeps memory flat for any input size, for a few more (short) collections.
// V8 reads the flag at each collection, so setting it before the run starts is enough.
setFlagsFromString('--heap-growing-percent=20');

main(process.argv).then((code) => {
  process.exitCode = code;
});
