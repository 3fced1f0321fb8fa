// `eventload verify`: flags resolved into the core's verify options, its result printed (or its
// JSON), written with --report, and mapped to the exit code; with --resend the missing events are
// then sent through the normal delivery (src/cli/delivery.ts), journal and all.
import { join } from 'node:path';
import { verify, type Verification, type VerifyResult } from '../../core/index.js';
import { ConfigError, EXIT } from '../../errors.js';
import { parseInstant } from '../../events/timestamp.js';
import { loadMapping } from '../../mapping/load.js';
import { replaceFile } from '../../output/file.js';
import { writeRunReport } from '../../report/html/index.js';
import type { Summary } from '../../upload/summary.js';
import type { ReadOptions } from '../../pipeline/read-events.js';
import { redact } from '../../secrets/redact.js';
import { findTarget } from '../../targets/index.js';
import type { CommandFlags } from '../../options/index.js';
import { DELIVERY_DEFAULTS, REQUEST_TIMEOUT_FACTOR } from '../defaults.js';
import { paceFor, planDelivery, runDelivery, type ImportFlags } from '../delivery.js';
import { checkEndpoint } from '../endpoint.js';
import { loadInputSettings } from '../input-settings.js';
import { DEFAULT_JOURNAL } from '../journal-path.js';
import { installStopSignals } from '../signals.js';
import { paint } from '../terminal.js';

/** The flags of verify, typed by the option table (src/options). */
export type VerifyFlags = CommandFlags<'verify'> & { target: string; optionSources?: Record<string, string | undefined> };

export async function runVerify(files: string[], flags: VerifyFlags): Promise<number> {
  const target = findTarget(flags.target);
  const window = { from: instant('--since', flags.since), until: instant('--until', flags.until) };
  if (window.from !== undefined && window.until !== undefined && window.from >= window.until) throw new ConfigError(`--until "${flags.until}" must be later than --since "${flags.since}"`, 'EL_VERIFY_WINDOW');
  const settings = await inputSettings(files, flags);
  const rate = paceFor(flags.rate, target);
  const timeout = flags.timeout ?? DELIVERY_DEFAULTS.timeout;
  const output = flags.rejects ?? join('', defaultVerifyPath());
  const controller = new AbortController();
  const signals = installStopSignals(() => controller.abort());
  let verification: Verification;
  try {
    verification = await verify(
      target,
      {
        connect: async () => ({ endpoint: checkEndpoint(flags.endpoint ?? target.defaultEndpoint, flags.allowHttp ?? false), env: process.env, sandbox: false }),
        journal: { path: typeof flags.journal === 'string' ? flags.journal : DEFAULT_JOURNAL },
        settings,
        window,
        rate,
        retry: { maxRetries: flags.maxRetries ?? DELIVERY_DEFAULTS.maxRetries, deadlineMs: (flags.retryDeadline ?? DELIVERY_DEFAULTS.retryDeadline) * 1000, baseDelayMs: flags.backoffBase ?? DELIVERY_DEFAULTS.backoffBase },
        timeouts: { idleMs: timeout, totalMs: flags.requestTimeout ?? timeout * REQUEST_TIMEOUT_FACTOR },
        output: { path: output, append: flags.rejects !== undefined },
        ...(flags.reportHtml && { reportHtml: flags.reportHtml }),
        secretsFrom: process.env,
        signal: controller.signal,
      },
      (event) => {
        if (flags.verbose && event.type === 'retried') process.stderr.write(`eventload: ${event.reason}: waiting ${Math.round(event.waitMs)} ms\n`);
        else if (flags.verbose && event.type === 'started') process.stderr.write(`eventload: reading ${event.readFrom} at ${event.endpoint}, comparing with the ${event.source}\n`);
      },
    );
  } finally {
    signals.runOver();
    signals.dispose();
  }
  const { result } = verification;
  if (flags.report) replaceFile(flags.report, `${redact(JSON.stringify(result, null, 2))}\n`, '--report');
  if (flags.json && !flags.resend) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (!flags.json) process.stdout.write(formatResult(result));
  const verdict = result.outcome === 'verified' ? EXIT.ok : EXIT.someRejected;
  if (!flags.resend || result.file === null || result.missing === 0) {
    if (flags.json && flags.resend) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (flags.reportHtml) writeRunReport(flags.reportHtml, verification.runData);
    return verdict;
  }
  const resent = await resend(result, flags);
  // The page shows the resend's account too; the journal keeps it as its own run (reportable on its own).
  if (flags.reportHtml) writeRunReport(flags.reportHtml, { ...verification.runData, ...(resent.summary && { resend: resent.summary }) });
  // The resend's own failure (exit 3, 4) wins; otherwise what verify found stands until a second verify proves the repair.
  return resent.code === EXIT.ok || resent.code === EXIT.someRejected ? verdict : resent.code;
}

