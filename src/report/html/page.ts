// The report page: one HTML document holding its styles and its drawings (static SVG), and no
// script, link or font from anywhere: it opens from disk, offline, and its Content-Security-Policy
// forbids any request, so a page copied to a ticket cannot call home either.
import type { Summary } from '../../upload/summary.js';
import type { RunData } from '../run-data.js';
import { chart, latencyChart, PALETTE, segmentBar, type ChartSeries } from './charts.js';
import { dfgSvg, MAX_EDGES } from './graph.js';
import { GENERATOR } from './mark.js';
import { escapeHtml, formatNumber } from './text.js';

/** The account's parts, in the order of the summary: every record read is in exactly one. */
function accountParts(summary: Summary): Array<{ key: string; label: string; value: number; color: string }> {
  const delivered = summary.dryRun
    ? [{ key: 'wouldSend', label: 'would send', value: summary.wouldSend ?? 0, color: '#59a14f' }]
    : [
        { key: 'accepted', label: 'accepted', value: summary.accepted, color: '#59a14f' },
        { key: 'duplicates', label: 'duplicates', value: summary.duplicates, color: '#76b7b2' },
      ];
  return [
    ...delivered,
    { key: 'rejected', label: 'rejected', value: summary.rejectedLocal + summary.rejectedServer, color: '#e15759' },
    { key: 'skipped', label: 'skipped', value: summary.skipped, color: '#bab0ac' },
    { key: 'unsent', label: 'not sent', value: summary.unsent, color: '#edc948' },
  ];
}

function account(summary: Summary): string {
  const parts = accountParts(summary);
  const figures = [{ key: 'read', label: 'read', value: summary.read, color: '#4e79a7' }, ...parts]
    .map((part) => `<div class="figure"><span class="label">${part.label}</span><span class="value" data-figure="${part.key}">${part.value}</span></div>`)
    .join('');
  const bar = segmentBar('account-bar', 'the account as a bar', parts, parts.reduce((sum, part) => sum + part.value, 0));
  const rejectedDetail = `<p class="note">rejected: ${summary.rejectedLocal} before sending, ${summary.rejectedServer} by the server · ${summary.requests} requests, ${summary.retries} retries · ${summary.elapsedSeconds} s, ${summary.eventsPerSecond} events/s</p>`;
  return `<section id="account"><h2>Account</h2><div class="figures">${figures}</div>${bar}${rejectedDetail}</section>`;
}

export function perSecond(values: number[] | undefined, bucketSeconds: number): number[] {
  return (values ?? []).map((value) => value / bucketSeconds);
}

function timeCharts(data: RunData): string {
  const { bucketSeconds, series } = data.timeline;
  const zeros = new Array<number>(data.timeline.buckets).fill(0);
  const delivered = zeros.map((_, i) => (series.accepted?.[i] ?? 0) + (series.duplicates?.[i] ?? 0));
  const throughput = chart({
    id: 'chart-throughput',
    title: data.dryRun ? 'Throughput (events that would be sent)' : 'Throughput',
    unit: 'events/s',
    bucketSeconds,
    kind: 'lines',
    series: [
      { name: 'read', values: perSecond(series.read ?? zeros, bucketSeconds), color: PALETTE[0]! },
      { name: data.dryRun ? 'would send' : 'delivered (accepted + duplicates)', values: perSecond(delivered, bucketSeconds), color: PALETTE[4]! },
      { name: 'rejected', values: perSecond(series.rejected ?? zeros, bucketSeconds), color: PALETTE[2]! },
    ],
  });
  const latency = latencyChart(data.timeline);
  const retries = chart({
    id: 'chart-retries',
    title: 'Retries, and 429 answers (the server asked to slow down)',
    unit: 'per bucket',
    bucketSeconds,
    kind: 'bars',
    totals: true,
    series: [
      { name: 'retries', values: series.retries ?? zeros, color: PALETTE[1]! },
      { name: '429', values: series.throttled ?? zeros, color: PALETTE[2]! },
    ],
  });
  return `<section id="time"><h2>Over time</h2>${throughput}${latency}${retries}</section>`;
}

function rejects(data: RunData): string {
  if (data.rejects.length === 0) return '<section id="rejects"><h2>Rejects</h2><p class="empty">No record was rejected.</p></section>';
  const rows = data.rejects.map((group) => {
    const code = group.status === undefined ? group.code : `${group.code} (HTTP ${group.status})`;
    const examples = group.examples.map((e) => `<li><code>${escapeHtml(`${e.file}:${e.line}`)}</code> ${escapeHtml(e.message)}</li>`).join('');
    return `<tr><td><code>${escapeHtml(code)}</code></td><td class="num" data-reject-count="${escapeHtml(code)}">${group.count}</td><td><ul class="examples">${examples}</ul></td></tr>`;
  });
  const file = data.summary.rejects ? `<p class="note">Every rejected record is in <code>${escapeHtml(data.summary.rejects)}</code>.</p>` : '';
  return `<section id="rejects"><h2>Rejects by reason</h2><table><thead><tr><th>reason</th><th>count</th><th>first examples (file:line)</th></tr></thead><tbody>${rows.join('')}</tbody></table>${file}</section>`;
}

