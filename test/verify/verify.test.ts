// `eventload verify` against the sandboxes over real HTTP: an import into a sandbox that silently
// drops 1% of what it accepts (--faults drop=0.01), then verify must find exactly the events the
// sandbox itself recorded as dropped, `verify --resend` must restore them, and a second verify
// must find nothing missing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers.js';
import { generateEvents, importInto, readRejects, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { verifyRun } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

/** Seed 5 drops 96 of the first 10,000 events, and none of the next 96 (the resend): checked below, not assumed. */
const SEED = 5;
const COUNT = 10_000;

function flaringEvents(count: number) {
  const start = Date.parse('2023-06-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    event: 'Flaring Event',
    timestamp: new Date(start + i * 60_000).toISOString(),
    objects: [{ type: 'flare_stack', id: `STK-${i % 50}` }],
    properties: { volume_mscf: i, reason: 'planned' },
    idempotency_key: `flare-${i}`,
  }));
}

/** Import, verify, verify --resend, verify: the whole loop against one sandbox. */
async function proveTheLoop(sandbox: Sandbox, events: unknown[], keyOf: (stored: { key?: string; body: Record<string, unknown> }) => string, importArgs: string[] = []) {
  const dir = await tempDir();
  const file = await writeNdjson(join(dir, 'events.ndjson'), events);
  const imported = await importInto(sandbox, dir, [file, ...importArgs], { timeoutMs: 300_000 });
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.summary).toMatchObject({ read: COUNT, accepted: COUNT });
  const dropped = sandbox.stats.dropped.map(keyOf).sort();
  expect(dropped.length).toBe(96);

  const first = await verifyRun(sandbox, dir);
  expect(first.code, first.stderr).toBe(1);
  expect(first.result).toMatchObject({ command: 'verify', source: 'journal', expected: COUNT, found: COUNT - dropped.length, missing: dropped.length, different: 0, extra: 0, unchecked: 0, markedMissing: dropped.length, outcome: 'differences' });
  // Exactly the dropped ones, as the sandbox recorded them.
  const lines = await readRejects(join(dir, 'verify.ndjson'));
  expect(lines).toHaveLength(dropped.length);
  expect(lines.every((line) => line.code === 'EL_VERIFY_MISSING' && line.stage === 'verify')).toBe(true);
  const status = await runCli(['status', '--json'], { cwd: dir });
  expect(JSON.parse(status.stdout).targets[0]).toMatchObject({ missing: dropped.length, accepted: COUNT - dropped.length });

  const resend = await verifyRun(sandbox, dir, ['--resend', '--rejects', join(dir, 'resend.ndjson')]);
  expect(resend.code, resend.stderr).toBe(1); // what it found stands until a second verify proves the repair
  expect(resend.result.resend).toMatchObject({ accepted: dropped.length, duplicates: 0, rejectedServer: 0 });
  expect(sandbox.stats.dropped.length).toBe(dropped.length); // none dropped again (the seed's next draws)

  const second = await verifyRun(sandbox, dir, ['--rejects', join(dir, 'second.ndjson')]);
  expect(second.code, second.stderr).toBe(0);
  expect(second.result).toMatchObject({ expected: COUNT, found: COUNT, missing: 0, different: 0, extra: 0, file: null, outcome: 'verified' });
  return { dir, file, dropped, lines };
}

describe('verify finds what the server dropped, and --resend restores it', () => {
  it('immutable: matched on idempotency_key', { timeout: 600_000 }, async () => {
    const sandbox = await startSandbox({ target: 'immutable', dropRate: 0.01, seed: SEED });
    const { lines } = await proveTheLoop(sandbox, generateEvents(COUNT), (stored) => stored.key!);
    const droppedKeys = new Set(sandbox.stats.dropped.map((stored) => stored.key));
    expect(new Set(lines.map((line) => line.event.idempotency_key))).toEqual(droppedKeys);
    // Each event stored once: nothing sent twice.
    expect([...sandbox.stats.keyCounts.values()].every((count) => count === 1)).toBe(true);
    expect(sandbox.stats.stored.length).toBe(COUNT);
  });

  it('flaring: matched on event type, entity, occurred_at and fields', { timeout: 600_000 }, async () => {
    const sandbox = await startSandbox({ target: 'flaring', dropRate: 0.01, seed: SEED, rateLimit: null });
    const { lines } = await proveTheLoop(sandbox, flaringEvents(COUNT), (stored) => String(stored.body['occurred_at']), ['--rate', '100000', '--concurrency', '16']);
    const droppedTimes = new Set(sandbox.stats.dropped.map((stored) => Date.parse(String(stored.body['occurred_at']))));
    expect(new Set(lines.map((line) => Date.parse(line.event.timestamp)))).toEqual(droppedTimes);
    expect(sandbox.stats.stored.length).toBe(COUNT);
  });
});