/**
 * Sends the file's events as `replay FILE` would, through the journal: the missing ones are marked
 * missing there, so they go; the different ones are still held delivered, so they are skipped.
 */
async function resend(result: VerifyResult, flags: VerifyFlags): Promise<{ code: number; summary: Summary | undefined }> {
  const importFlags = {
    ...DELIVERY_DEFAULTS,
    ...Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)),
    rejects: undefined,
    report: undefined,
    reportHtml: undefined, // verify's page shows the resend's account
    json: flags.json,
    quiet: flags.quiet || flags.json,
    format: 'rejects',
  } as unknown as ImportFlags;
  if (!flags.json) process.stdout.write(`\nsending the ${result.missing} missing events again (${result.file}):\n`);
  const plan = await planDelivery([result.file!], importFlags, process.env, { command: 'verify --resend' });
  let resent: Summary | undefined;
  const code = await runDelivery(plan, { printSummary: (summary) => (resent = summary) });
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, resend: resent }, null, 2)}\n`);
  else process.stdout.write(formatResend((resent ?? {}) as unknown as Record<string, number | undefined>));
  return { code, summary: resent };
}

async function inputSettings(files: string[], flags: VerifyFlags): Promise<ReadOptions> {
  if (files.length > 0) return loadInputSettings(files, flags);
  const mapping = flags.mapping ? await loadMapping(flags.mapping) : undefined;
  return { files: [], mapping, mappingFile: flags.mapping };
}

function instant(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseInstant(value);
  if (!parsed.ok) throw new ConfigError(`${flag} "${value}": ${parsed.message}`, 'EL_VERIFY_WINDOW');
  return parsed.value;
}

/** `eventload-verify-<UTC time>.ndjson`, in the current folder. */
function defaultVerifyPath(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `eventload-verify-${stamp}.ndjson`;
}

function formatResult(result: VerifyResult): string {
  const color = paint(process.stdout);
  const fields = Object.entries(result.differentFields).map(([field, count]) => `${field} ${count}`).join(', ');
  const rows: Array<[string, string]> = [
    ['target', `${result.target} (${result.endpoint}), compared with the ${result.source}`],
    ...(result.window.from || result.window.until ? [['window', `${result.window.from ?? '…'} to ${result.window.until ?? '…'}`] as [string, string]] : []),
    ['expected', String(result.expected)],
    ['found', String(result.found)],
    ['missing', result.missing > 0 ? color.red(String(result.missing)) : '0'],
    ['different', result.different > 0 ? `${color.red(String(result.different))} (${fields})` : '0'],
    ['extra', `${result.extra} (on the server, unknown here; not touched)`],
    ...(result.unchecked > 0 ? [['unchecked', `${result.unchecked} (no copy of the event sent in the journal)`] as [string, string]] : []),
    ['read', `${plural(result.read.records, 'record')} in ${plural(result.read.pages, 'page')}, ${plural(result.read.requests, 'request')} (${plural(result.read.retries, 'retry', 'retries')})`],
    ...(result.file ? [['written to', `${result.file}${result.markedMissing > 0 ? ` (missing events marked in the journal: replay or --resend sends them)` : ''}`] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const heading = result.outcome === 'verified' ? color.green('verified: every event is on the server as sent') : color.red('not verified: events are missing or different');
  return `${heading}\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

function formatResend(summary: Record<string, number | undefined>): string {
  return `  resent: accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${(summary.rejectedLocal ?? 0) + (summary.rejectedServer ?? 0)}, skipped ${summary.skipped}, not sent ${summary.unsent}\n  run verify again to prove they arrived\n`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
