// The report's charts as static SVG, drawn when the report is written: d3-scale for the axes and
// d3-shape for the lines, areas and stacks. Nothing runs in the browser, so the page needs no
// script, makes no request and opens the same from disk anywhere.
import { scaleLinear } from 'd3-scale';
import { area, curveStepAfter, line, stack } from 'd3-shape';
import type { TimelineData } from '../timeline.js';
import { escapeHtml, formatNumber } from './text.js';

export interface ChartSeries {
  name: string;
  values: number[];
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What one unit on the y axis is: "events/s", "ms". */
  unit: string;
  bucketSeconds: number;
  series: ChartSeries[];
  kind: 'lines' | 'stacked' | 'bars';
  /** Show each series' total in the legend (counts; not for rates or latencies). */
  totals?: boolean;
}

/** Colours for series, distinct enough side by side (a categorical palette, Tableau 10). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#8c564b', '#7f7f7f'];

const WIDTH = 760;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 56 };

/** One chart: its SVG and its legend. A chart of nothing says so instead of drawing empty axes. */
export function chart(spec: ChartSpec): string {
  const buckets = Math.max(0, ...spec.series.map((s) => s.values.length));
  const total = spec.series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  if (buckets === 0 || total === 0) return `<p class="empty" id="${spec.id}-empty">${escapeHtml(spec.title)}: nothing to show for this run.</p>`;
  const span = buckets * spec.bucketSeconds;
  const x = scaleLinear().domain([0, span]).range([MARGIN.left, WIDTH - MARGIN.right]);
  const top = spec.kind === 'stacked' ? Math.max(...Array.from({ length: buckets }, (_, i) => spec.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0))) : Math.max(...spec.series.flatMap((s) => s.values));
  const y = scaleLinear().domain([0, top > 0 ? top : 1]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const marks = spec.kind === 'stacked' ? stacked(spec, x, y, buckets) : spec.kind === 'bars' ? bars(spec, x, y) : lines(spec, x, y);
  return [
    `<figure class="chart"><figcaption>${escapeHtml(spec.title)} <span class="unit">(${escapeHtml(spec.unit)}; buckets of ${formatNumber(spec.bucketSeconds)} s)</span></figcaption>`,
    `<svg id="${spec.id}" class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}">`,
    axes(x, y),
    marks,
    '</svg>',
    legend(spec.series, spec.totals ?? false),
    '</figure>',
  ].join('');
}

/** Mean and max latency of the answered requests per bucket, from a timeline's requests, latencyMsSum and latencyMsMax. */
export function latencyChart(timeline: TimelineData): string {
  const { bucketSeconds, series, buckets } = timeline;
  const zeros = new Array<number>(buckets).fill(0);
  const requests = series.requests ?? zeros;
  return chart({
    id: 'chart-latency',
    title: 'Latency of answered requests',
    unit: 'ms',
    bucketSeconds,
    kind: 'lines',
    series: [
      { name: 'mean', values: zeros.map((_, i) => (requests[i] ? (series.latencyMsSum?.[i] ?? 0) / requests[i]! : 0)), color: PALETTE[0]! },
      { name: 'max', values: series.latencyMsMax ?? zeros, color: PALETTE[1]! },
    ],
  });
}

export interface BarPart {
  label: string;
  value: number;
  color: string;
}

/** One bar split into parts in proportion to `total` (an account's figures); an empty grey bar when every part is 0. */
export function segmentBar(id: string, ariaLabel: string, parts: BarPart[], total: number): string {
  let left = 0;
  const segments = parts
    .filter((part) => part.value > 0)
    .map((part) => {
      const width = (part.value / Math.max(1, total)) * WIDTH;
      const rect = `<rect x="${left.toFixed(1)}" y="0" width="${Math.max(width, 1).toFixed(1)}" height="28" fill="${part.color}"><title>${part.label}: ${part.value}</title></rect>`;
      left += width;
      return rect;
    });
  return `<svg id="${id}" viewBox="0 0 ${WIDTH} 28" width="${WIDTH}" height="28" role="img" aria-label="${ariaLabel}">${segments.join('') || `<rect width="${WIDTH}" height="28" fill="#eee"/>`}</svg>`;
}

