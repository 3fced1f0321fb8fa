// How eventload knows a report file it wrote itself (and so may replace it), apart from the page's
// renderer: a run checks its --report-html path before it starts, and loading the renderer (dagre,
// d3) for that alone would cost every run its memory.
import { checkReplaceable } from '../../output/file.js';

/** The mark by which eventload knows a report it wrote (and so may replace it). */
export const GENERATOR = 'eventload run report';

/** An earlier report written by eventload (and so replaceable by a new one). */
export function isRunReport(text: string): boolean {
  return text.startsWith('<!doctype html>') && text.includes(`<meta name="generator" content="${GENERATOR}">`);
}

/** Checks before a run that `path` may be written (absent, empty, or an earlier report), as for --report. */
export function checkRunReportPath(path: string, flag = '--report-html'): void {
  checkReplaceable(path, flag, isRunReport);
}
