// The HTML report as a file: written by --report-html and by `eventload report RUN`, one
// self-contained document (no script, no link, a policy that forbids every request), redacted,
// never over a file that is not an earlier report, and under 1 MB for a run of a million events.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRunReport } from '../../src/report/html/index.js';
import { RunDataBuilder, type RunData } from '../../src/report/run-data.js';
import type { Summary } from '../../src/upload/summary.js';
import { emptyCounts } from '../../src/upload/summary.js';
import { eventload, fixturePath, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { embedded, orderEvents } from './helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();


describe('--report-html', () => {
  it('writes one self-contained file whose figures are the summary of --json', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const run = await importInto(sandbox, dir, [fixturePath('orders-mistakes.csv'), '-m', fixturePath('orders.mapping.json'), '--journal', join(dir, 'j.db'), '--report-html', join(dir, 'out', 'report.html')]);
    expect(run.code).toBe(1);
    const html = await readFile(join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script(?! type="application\/json")|<link|<img|<iframe|\bsrc=|https?:\/\/(?!127\.0\.0\.1)/);
    expect(embedded(html).summary).toEqual(run.summary);
    for (const [key, value] of Object.entries({ read: run.summary.read, accepted: run.summary.accepted, rejected: run.summary.rejectedLocal + run.summary.rejectedServer })) {
      expect(html).toContain(`data-figure="${key}">${value}<`);
    }
    expect(html).toMatch(/orders-mistakes\.csv:3/);
    // The same run from the journal, later: the same figures.
    const again = await eventload(dir, ['report', String(run.summary.runId), '--journal', 'j.db', '--out', 'again.html']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe('again.html');
    expect(embedded(await readFile(join(dir, 'again.html'), 'utf8')).summary).toEqual(run.summary);
  });

  it('redacts a token that the data quotes', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const csv = `order_id,status,created_at,customer_id,customer_name,sales_rep,amount,currency,item_count,note\nSO-1,placed,2024-04-02 10:00:00,C-1,A,u-a,${sandbox.token},EUR,1,\n`;
    await writeFile(join(dir, 'leak.csv'), csv);
    const run = await importInto(sandbox, dir, [join(dir, 'leak.csv'), '-m', fixturePath('orders.mapping.json'), '--no-journal', '--report-html', 'r.html']);
    expect(run.summary.rejectedLocal).toBe(1);
    const html = await readFile(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('EL_VALUE_NOT_NUMBER');
    expect(html).not.toContain(sandbox.token);
  });

  it('never overwrites a file that is not an earlier report, and replaces one that is', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    await writeFile(join(dir, 'notes.html'), '<p>my notes</p>');
    const refused = await importInto(sandbox, dir, [fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--no-journal', '--report-html', 'notes.html']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('EL_OUTPUT_EXISTS');
    expect(sandbox.stats.stored).toHaveLength(0);
    expect(await readFile(join(dir, 'notes.html'), 'utf8')).toBe('<p>my notes</p>');
    const first = await importInto(sandbox, dir, [fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--no-journal', '--report-html', 'r.html']);
    const second = await importInto(sandbox, dir, [fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--no-journal', '--report-html', 'r.html']);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(embedded(await readFile(join(dir, 'r.html'), 'utf8')).summary.duplicates).toBe(second.summary.duplicates);
    const input = await importInto(sandbox, dir, [fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--no-journal', '--report-html', fixturePath('orders.csv')]);
    expect(input.code).toBe(2);
    expect(input.stderr).toContain('EL_OUTPUT_IS_INPUT');
  });

  it('a dry run writes its report too (a run without journal gathers the data only when it writes one)', async () => {
    const dir = await tempDir();
    const run = await eventload(dir, ['import', fixturePath('orders.csv'), '-m', fixturePath('orders.mapping.json'), '--target', 'flowmyna', '--dry-run', '--json', '-q', '--report-html', 'dry.html']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    const data = embedded(await readFile(join(dir, 'dry.html'), 'utf8'));
    expect(data.summary).toEqual(summary);
    expect(data.dryRun).toBe(true);
    expect(summary.wouldSend).toBeGreaterThan(0);
    // The graph follows what would have been sent: every event counted once per object of a type.
    const orders = data.dfg.types.find((type) => type.type === 'Order')!;
    expect(orders.nodes.reduce((sum, node) => sum + node.count, 0)).toBe(summary.wouldSend);
  });
});

describe('eventload report', () => {
  it('says which runs it has when asked for another, and refuses a RUN that is no run id', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    await importInto(sandbox, dir, [await writeNdjson(join(dir, 'o.ndjson'), orderEvents(3)), '--journal', 'j.db']);
    const unknown = await eventload(dir, ['report', '99', '--journal', 'j.db', '--out', 'r.html']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('EL_REPORT_RUN_UNKNOWN');
    expect(unknown.stderr).toContain('runs with a report: 1');
    const invalid = await eventload(dir, ['report', 'first', '--journal', 'j.db', '--out', 'r.html']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('EL_REPORT_RUN_INVALID');
    const missing = await eventload(dir, ['report', 'last', '--journal', 'none.db', '--out', 'r.html']);
    expect(missing.stderr).toContain('EL_JOURNAL_MISSING');
    const onJournal = await eventload(dir, ['report', 'last', '--journal', 'j.db', '--out', 'j.db']);
    expect(onJournal.code).toBe(2);
    expect(onJournal.stderr).toMatch(/EL_OUTPUT_(IS_INPUT|SAME_FILE)/);
  });
});

/** The aggregate of a million-event run: hours long, many names, object types and reasons, the object cap hit. */
function millionEventRun(): RunData {
  let now = 0;
  const builder = new RunDataBuilder({ now: () => now, objectCap: 20_000 });
  builder.start({ command: 'import', target: 'flowmyna', endpoint: 'https://api.example.com', dryRun: false });
  const types = ['Order', 'Item', 'Customer', 'Package', 'Invoice', 'Payment', 'Shipment', 'Return'];
  for (let batch = 0; batch < 10_000; batch++) {
    now = batch * 1000; // 100 events a second for close to three hours
    builder.read(100);
    const events = Array.from({ length: 100 }, (_, i) => {
      const n = batch * 100 + i;
      return { event: `step ${n % 40}`, timestamp: '2024-01-01T00:00:00Z', objects: [{ type: types[n % 8]!, id: `o-${n % 50_000}` }, { type: types[(n + 3) % 8]!, id: `p-${n % 7919}` }] };
    });
    builder.sent(events);
    builder.answered({ accepted: 98, duplicates: 1, rejected: 1 }, events.slice(0, 99), 40 + (batch % 50));
    if (batch % 10 === 0) builder.retried({ reason: 'HTTP 429' });
    builder.rejected({ file: 'exports/orders-2024.csv', line: batch * 100 + 7 }, [{ path: 'timestamp', message: `value ${batch} is not a date`, code: batch % 2 ? 'EL_TIMESTAMP_INVALID' : 'EL_FIELD_LENGTH' }], undefined, true);
  }
  const summary: Summary = { ...emptyCounts(), read: 1_000_000, valid: 990_000, sent: 990_000, accepted: 980_000, duplicates: 10_000, rejectedLocal: 10_000, rejectedServer: 10_000, target: 'flowmyna', endpoint: 'https://api.example.com', dryRun: false, outcome: 'completed', elapsedSeconds: 10_000, eventsPerSecond: 99, peakRssMb: 120, peakEventsInFlight: 400, rejects: 'rejects.ndjson', rejectedByReason: [] };
  return builder.finish(summary, 7);
}

describe('report size', () => {
  it('stays under 1 MB for a run of a million events', () => {
    const data = millionEventRun();
    expect(data.dfg.forgotten).toBeGreaterThan(0);
    const html = renderRunReport(data);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
    expect(html).toContain('id="dfg-cap"');
    expect(html).toContain('id="dfg-7"');
  }, 180_000); // a million events aggregated: seconds, more on a loaded machine (a size test, not a timing one)
});

describe('--report-html on replay and sync', () => {
  it('replay writes the report of its run', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const input = await writeNdjson(join(dir, 'o.ndjson'), orderEvents(5));
    const run = await eventload(dir, ['replay', input, '--target', 'flowmyna', '--endpoint', sandbox.url, '--journal', 'j.db', '--json', '--report-html', 'replay.html'], { FLOWMYNA_API_KEY: sandbox.token });
    expect(run.code, run.stderr).toBe(0);
    const data = embedded(await readFile(join(dir, 'replay.html'), 'utf8'));
    expect(data.command).toBe('replay');
    expect(data.summary).toEqual(JSON.parse(run.stdout));
    expect(data.dfg.types.map((t) => t.type).sort()).toEqual(['Item', 'Order']);
  });

  it('sync writes it where its config says (relative to the config), and its flag wins', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    await writeNdjson(join(dir, 'a.ndjson'), orderEvents(2));
    await writeFile(join(dir, 'sync.json'), JSON.stringify({ files: ['*.ndjson'], target: 'flowmyna', endpoint: sandbox.url, token: { env: 'MY_KEY' }, reportHtml: 'reports/sync.html' }));
    const first = await eventload(dir, ['sync', '--config', 'sync.json', '--json'], { MY_KEY: sandbox.token });
    expect(first.code, first.stderr).toBe(0);
    expect(embedded(await readFile(join(dir, 'reports', 'sync.html'), 'utf8')).summary.accepted).toBe(8);
    await writeNdjson(join(dir, 'b.ndjson'), orderEvents(1).map((e) => ({ ...e, idempotency_key: `b-${e.idempotency_key}` })));
    const second = await eventload(dir, ['sync', '--config', 'sync.json', '--json', '--report-html', 'flag.html'], { MY_KEY: sandbox.token });
    expect(second.code, second.stderr).toBe(0);
    expect(embedded(await readFile(join(dir, 'flag.html'), 'utf8')).summary.accepted).toBe(4);
  });
});
