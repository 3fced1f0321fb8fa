// `eventload report RUN --out FILE`: the HTML report of a past run, from the data the run stored
// in the journal. It only reads the journal (no lock, never waits for a run), like status.
import { existsSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { Journal } from '../../journal/journal.js';
import { checkOutputs, journalFiles } from '../../output/same-file.js';
import { checkRunReportPath, writeRunReport, type ReportData } from '../../report/html/index.js';
import { RUN_DATA_VERSION } from '../../report/run-data.js';
import { VERIFY_DATA_VERSION } from '../../report/verify-data.js';

/** The newest stored shape this eventload draws: deliveries are stored as version 1, verifications as 2. */
const READABLE_VERSION = Math.max(RUN_DATA_VERSION, VERIFY_DATA_VERSION);
import { DEFAULT_JOURNAL } from '../journal-path.js';

export interface ReportFlags {
  journal?: string;
  out: string;
}

export async function runReport(run: string, flags: ReportFlags): Promise<number> {
  const which = runOf(run);
  const path = flags.journal ?? DEFAULT_JOURNAL;
  if (!existsSync(path)) throw new ConfigError(`no journal at ${path} (runs of import, replay, sync and verify write one; --journal FILE names another)`, 'EL_JOURNAL_MISSING');
  checkOutputs(journalFiles(path), [{ role: '--out', path: flags.out }]);
  checkRunReportPath(flags.out, '--out');
  const journal = Journal.openReadOnly(path);
  let data: ReportData;
  try {
    data = stored(journal, which, path);
  } finally {
    journal.close();
  }
  writeRunReport(flags.out, data, '--out');
  process.stdout.write(`${flags.out}\n`);
  return 0;
}

function runOf(run: string): number | 'last' {
  if (run === 'last') return 'last';
  if (/^[1-9]\d*$/.test(run)) return Number(run);
  throw new ConfigError(`RUN must be a run id (the summary's "run id", "runId" in --json) or last, not "${run}"`, 'EL_REPORT_RUN_INVALID');
}

function stored(journal: Journal, which: number | 'last', path: string): ReportData {
  const found = journal.runReport(which);
  if ('runs' in found) {
    const known = found.runs.length > 0 ? `runs with a report: ${found.runs.join(', ')}` : 'it holds no run report yet';
    throw new ConfigError(`journal ${path}: no report for ${which === 'last' ? 'any run' : `run ${which}`} (${known})`, 'EL_REPORT_RUN_UNKNOWN');
  }
  const data = JSON.parse(found.data) as ReportData;
  if (data.version > READABLE_VERSION) throw new ConfigError(`run ${found.runId} was stored by a newer eventload (report data version ${data.version}); upgrade eventload to render it`, 'EL_REPORT_DATA_NEWER');
  if (!knownShape(data)) throw new ConfigError(`run ${found.runId}: its stored report data (version ${data.version}) is not in a shape this eventload can draw; the journal's row may have been edited by hand`, 'EL_REPORT_DATA_INVALID');
  return data;
}

/** The parts each page draws from, checked before drawing: a damaged row is a clear message, not a stack trace. */
function knownShape(data: ReportData): boolean {
  const has = (value: unknown) => typeof value === 'object' && value !== null;
  if ('kind' in data && data.kind === 'verify') return has(data.result) && has(data.examples) && has(data.timeline);
  if ('kind' in data) return false;
  return has(data.summary) && has(data.timeline) && has(data.arrivals) && has(data.dfg) && Array.isArray(data.rejects);
}
