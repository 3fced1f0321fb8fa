// How much memory V8 may take ahead of what the run keeps alive: a process-wide choice, so it is
// made here, at the edge, from what the command does (bin/ applies the lean one before anything
// runs; a delivery that sends switches to the roomy one once its flags are known).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

// Lean, for reading without sending (validate, --dry-run, verify): a streaming run's live data is
// small (~20 MB) but it allocates fast, and V8's default lets the old generation grow to several
// times what survives before it collects: a 10M-row dry run peaked at ~180 MB RSS for ~20 MB of
// live objects. Growing the heap by at most 20% over what survived the last full collection keeps
// memory flat for any input size, for a few more (short) collections. V8 reads the flag at each
// collection.
//
// The young generation doubles (1, 2, 4, 8, 16 MB a semi-space) while much of what it holds
// survives; its two semi-spaces are resident once used, 32 MB at V8's cap. --max-semi-space-size
// is read only when the process starts, but the growth factor is read at each growth: after the
// growth that reaches NEW_SPACE_CAP, the factor becomes 1 and the young generation stays there.
// Measured on the 1M-row dry run (BENCHMARKS.md): 4 MB a semi-space peaks ~8 MB lower than 8 MB,
// and 20-25 MB lower than V8's cap, at the same CPU time within the noise of interleaved runs.
//
// V8 raises the growth factor back to 2 whenever an isolate is set up, for the whole process: a
// reader's worker thread (readers/thread.ts) starting made this thread's young generation grow to
// 32 MB (+20 MB peak RSS on bench case 10). So the factor is set again once each worker runs.
const NEW_SPACE_CAP = 8 * 1024 * 1024; // both semi-spaces together

let youngCap: PerformanceObserver | undefined;
let capped = false;

export function leanHeap(): void {
  setFlagsFromString('--heap-growing-percent=20');
  // Read by isolates set up from now on (a reader's worker thread): they start at the young
  // generation this thread is held to, since the factor below keeps them from growing to it.
  setFlagsFromString(`--min-semi-space-size=${NEW_SPACE_CAP / 2 / 1024 / 1024}`);
  const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  youngCap = new PerformanceObserver(() => {
    if (newSpace() < NEW_SPACE_CAP) return;
    capYoung();
    youngCap?.disconnect();
  });
  youngCap.observe({ entryTypes: ['gc'] });
  process.on('worker', (worker) => worker.once('online', () => capped && capYoung()));
}

function capYoung(): void {
  capped = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}

// Roomy, for a delivery that sends: it keeps much more alive (concurrency × batch size events on
// the wire, the journal's answers until they are merged, the report's data), and a request's
// events live for its round trip, long enough to survive a small young generation. Under the lean
// settings such a run collected constantly. Measured on bench case 4's upload (batches of 100,
// journal on), 1M rows: lean 87 s CPU and 263 MB RSS; V8's young generation with the old one
// growing by 50 %: 58 s and 302 MB (226 MB at 100k rows); V8's own growth for both: 65 s and
// 421 MB (284 MB at 100k). 50 % keeps the CPU of V8's own settings with the memory of the lean ones.
export function roomyHeap(): void {
  youngCap?.disconnect();
  youngCap = undefined;
  capped = false;
  setFlagsFromString('--semi-space-growth-factor=2'); // V8's default
  setFlagsFromString('--heap-growing-percent=50');
}
