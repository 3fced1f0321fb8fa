// The report page of a verification: what was found, missing, different and extra (the figures of
// verify's --json), which fields differ, the first missing and different events with where they
// came from, and the reads over time. Drawn like a delivery's page (static SVG, no script, the
// same head and policy: page.ts), from the run's VerifyRunData.
import type { Summary } from '../../upload/summary.js';
import type { VerifyAccount, VerifyExample, VerifyRunData } from '../verify-data.js';
import { chart, latencyChart, PALETTE, segmentBar } from './charts.js';
import { perSecond, renderDocument } from './page.js';
import { escapeHtml } from './text.js';

function figure(key: string, label: string, value: number, attribute = 'data-figure'): string {
  return `<div class="figure"><span class="label">${label}</span><span class="value" ${attribute}="${key}">${value}</span></div>`;
}

/** The figures, and a bar of what was expected: found, missing, different (extra is not part of it). */
function account(result: VerifyAccount): string {
  const figures = [
    figure('expected', 'expected', result.expected),
    figure('found', 'found', result.found),
    figure('missing', 'missing', result.missing),
    figure('different', 'different', result.different),
    figure('extra', 'extra', result.extra),
    figure('unchecked', 'unchecked', result.unchecked),
  ].join('');
  const parts = [
    { label: 'found', value: result.found, color: '#59a14f' },
    { label: 'missing', value: result.missing, color: '#e15759' },
    { label: 'different', value: result.different, color: '#f28e2b' },
  ];
  const bar = segmentBar('verify-bar', 'what was expected: found, missing, different', parts, result.expected);
  const legend = `<ul class="legend">${parts.map((p) => `<li><span class="swatch" style="background:${p.color}"></span>${p.label}</li>`).join('')}</ul>`;
  const window = result.window.from || result.window.until ? ` in the window ${escapeHtml(result.window.from ?? '…')} to ${escapeHtml(result.window.until ?? '…')}` : '';
  const notes = [
    `Compared with the ${result.source === 'journal' ? 'journal (what it recorded as delivered)' : 'input files'}${window}.`,
    `Extra: ${result.extra} on the server${window ? ' in the window' : ''} and unknown here; counted only, never touched, and not part of what was expected.`,
    ...(result.unchecked > 0 ? [`Unchecked: ${result.unchecked} delivered events whose sent copy the journal does not hold (or that can no longer be sent as they were).`] : []),
    `Read ${result.read.records} records in ${result.read.pages} pages: ${result.read.requests} requests, ${result.read.retries} retries · ${result.elapsedSeconds} s.`,
    ...(result.file ? [`Every missing and different event is in <code>${escapeHtml(result.file)}</code>${result.markedMissing > 0 ? `; ${result.markedMissing} missing events are marked so in the journal, so replay or verify --resend sends them again` : ''}.`] : []),
  ];
  return `<section id="account"><h2>Account</h2><div class="figures">${figures}</div>${bar}${legend}${notes.map((n) => `<p class="note">${n}</p>`).join('')}</section>`;
}

function differentFields(result: VerifyAccount): string {
  const entries = Object.entries(result.differentFields).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '<section id="fields"><h2>Differences per field</h2><p class="empty">No event was found with other content than was sent.</p></section>';
  const rows = entries.map(([field, count]) => `<tr><td><code>${escapeHtml(field)}</code></td><td class="num" data-field-count="${escapeHtml(field)}">${count}</td></tr>`);
  return `<section id="fields"><h2>Differences per field</h2><table id="different-fields"><thead><tr><th>field</th><th>different events</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="note">An event may differ in several fields.</p></section>`;
}

function where(example: VerifyExample): string {
  // Events compared from the journal have no input line: the journal is where they were found.
  return example.line > 0 ? `${example.file}:${example.line}` : `${example.file} (journal)`;
}

function exampleTable(kind: 'missing' | 'different', examples: VerifyExample[], total: number): string {
  if (total === 0) return `<p class="empty" id="examples-${kind}-none">No ${kind} event.</p>`;
  const fields = kind === 'different' ? '<th>fields</th>' : '';
  const rows = examples.map(
    (e) => `<tr data-example="${kind}"><td><code>${escapeHtml(where(e))}</code></td><td><code>${escapeHtml(e.key)}</code></td><td>${escapeHtml(e.event)}</td><td><code>${escapeHtml(e.timestamp)}</code></td>${kind === 'different' ? `<td>${escapeHtml((e.fields ?? []).join(', '))}</td>` : ''}</tr>`,
  );
  const shown = examples.length < total ? `<p class="note">The first ${examples.length} of ${total}, by key.</p>` : '';
  return `<h3>${kind === 'missing' ? 'Missing' : 'Different'} (${total})</h3>${shown}<table id="examples-${kind}"><thead><tr><th>where (file:line)</th><th>key</th><th>event</th><th>time</th>${fields}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function examples(data: VerifyRunData): string {
  return `<section id="examples"><h2>First missing and different events</h2>${exampleTable('missing', data.examples.missing, data.result.missing)}${exampleTable('different', data.examples.different, data.result.different)}</section>`;
}

function reads(data: VerifyRunData): string {
  const { bucketSeconds, series } = data.timeline;
  const zeros = new Array<number>(data.timeline.buckets).fill(0);
  const records = chart({
    id: 'chart-reads',
    title: 'Records read back',
    unit: 'records/s',
    bucketSeconds,
    kind: 'lines',
    series: [{ name: 'records', values: perSecond(series.records ?? zeros, bucketSeconds), color: PALETTE[0]! }],
  });
  const latency = latencyChart(data.timeline);
  const retries = chart({
    id: 'chart-requests',
    title: 'Requests answered, retries, and 429 answers (the server asked to slow down)',
    unit: 'per bucket',
    bucketSeconds,
    kind: 'bars',
    totals: true,
    series: [
      { name: 'requests', values: series.requests ?? zeros, color: PALETTE[0]! },
      { name: 'retries', values: series.retries ?? zeros, color: PALETTE[1]! },
      { name: '429', values: series.throttled ?? zeros, color: PALETTE[2]! },
    ],
  });
  return `<section id="time"><h2>Reads over time</h2>${records}${latency}${retries}</section>`;
}

/** verify --resend: the account of the delivery that sent the missing events again. */
function resend(summary: Summary | undefined): string {
  if (!summary) return '';
  const parts: Array<[string, string, number]> = [
    ['read', 'read', summary.read],
    ['accepted', 'accepted', summary.accepted],
    ['duplicates', 'duplicates', summary.duplicates],
    ['rejected', 'rejected', summary.rejectedLocal + summary.rejectedServer],
    ['skipped', 'skipped', summary.skipped],
    ['unsent', 'not sent', summary.unsent],
  ];
  const figures = parts.map(([key, label, value]) => figure(key, label, value, 'data-resend-figure')).join('');
  const run = summary.runId !== undefined ? ` It is run ${summary.runId} in the journal (<code>eventload report ${summary.runId}</code> draws it).` : '';
  return `<section id="resend"><h2>Sent again (--resend)</h2><div class="figures">${figures}</div><p class="note">The missing events, sent again through the journal: ${escapeHtml(summary.outcome)}, ${summary.requests} requests, ${summary.retries} retries.${run} Only a second verify proves they arrived.</p></section>`;
}

export function renderVerifyPage(data: VerifyRunData): string {
  const outcome = data.result.outcome === 'verified' ? 'verified: every event is on the server as sent' : 'not verified: events are missing or different';
  return renderDocument(data, escapeHtml(outcome), [account(data.result), differentFields(data.result), examples(data), reads(data), resend(data.resend)]);
}
