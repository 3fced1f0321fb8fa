// The HTML report of a run: rendered from its RunData (src/report/run-data.ts), written through
// the output rules (replaces only an earlier report of eventload's, atomically; every secret
// redacted). `--report-html` of import, replay and sync, and `eventload report RUN`, both end
// here; so can any command that builds a RunData (verify).
import { replaceFile } from '../../output/file.js';
import { redact } from '../../secrets/redact.js';
import type { RunData } from '../run-data.js';
import { renderPage } from './page.js';

export { checkRunReportPath, isRunReport } from './mark.js';

/** The report as one self-contained HTML document (not yet redacted: writeRunReport does that). */
export function renderRunReport(data: RunData): string {
  return renderPage(data);
}

/** Writes the report of `data` to `path`, redacted, replacing an earlier report atomically. */
export function writeRunReport(path: string, data: RunData, flag = '--report-html'): void {
  replaceFile(path, redact(renderRunReport(data)), flag);
}
