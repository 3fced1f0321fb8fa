// The delivery core without the CLI: driven against a real sandbox, it emits typed events that
// account for every record (started first, finished last), stops on request, composes stages,
// and never writes to the terminal.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deliver, type DeliveryEvent, type DeliveryOptions, type DeliveryStage } from '../../src/core/index.js';
import { loadMapping } from '../../src/mapping/load.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { findTarget } from '../../src/targets/index.js';
import { fixture } from '../helpers.js';

let sandbox: Sandbox;
let dir: string;

beforeEach(async () => {
  sandbox = await startSandbox({ target: 'flowmyna', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'eventload-core-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function options(overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  const env = { FLOWMYNA_API_KEY: sandbox.token };
  return {
    command: 'import',
    connect: async () => ({ endpoint: sandbox.url, env, sandbox: false }),
    concurrency: { limit: 2, adaptive: false },
    rate: undefined,
    batchSize: 3,
    retry: { maxRetries: 2, deadlineMs: 10_000, baseDelayMs: 10 },
    timeouts: { idleMs: 5000, totalMs: 20_000 },
    dryRun: false,
    out: undefined,
    journal: { path: join(dir, 'journal.db') },
    retryRejected: false,
    rejects: { path: join(dir, 'rejects.ndjson'), append: false },
    report: undefined,
    maxErrorRate: undefined,
    secretsFrom: env,
    drainTimeoutMs: 1000,
    ...overrides,
  };
}

async function inputs(file: string) {
  const mappingFile = fixture('orders.mapping.json');
  return { settings: { files: [fixture(file)], mapping: await loadMapping(mappingFile), mappingFile } };
}

async function run(file: string, overrides: Partial<DeliveryOptions> = {}) {
  const events: DeliveryEvent[] = [];
  const delivery = await deliver(await inputs(file), findTarget('flowmyna'), options(overrides), (event) => events.push(event));
  return { ...delivery, events };
}

function total<T extends DeliveryEvent['type']>(events: DeliveryEvent[], type: T, count: (event: Extract<DeliveryEvent, { type: T }>) => number = () => 1): number {
  return events.filter((event): event is Extract<DeliveryEvent, { type: T }> => event.type === type).reduce((sum, event) => sum + count(event), 0);
}

describe('deliver()', () => {
  it('emits started first and finished last, and the events add up to the summary', async () => {
    const { summary, events } = await run('orders-mistakes.csv');
    expect(events[0]?.type).toBe('started');
    expect(events.at(-1)).toEqual({ type: 'finished', summary });
    expect(events.filter((event) => event.type === 'started' || event.type === 'finished')).toHaveLength(2);
    expect(summary.outcome).toBe('completed');

    const read = total(events, 'read', (event) => event.count);
    const accepted = total(events, 'answered', (event) => event.accepted);
    const duplicates = total(events, 'answered', (event) => event.duplicates);
    const rejected = total(events, 'rejected');
    const skipped = total(events, 'skipped');
    const unsent = total(events, 'unsent', (event) => event.count);
    expect(rejected).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
    expect({ read, accepted, duplicates, rejected, skipped, unsent }).toEqual({
      read: summary.read,
      accepted: summary.accepted,
      duplicates: summary.duplicates,
      rejected: summary.rejectedLocal + summary.rejectedServer,
      skipped: summary.skipped,
      unsent: summary.unsent,
    });
    expect(read).toBe(accepted + duplicates + rejected + skipped + unsent);
    expect(total(events, 'sent', (event) => event.events.length)).toBe(summary.sent);
    expect(sandbox.stats.stored).toHaveLength(summary.accepted);
  });

  it('prints nothing: no write to stdout or stderr', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const { summary } = await run('orders-mistakes.csv');
    expect(summary.read).toBeGreaterThan(0);
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it('skips on resume what the journal says an earlier run delivered, and sends nothing', async () => {
    const first = await run('orders.csv');
    expect(first.summary.accepted).toBeGreaterThan(0);
    const second = await run('orders.csv');
    expect(second.summary.skippedByJournal).toBe(first.summary.accepted);
    expect(total(second.events, 'skipped', (event) => (event.byJournal ? 1 : 0))).toBe(first.summary.accepted);
    expect(total(second.events, 'sent')).toBe(0);
  });

  it('stops when its signal is aborted: the run is interrupted and nothing leaves', async () => {
    const controller = new AbortController();
    controller.abort();
    const { summary, events } = await run('orders.csv', { signal: controller.signal });
    expect(summary.outcome).toBe('interrupted');
    expect(total(events, 'sent')).toBe(0);
    expect(sandbox.stats.ingestRequests).toBe(0);
    expect(events.at(-1)?.type).toBe('finished');
  });

  it('composes a stage: it sees every item, learns of each send, and adds to the summary', async () => {
    let items = 0;
    let sentEvents = 0;
    const stage: DeliveryStage = {
      async *transform(source, context) {
        context.onSent((batch) => (sentEvents += batch.length));
        for await (const item of source) {
          items++;
          yield item;
        }
      },
      summary: () => ({ stage: { items } }),
    };
    const { summary } = await run('orders-mistakes.csv', { stages: [stage] });
    expect(items).toBe(summary.read);
    expect(sentEvents).toBe(summary.sent);
    expect((summary as unknown as { stage: { items: number } }).stage.items).toBe(summary.read);
  });
});