function arrivalSeries(series: Record<string, number[]>): ChartSeries[] {
  return Object.entries(series)
    .map(([name, values]) => ({ name, values }))
    .sort((a, b) => (a.name === '(other)' ? 1 : b.name === '(other)' ? -1 : sumOf(b.values) - sumOf(a.values)))
    .map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length]! }));
}

export function plural(n: number, word: string): string {
  return `${formatNumber(n)} ${word}${n === 1 ? '' : 's'}`;
}

function sumOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function arrivals(data: RunData): string {
  const what = data.dryRun ? 'What would be sent' : 'What arrived';
  const byEvent = chart({ id: 'chart-arrivals-event', title: `${what}, per event name`, unit: 'events per bucket', bucketSeconds: data.arrivals.byEvent.bucketSeconds, kind: 'stacked', totals: true, series: arrivalSeries(data.arrivals.byEvent.series) });
  const byType = chart({ id: 'chart-arrivals-type', title: `${what}, per object type (events touching it)`, unit: 'events per bucket', bucketSeconds: data.arrivals.byObjectType.bucketSeconds, kind: 'stacked', totals: true, series: arrivalSeries(data.arrivals.byObjectType.series) });
  return `<section id="arrivals"><h2>${what}</h2>${byEvent}${byType}</section>`;
}

function graphs(data: RunData): string {
  const dfg = data.dfg;
  if (dfg.types.length === 0) return '<section id="dfg"><h2>Directly-follows graph</h2><p class="empty">Nothing was sent.</p></section>';
  const notes: string[] = [];
  if (dfg.forgotten > 0) notes.push(`<p class="warning" id="dfg-cap">The graph is incomplete: at most ${dfg.objectCap} objects are followed at once, and ${dfg.forgotten} were forgotten (those first seen earliest). A later event of a forgotten object starts a new path, so some edges are missing and some starts are extra./p>`);
  if (dfg.namesFolded > 0) notes.push(`<p class="warning">Too many distinct event names or object types: ${dfg.namesFolded} are counted as “(other)”.</p>`);
  const sections = dfg.types.map((type, i) => {
    const { svg, hidden } = dfgSvg(type, i);
    const more = hidden > 0 || type.edgeCount > type.edges.length ? `<p class="note">Showing the ${MAX_EDGES} most frequent of ${type.edgeCount} edges.</p>` : '';
    return `<figure class="graph"><figcaption>${escapeHtml(type.type)} <span class="unit">(${plural(type.objects, 'object')}, ${plural(type.edgeCount, 'edge')})</span></figcaption>${more}<div class="scroll">${svg}</div></figure>`;
  });
  const intro = '<p class="note">Per object type: which event follows which for the same object, in the order the events were sent, with counts. A mapping that links the wrong objects shows here as edges that make no sense.</p>';
  return `<section id="dfg"><h2>Directly-follows graph of what was sent</h2>${intro}${notes.join('')}${sections.join('')}</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:0 auto;max-width:820px;padding:16px 24px 48px}
h1{font-size:20px;margin:8px 0 2px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666;margin:0}.figures{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:10px}
.figure{border:1px solid #ddd;border-radius:6px;padding:6px 12px;min-width:80px}.figure .label{display:block;color:#666;font-size:12px}.figure .value{font-size:20px;font-weight:600}
.note{color:#555;font-size:13px}.warning{background:#fff4e0;border-left:4px solid #f28e2b;padding:6px 10px}.empty{color:#777;font-style:italic}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}.unit{font-weight:400;color:#666}
.axis text{font-size:11px;fill:#555}.axis line{stroke:#999}.axis line.grid{stroke:#eee}
.legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}.total{color:#777}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid #eee}td.num{text-align:right}
.examples{margin:0;padding-left:16px;font-size:12px}code{font-size:12px}
.scroll{overflow-x:auto}.dfg .node rect{fill:#eef3f9;stroke:#4e79a7}.dfg .node.terminal rect{fill:#f3f3f3;stroke:#999}.dfg .node text{font-size:12px}
.dfg .edge path{stroke:#7a8797}.dfg marker path{fill:#7a8797}.dfg .edge-label{font-size:11px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px}
`;

export function renderPage(data: RunData): string {
  const s = data.summary;
  const meta = `${escapeHtml(s.outcome)}${s.dryRun ? ' · dry run, nothing sent' : ''}${s.error ? ` · ${escapeHtml(s.error)}` : ''}`;
  return renderDocument(data, meta, [account(s), timeCharts(data), rejects(data), arrivals(data), graphs(data)]);
}

/** What every report page shares: the head (its policy and generator mark), the title, its sections, and the data it was drawn from. */
export function renderDocument(data: { runId?: number; command: string; target: string; endpoint: string; startedAt: string }, outcome: string, sections: string[]): string {
  const run = data.runId !== undefined ? `run ${data.runId} · ` : '';
  const title = `eventload ${data.command} → ${data.target}`;
  const meta = `${run}${escapeHtml(data.endpoint)} · started ${escapeHtml(data.startedAt)} · ${outcome}`;
  // The data the page was drawn from, for tools (and tests) that read the report: JSON, never run.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta name="generator" content="${GENERATOR}">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}${data.runId !== undefined ? ` (run ${data.runId})` : ''}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1><p class="meta">${meta}</p>`,
    ...sections,
    `<script type="application/json" id="eventload-run-data">${json}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
