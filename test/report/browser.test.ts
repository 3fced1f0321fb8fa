// The HTML report in a real browser (Debian's headless Chromium, driven by playwright-core):
// opened from a file URL, its figures are those of --json, its charts and graphs are drawn, it
// makes no request beyond its own file and logs no error. CI (.ci/run) installs Chromium and sets
// EVENTLOAD_BROWSER_REQUIRED=1, so there a missing browser fails the test instead of skipping it.
import { copyFile, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/upload/summary.js';
import { fixturePath, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { verifyRun } from '../verify/helpers.js';
import { embedded, orderEvents } from './helpers.js';

const CHROMIUM = process.env.EVENTLOAD_CHROMIUM ?? '/usr/bin/chromium';
const required = process.env.EVENTLOAD_BROWSER_REQUIRED === '1';
const available = existsSync(CHROMIUM);

const tempDir = useTempDirs();
const sandboxes = useSandboxes();
let browser: Browser | undefined;

beforeAll(async () => {
  if (available) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  requests: string[];
  errors: string[];
  figures: Record<string, string>;
  rejectCounts: Record<string, string>;
  /** Width and height of each drawing, by its id. */
  sizes: Record<string, { width: number; height: number; marks: number }>;
  graphs: string[];
  /** Rows of the tables of missing and different events. */
  examples: Record<string, number>;
}

/** Opens the report from its file URL, records every request and console error, measures the drawings, saves a screenshot. */
async function openReport(file: string, screenshot: string): Promise<Opened> {
  const page = await browser!.newPage({ viewport: { width: 900, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const figures = await page.$$eval('[data-figure]', (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-figure')!, n.textContent!.trim()])));
    const rejectCounts = await page.$$eval('[data-reject-count]', (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-reject-count')!, n.textContent!.trim()])));
    const sizes = await page.$$eval('svg[id]', (nodes) =>
      Object.fromEntries(nodes.map((n) => {
        const box = n.getBoundingClientRect();
        return [n.id, { width: box.width, height: box.height, marks: n.querySelectorAll('path, rect').length }];
      })),
    );
    const graphs = await page.$$eval('#dfg figcaption', (nodes) => nodes.map((n) => n.textContent!.trim()));
    const examples = await page.$$eval('[data-example]', (nodes) => nodes.reduce<Record<string, number>>((counts, n) => ({ ...counts, [n.getAttribute('data-example')!]: (counts[n.getAttribute('data-example')!] ?? 0) + 1 }), {}));
    await page.screenshot({ path: screenshot, fullPage: true });
    return { requests, errors, figures, rejectCounts, sizes, graphs, examples };
  } finally {
    await page.close();
  }
}

function expectFiguresOf(opened: Opened, summary: Summary): void {
  expect(opened.figures).toEqual({
    read: String(summary.read),
    accepted: String(summary.accepted),
    duplicates: String(summary.duplicates),
    rejected: String(summary.rejectedLocal + summary.rejectedServer),
    skipped: String(summary.skipped),
    unsent: String(summary.unsent),
  });
  const byReason = Object.fromEntries(summary.rejectedByReason.map((group) => [group.status === undefined ? group.code : `${group.code} (HTTP ${group.status})`, String(group.count)]));
  expect(opened.rejectCounts).toEqual(byReason);
}

function expectDrawn(opened: Opened, ids: string[]): void {
  for (const id of ids) {
    const size = opened.sizes[id];
    expect(size, id).toBeDefined();
    expect(size!.width, id).toBeGreaterThan(0);
    expect(size!.height, id).toBeGreaterThan(0);
    expect(size!.marks, id).toBeGreaterThan(0);
  }
}

async function expectScreenshot(path: string, keepAs?: string): Promise<void> {
  expect((await stat(path)).size).toBeGreaterThan(10_000);
  // EVENTLOAD_SCREENSHOT_DIR=docs: how docs/report.png is made (see docs/report.md).
  const keep = process.env.EVENTLOAD_SCREENSHOT_DIR;
  if (keep && keepAs) await copyFile(path, join(keep, keepAs));
}

describe.skipIf(!available && !required)('the HTML report in a browser', () => {
  it('finds Chromium (CI installs it)', () => {
    expect(available, `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set EVENTLOAD_CHROMIUM`).toBe(true);
  });

  it('shows a CSV import with rejects: the figures of --json, drawn charts, no request, no error', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0 });
    const file = join(dir, 'report.html');
    const run = await importInto(sandbox, dir, [fixturePath('orders-mistakes.csv'), '-m', fixturePath('orders.mapping.json'), '--journal', join(dir, 'j.db'), '--report-html', file]);
    expect(run.code).toBe(1);
    expect(run.summary.rejectedLocal).toBeGreaterThan(0);
    const opened = await openReport(file, join(dir, 'report-csv.png'));
    expectFiguresOf(opened, run.summary);
    expectDrawn(opened, ['account-bar', 'chart-throughput', 'chart-latency', 'chart-arrivals-event', 'chart-arrivals-type', 'dfg-0']);
    expect(opened.requests).toEqual([pathToFileURL(file).href]);
    expect(opened.errors).toEqual([]);
    await expectScreenshot(join(dir, 'report-csv.png'));
  });

  it('shows a multi-object import: a directly-follows graph per object type, retries and 429s over time', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'flowmyna', port: 0, latencyMs: 15, faultSequence: ['ok', '429', 'ok', '429', 'ok', '503'], retryAfterSeconds: 1 });
    const input = await writeNdjson(join(dir, 'orders.ndjson'), orderEvents(300));
    const file = join(dir, 'report.html');
    const run = await importInto(sandbox, dir, [input, '--journal', join(dir, 'j.db'), '--batch-size', '20', '--concurrency', '2', '--backoff-base', '50', '--report-html', file], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.retries).toBe(3);
    const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
    const data = embedded(await readFile(file, 'utf8'));
    expect([sum(data.timeline.series.retries), sum(data.timeline.series.throttled)]).toEqual([3, 2]); // two 429s and a 503
    const opened = await openReport(file, join(dir, 'report-ocel.png'));
    expectFiguresOf(opened, run.summary);
    expectDrawn(opened, ['account-bar', 'chart-throughput', 'chart-latency', 'chart-retries', 'chart-arrivals-event', 'chart-arrivals-type', 'dfg-0', 'dfg-1']);
    expect(opened.graphs).toEqual(['Item (600 objects, 2 edges)', 'Order (300 objects, 1 edge)']);
    expect(opened.requests).toEqual([pathToFileURL(file).href]);
    expect(opened.errors).toEqual([]);
    await expectScreenshot(join(dir, 'report-ocel.png'), 'report.png');
  }, 90_000);

  it('shows a verification that found dropped events: the figures of verify --json, the first missing ones, drawn reads', async () => {
    const dir = await tempDir();
    const sandbox = await sandboxes({ target: 'immutable', port: 0, dropRate: 0.02, seed: 3 });
    const imported = await importInto(sandbox, dir, [await writeNdjson(join(dir, 'events.ndjson'), generateEvents(1000)), '--journal', join(dir, 'j.db')], { timeoutMs: 60_000 });
    expect(imported.code, imported.stderr).toBe(0);
    const dropped = sandbox.stats.dropped.length;
    expect(dropped).toBeGreaterThan(0);
    const file = join(dir, 'verify.html');
    const run = await verifyRun(sandbox, dir, ['--journal', join(dir, 'j.db'), '--report-html', file]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.result.missing).toBe(dropped);
    const opened = await openReport(file, join(dir, 'report-verify.png'));
    const r = run.result;
    expect(opened.figures).toEqual({ expected: String(r.expected), found: String(r.found), missing: String(r.missing), different: String(r.different), extra: String(r.extra), unchecked: String(r.unchecked) });
    expect(opened.examples).toEqual({ missing: Math.min(dropped, 10) });
    expectDrawn(opened, ['verify-bar', 'chart-reads', 'chart-latency', 'chart-requests']);
    expect(opened.requests).toEqual([pathToFileURL(file).href]);
    expect(opened.errors).toEqual([]);
    await expectScreenshot(join(dir, 'report-verify.png'), 'report-verify.png');
  }, 90_000);
});
