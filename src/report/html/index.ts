// The HTML report of a run: rendered from its RunData (src/report/run-data.ts), written through
// the output rules (replaces only an earlier report of eventload's, atomically; every secret
// redacted). `--report-html` of import, replay and sync, and `eventload report RUN`, both end
// here, as do verify's (a VerifyRunData, drawn by its own page: verify-page.ts).
import { replaceFile } from '../../output/file.js';
import { redact } from '../../secrets/redact.js';
import type { RunData } from '../run-data.js';
import type { VerifyRunData } from '../verify-data.js';
import { renderPage } from './page.js';
import { renderVerifyPage } from './verify-page.js';

export { checkRunReportPath, isRunReport } from './mark.js';

/** What a report is drawn from: a delivery's run data, or a verification's. */
export type ReportData = RunData | VerifyRunData;

export function isVerifyData(data: ReportData): data is VerifyRunData {
  return 'kind' in data && data.kind === 'verify';
}

/** The report as one self-contained HTML document (not yet redacted: writeRunReport does that). */
export function renderRunReport(data: ReportData): string {
  return isVerifyData(data) ? renderVerifyPage(data) : renderPage(data);
}

/** Writes the report of `data` to `path`, redacted, replacing an earlier report atomically. */
export function writeRunReport(path: string, data: ReportData, flag = '--report-html'): void {
  replaceFile(path, redact(renderRunReport(data)), flag);
}
