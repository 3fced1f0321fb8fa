// The HTML report of a verification: `verify --report-html` and `eventload report RUN` of a verify
// run draw the verification's own page, whose figures are the result of --json, with the first
// missing and different events (capped, with file and line), the differences per field, and the
// resend's account with --resend. A stored shape this eventload cannot draw is a clear message.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_PER_KIND, type VerifyRunData } from '../../src/report/verify-data.js';
import { Database } from '../../src/sqlite/database.js';
import { eventload, generateEvents, importInto, useSandboxes, useTempDirs, writeNdjson } from '../import/helpers.js';
import { embedded } from '../report/helpers.js';
import { verifyRun } from './helpers.js';

const startSandbox = useSandboxes();
const tempDir = useTempDirs();

const COUNT = 600;

function verifyData(html: string): VerifyRunData {
  return embedded(html) as unknown as VerifyRunData;
}

/** The figures the page shows, by their data-figure key. */
function figures(html: string, attribute = 'data-figure'): Record<string, number> {
  return Object.fromEntries([...html.matchAll(new RegExp(`${attribute}="([a-z]+)">(\\d+)<`, 'g'))].map((m) => [m[1]!, Number(m[2])]));
}

async function importedWithDrops(dropRate = 0.05) {
  const sandbox = await startSandbox({ target: 'immutable', dropRate, seed: 7 });
  const dir = await tempDir();
  const events = generateEvents(COUNT);
  const file = await writeNdjson(join(dir, 'events.ndjson'), events);
  const imported = await importInto(sandbox, dir, [file, '--journal', 'j.db']);
  expect(imported.code, imported.stderr).toBe(0);
  expect(sandbox.stats.dropped.length).toBeGreaterThan(EXAMPLES_PER_KIND); // more than the page lists
  return { sandbox, dir, events, file };
}

