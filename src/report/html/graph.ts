// The directly-follows graph of one object type as static SVG: dagre lays the nodes and edges out
// (a maintained layout library; eventload has no layout code of its own), d3-shape draws the edge
// curves through dagre's points. A graph with many names shows its most frequent edges and says
// how many it left out, so it stays legible and the file small.
import dagre from '@dagrejs/dagre';
import { scaleLinear } from 'd3-scale';
import { curveBasis, line } from 'd3-shape';
import type { DfgType } from '../dfg.js';
import { escapeHtml, formatNumber } from './text.js';

/** Edges drawn per object type, most frequent first. */
export const MAX_EDGES = 40;

const START = '\u0000start';
const END = '\u0000end';
const CHAR_WIDTH = 7;
const NODE_HEIGHT = 38;

/** The SVG of one type's graph, and how many of its edges were left out. */
export function dfgSvg(type: DfgType, index: number): { svg: string; hidden: number } {
  const edges = type.edges.slice(0, MAX_EDGES);
  const names = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  // A type whose objects have one event each has no edge: its nodes still show what happened.
  for (const node of type.nodes.slice(0, 12)) if (names.size < 12) names.add(node.event);
  const counts = new Map(type.nodes.map((node) => [node.event, node.count]));
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 46, edgesep: 12, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const name of names) {
    const label = `${name} (${formatNumber(counts.get(name) ?? 0)})`;
    graph.setNode(name, { label, width: Math.max(60, label.length * CHAR_WIDTH + 20), height: NODE_HEIGHT });
  }
  const starts = type.starts.filter((s) => names.has(s.event));
  const ends = type.ends.filter((s) => names.has(s.event));
  if (starts.length > 0) graph.setNode(START, { label: 'start', width: 54, height: 26 });
  if (ends.length > 0) graph.setNode(END, { label: 'end', width: 54, height: 26 });
  const all = [
    ...starts.map((s) => ({ from: START, to: s.event, count: s.count })),
    ...edges,
    ...ends.map((s) => ({ from: s.event, to: END, count: s.count })),
  ];
  for (const edge of all) graph.setEdge(edge.from, edge.to, { label: formatNumber(edge.count), width: String(edge.count).length * CHAR_WIDTH, height: 14, labelpos: 'c' });
  dagre.layout(graph);
  const { width = 100, height = 100 } = graph.graph();
  const stroke = scaleLinear().domain([0, Math.max(1, ...all.map((e) => e.count))]).range([1, 6]);
  const curve = line<{ x: number; y: number }>().x((p) => p.x).y((p) => p.y).curve(curveBasis);
  const marker = `arrow-${index}`;
  const edgeMarks = all.map((edge) => {
    const layout = graph.edge(edge.from, edge.to) as { points: Array<{ x: number; y: number }>; x?: number; y?: number };
    const label = layout.x !== undefined ? `<text class="edge-label" x="${layout.x.toFixed(1)}" y="${layout.y!.toFixed(1)}" dy="0.32em" text-anchor="middle">${formatNumber(edge.count)}</text>` : '';
    const title = `${name(edge.from)} → ${name(edge.to)}: ${formatNumber(edge.count)}`;
    return `<g class="edge"><path d="${curve(layout.points)}" fill="none" stroke-width="${stroke(edge.count).toFixed(1)}" marker-end="url(#${marker})"><title>${escapeHtml(title)}</title></path>${label}</g>`;
  });
  const nodeMarks = graph.nodes().map((id: string) => {
    const node = graph.node(id) as { x: number; y: number; width: number; height: number; label: string };
    const terminal = id === START || id === END;
    return `<g class="node${terminal ? ' terminal' : ''}" transform="translate(${(node.x - node.width / 2).toFixed(1)},${(node.y - node.height / 2).toFixed(1)})"><rect width="${node.width}" height="${node.height}" rx="${terminal ? node.height / 2 : 5}"/><text x="${node.width / 2}" y="${node.height / 2}" dy="0.32em" text-anchor="middle">${escapeHtml(node.label)}</text></g>`;
  });
  const defs = `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>`;
  const svg = `<svg class="dfg" id="dfg-${index}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" role="img" aria-label="directly-follows graph of ${escapeHtml(type.type)}">${defs}${edgeMarks.join('')}${nodeMarks.join('')}</svg>`;
  return { svg, hidden: type.edges.length - edges.length };
}

function name(id: string): string {
  return id === START ? 'start' : id === END ? 'end' : id;
}