type Scale = ReturnType<typeof scaleLinear<number, number>>;

function axes(x: Scale, y: Scale): string {
  const bottom = HEIGHT - MARGIN.bottom;
  const xTicks = x.ticks(8).map((t) => `<g transform="translate(${x(t).toFixed(1)},${bottom})"><line y2="4"/><text y="16" text-anchor="middle">${formatSeconds(t)}</text></g>`);
  const format = y.tickFormat(5, '~s');
  const yTicks = y.ticks(5).map((t) => `<g transform="translate(${MARGIN.left},${y(t).toFixed(1)})"><line x2="${WIDTH - MARGIN.left - MARGIN.right}" class="grid"/><text x="-6" dy="0.32em" text-anchor="end">${escapeHtml(format(t))}</text></g>`);
  return `<g class="axis">${yTicks.join('')}<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${bottom}" y2="${bottom}"/>${xTicks.join('')}</g>`;
}

/** Each value holds for its whole bucket: steps, with the last one drawn to the run's end. */
function steps(values: number[]): Array<[number, number]> {
  const points = values.map((value, i): [number, number] => [i, value]);
  points.push([values.length, values[values.length - 1] ?? 0]);
  return points;
}

function lines(spec: ChartSpec, x: Scale, y: Scale): string {
  const path = line<[number, number]>()
    .x(([i]) => x(i * spec.bucketSeconds))
    .y(([, value]) => y(value))
    .curve(curveStepAfter);
  return spec.series.map((s) => `<path class="series" d="${path(steps(s.values))}" fill="none" stroke="${s.color}" stroke-width="1.8"><title>${escapeHtml(s.name)}</title></path>`).join('');
}

function stacked(spec: ChartSpec, x: Scale, y: Scale, buckets: number): string {
  const rows = Array.from({ length: buckets + 1 }, (_, i) => Object.fromEntries(spec.series.map((s) => [s.name, s.values[Math.min(i, buckets - 1)] ?? 0])));
  const layers = stack<Record<string, number>>().keys(spec.series.map((s) => s.name))(rows);
  const shape = area<[number, number] & { data: Record<string, number> }>()
    .x((_, i) => x(i * spec.bucketSeconds))
    .y0(([low]) => y(low))
    .y1(([, high]) => y(high))
    .curve(curveStepAfter);
  return layers.map((layer, k) => `<path class="series" d="${shape(layer as never)}" fill="${spec.series[k]!.color}" fill-opacity="0.85"><title>${escapeHtml(spec.series[k]!.name)}</title></path>`).join('');
}

function bars(spec: ChartSpec, x: Scale, y: Scale): string {
  const groups = spec.series.length;
  const slot = (x(spec.bucketSeconds) - x(0)) / groups;
  const width = Math.max(1, slot * 0.85);
  return spec.series
    .flatMap((s, k) =>
      s.values.flatMap((value, i) => {
        if (value === 0) return [];
        const left = x(i * spec.bucketSeconds) + k * slot;
        return [`<rect class="series" x="${left.toFixed(1)}" y="${y(value).toFixed(1)}" width="${width.toFixed(1)}" height="${(y(0) - y(value)).toFixed(1)}" fill="${s.color}"><title>${escapeHtml(s.name)}: ${formatNumber(value)} at ${formatSeconds(i * spec.bucketSeconds)}</title></rect>`];
      }),
    )
    .join('');
}

function legend(series: ChartSeries[], totals: boolean): string {
  const total = (s: ChartSeries) => (totals ? ` <span class="total">${formatNumber(s.values.reduce((a, b) => a + b, 0))}</span>` : '');
  const items = series.map((s) => `<li><span class="swatch" style="background:${s.color}"></span>${escapeHtml(s.name)}${total(s)}</li>`);
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** 0 s, 90 s, 2 min 30 s, 1 h 5 min: the run's time since its start. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${formatNumber(seconds)} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${Math.round(seconds % 60)} s` : ''}`;
  return `${Math.floor(seconds / 3600)} h${Math.round((seconds % 3600) / 60) ? ` ${Math.round((seconds % 3600) / 60)} min` : ''}`;
}
