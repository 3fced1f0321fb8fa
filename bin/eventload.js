#!/usr/bin/env node
// The executable: runs the compiled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { main } from '../dist/cli/main.js';

// A streaming import's live data is small (~20 MB) but it allocates fast, and V8's default lets the
// old generation grow to several times what survives before it collects: a 10M-row dry run peaked
// at ~180 MB RSS for ~20 MB of live objects. Growing the heap by at most 20% over what survived the
// last full collection keeps memory flat for any input size, for a few more (short) collections.
// V8 reads the flag at each collection, so setting it before the run starts is enough.
setFlagsFromString('--heap-growing-percent=20');

// The young generation doubles (1, 2, 4, 8, 16 MB a semi-space) while much of what it holds
// survives; its two semi-spaces are resident once used, 32 MB at V8's cap, for ~0.5 MB of events
// in flight that survive each scavenge. --max-semi-space-size is read only when the process
// starts, but the growth factor is read at each growth: after the growth that reaches
// NEW_SPACE_CAP, the factor becomes 1 and the young generation stays there. Measured on the 1M-row
// dry run (BENCHMARKS.md): 4 MB a semi-space peaks ~8 MB lower than 8 MB, and 20-25 MB lower
// than V8's cap, at the same CPU time within the noise of interleaved runs.
const NEW_SPACE_CAP = 8 * 1024 * 1024; // both semi-spaces together
const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
const youngCap = new PerformanceObserver(() => {
  if (newSpace() < NEW_SPACE_CAP) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  youngCap.disconnect();
});
youngCap.observe({ entryTypes: ['gc'] });

main(process.argv).then((code) => {
  process.exitCode = code;
});
