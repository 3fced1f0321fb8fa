// The HTML report of a run: rendered from its RunData (src/report/run-data.ts), written through
// the output rules (replaces only an earlier report of eventload's, atomically; every secret
// redacted). `--report-html` of import, replay and sync, and `eventload report RUN`, both end
// here, as do verify's (a VerifyRunData, drawn by its own page: verify-page.ts).
import { checkReplaceable, replaceFile } from '../../output/file.js';
import { redact } from '../../secrets/redact.js';
import type { RunData } from '../run-data.js';
import type { VerifyRunData } from '../verify-data.js';
import { GENERATOR, renderPage } from './page.js';
import { renderVerifyPage } from './verify-page.js';

/** What a report is drawn from: a delivery's run data, or a verification's. */
export type ReportData = RunData | VerifyRunData;

export function isVerifyData(data: ReportData): data is VerifyRunData {
  return 'kind' in data && data.kind === 'verify';
}

/** The report as one self-contained HTML document (not yet redacted: writeRunReport does that). */
export function renderRunReport(data: ReportData): string {
  return isVerifyData(data) ? renderVerifyPage(data) : renderPage(data);
}

/** An earlier report written by eventload (and so replaceable by a new one). */
export function isRunReport(text: string): boolean {
  return text.startsWith('<!doctype html>') && text.includes(`<meta name="generator" content="${GENERATOR}">`);
}

/** Checks before a run that `path` may be written (absent, empty, or an earlier report), as for --report. */
export function checkRunReportPath(path: string, flag = '--report-html'): void {
  checkReplaceable(path, flag, isRunReport);
}

/** Writes the report of `data` to `path`, redacted, replacing an earlier report atomically. */
export function writeRunReport(path: string, data: ReportData, flag = '--report-html'): void {
  replaceFile(path, redact(renderRunReport(data)), flag);
}