describe('verify --report-html', () => {
  it('draws the verification: the figures of --json, the first missing events, and `report RUN` draws the same page later', { timeout: 120_000 }, async () => {
    const { sandbox, dir } = await importedWithDrops();
    const run = await verifyRun(sandbox, dir, ['--journal', 'j.db', '--report-html', 'verify.html']);
    expect(run.code, run.stderr).toBe(1);
    const html = await readFile(join(dir, 'verify.html'), 'utf8');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script(?! type="application\/json")|<link|<img|<iframe|\bsrc=/);
    const r = run.result;
    expect(figures(html)).toEqual({ expected: r.expected, found: r.found, missing: r.missing, different: r.different, extra: r.extra, unchecked: r.unchecked });
    expect(r.missing).toBe(sandbox.stats.dropped.length);
    const data = verifyData(html);
    expect(data).toMatchObject({ kind: 'verify', version: 2, runId: r.runId, command: 'verify', target: 'immutable' });
    expect(data.result).toEqual(r);
    // The first few, never all of them; each one a dropped key, found in the journal.
    const dropped = new Set(sandbox.stats.dropped.map((stored) => stored.key));
    expect(data.examples.missing).toHaveLength(EXAMPLES_PER_KIND);
    expect(data.examples.missing.every((e) => dropped.has(e.key) && e.file.endsWith('j.db') && e.event.startsWith('Order') && e.timestamp.startsWith('2023-06-01'))).toBe(true);
    expect(html).toMatch(/<tr data-example="missing">/);
    expect(html).toContain(`The first ${EXAMPLES_PER_KIND} of ${r.missing}`);
    // Reads over time: the pages read, the records in them, the requests answered.
    const sum = (name: string) => (data.timeline.series[name] ?? []).reduce((a, b) => a + b, 0);
    expect([sum('records'), sum('pages'), sum('requests')]).toEqual([r.read.records, r.read.pages, r.read.requests]);
    expect(html).toMatch(/<svg id="verify-bar"/);
    expect(html).toMatch(/<svg id="chart-reads"/);

    // Later, from the journal: the same page, for the run id and for `last`.
    for (const which of [String(r.runId), 'last']) {
      const again = await eventload(dir, ['report', which, '--journal', 'j.db', '--out', `again-${which}.html`]);
      expect(again.code, again.stderr).toBe(0);
      const later = await readFile(join(dir, `again-${which}.html`), 'utf8');
      expect(verifyData(later)).toEqual(data);
      expect(figures(later)).toEqual(figures(html));
    }
  });

  it('lists the differences per field and the different events with their file and line (verify FILES)', { timeout: 120_000 }, async () => {
    const sandbox = await startSandbox({ target: 'immutable' });
    const dir = await tempDir();
    const events = generateEvents(200);
    const imported = await importInto(sandbox, dir, [await writeNdjson(join(dir, 'events.ndjson'), events), '--journal', 'j.db']);
    expect(imported.code, imported.stderr).toBe(0);
    // The files now say otherwise for every 20th event: what the server holds differs.
    const changed = events.map((event, i) => (i % 20 === 3 ? { ...event, properties: { n: -i } } : event));
    const file = await writeNdjson(join(dir, 'changed.ndjson'), changed);
    const run = await verifyRun(sandbox, dir, [file, '--journal', 'j.db', '--report-html', 'verify.html']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.result).toMatchObject({ source: 'files', expected: 200, found: 190, missing: 0, different: 10 });
    const html = await readFile(join(dir, 'verify.html'), 'utf8');
    expect(figures(html)).toMatchObject({ found: 190, different: 10, missing: 0 });
    expect(figures(html, 'data-field-count')).toEqual(run.result.differentFields);
    const data = verifyData(html);
    expect(data.examples.missing).toEqual([]);
    expect(data.examples.different.map((e) => `${e.file}:${e.line}`).sort()).toEqual(changed.flatMap((_, i) => (i % 20 === 3 ? [`${file}:${i + 1}`] : [])).sort());
    expect(data.examples.different.every((e) => e.fields!.length > 0 && e.fields!.every((f) => f in run.result.differentFields))).toBe(true);
    expect(html).toContain('id="examples-missing-none"');
  });

  it('--resend: the page shows the resend\'s account too, and only verify writes it', { timeout: 120_000 }, async () => {
    const { sandbox, dir } = await importedWithDrops();
    const run = await verifyRun(sandbox, dir, ['--journal', 'j.db', '--resend', '--report-html', 'verify.html']);
    expect(run.code, run.stderr).toBe(1);
    const html = await readFile(join(dir, 'verify.html'), 'utf8');
    const data = verifyData(html);
    expect(data.kind).toBe('verify');
    expect(data.resend).toEqual(run.result.resend);
    const resent = run.result.resend;
    expect(figures(html, 'data-resend-figure')).toEqual({ read: resent.read, accepted: sandbox.stats.dropped.length, duplicates: 0, rejected: 0, skipped: resent.skipped, unsent: 0 });
    expect(html).toContain(`eventload report ${resent.runId}`);
  });

  it('is checked writable before anything is read: never over a file that is not an earlier report', async () => {
    const { sandbox, dir } = await importedWithDrops();
    await writeFile(join(dir, 'notes.html'), '<p>mine</p>');
    const requests = sandbox.stats.requests;
    const run = await verifyRun(sandbox, dir, ['--journal', 'j.db', '--report-html', 'notes.html']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('EL_OUTPUT_EXISTS');
    expect(await readFile(join(dir, 'notes.html'), 'utf8')).toBe('<p>mine</p>');
    const input = await verifyRun(sandbox, dir, [join(dir, 'events.ndjson'), '--journal', 'j.db', '--report-html', 'events.ndjson']);
    expect(input.code).toBe(2);
    expect(input.stderr).toContain('EL_OUTPUT_IS_INPUT');
    expect(sandbox.stats.requests).toBe(requests); // nothing was read back
  });
});

describe('eventload report of a stored verification', () => {
  it('refuses a shape it cannot draw with a clear message, and a newer one by its number', { timeout: 120_000 }, async () => {
    const { sandbox, dir } = await importedWithDrops();
    const run = await verifyRun(sandbox, dir, ['--journal', 'j.db']);
    expect(run.code, run.stderr).toBe(1);
    const db = Database.open(join(dir, 'j.db'));
    try {
      db.prepare('UPDATE run_reports SET data = ? WHERE run_id = ?').run(JSON.stringify({ version: 2, kind: 'verify' }), run.result.runId);
    } finally {
      db.close();
    }
    const damaged = await eventload(dir, ['report', String(run.result.runId), '--journal', 'j.db', '--out', 'r.html']);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/^eventload: EL_REPORT_DATA_INVALID: run \d+: its stored report data/m);
    const db2 = Database.open(join(dir, 'j.db'));
    try {
      db2.prepare('UPDATE run_reports SET data = ? WHERE run_id = ?').run(JSON.stringify({ version: 99, kind: 'verify' }), run.result.runId);
    } finally {
      db2.close();
    }
    const newer = await eventload(dir, ['report', 'last', '--journal', 'j.db', '--out', 'r.html']);
    expect(newer.code).toBe(2);
    expect(newer.stderr).toContain('EL_REPORT_DATA_NEWER');
    // The import's report (stored as version 1) still draws.
    const imported = await eventload(dir, ['report', '1', '--journal', 'j.db', '--out', 'import.html']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(embedded(await readFile(join(dir, 'import.html'), 'utf8')).version).toBe(1);
  });
});
