// `eventload validate`: read, map and check everything; send nothing; say exactly what is wrong.
// stdout carries the chosen report (text, json, github annotations or JUnit XML); progress and
// --verbose lines go to stderr. Only the first --max-errors invalid records are listed one by
// one; after them come the totals per reason code, so 100,000 bad rows are a few lines, not 100,000.
import { applyConfig } from '../../config/apply.js';
import { ConfigError, EventloadError, EXIT, formatIssues, formatPosition, reasonOf, type Issue } from '../../errors.js';
import { errorLine } from '../error-line.js';
import type { ReasonCode } from '../../codes.js';
import { prepareInputs, readEvents } from '../../pipeline/read-events.js';
import { ErrorRateGuard } from '../../report/error-rate.js';
import { junitReport, type JunitFile } from '../../report/junit.js';
import { formatReason, ReasonTally } from '../../report/reasons.js';
import { RejectsWriter } from '../../report/rejects.js';
import { checkReplaceable, OutputWriteError, replaceFile } from '../../output/file.js';
import { checkOutputs } from '../../output/same-file.js';
import { inputPaths } from '../../core/outputs.js';
import { loadInputSettings, type InputFlags } from '../input-settings.js';
import { Progress } from '../progress.js';
import { planShard } from '../shard.js';
import { shardLabel } from '../../pipeline/shard.js';
import type { CommandFlags } from '../../options/index.js';

export type Reporter = 'text' | 'json' | 'github' | 'junit';

/** Invalid records listed one by one unless --max-errors says otherwise (0: all). */
export const DEFAULT_MAX_ERRORS = 20;

/** The flags of validate, typed by the option table (src/options). */
export type ValidateFlags = CommandFlags<'validate'> & InputFlags;

interface ListedError {
  file: string;
  line: number;
  stage: string;
  code: ReasonCode;
  issues: Issue[];
}

export async function runValidate(commandLineFiles: string[], commandLineFlags: ValidateFlags): Promise<number> {
  const { flags, files } = await applyConfig(commandLineFlags, commandLineFlags.optionSources, commandLineFiles, { command: 'validate' });
  if (flags.json) {
    if (flags.reporter !== 'text' && flags.reporter !== 'json') throw new ConfigError(`--json and --reporter ${flags.reporter}: choose one`, 'EL_USAGE');
    flags.reporter = 'json';
  }
  const maxErrors = flags.maxErrors ?? DEFAULT_MAX_ERRORS;
  const settings = await loadInputSettings(files, flags);
  const sharded = await planShard(files, flags.shard, process.env, flags.reporter !== 'text' && !flags.verbose);
  settings.files = sharded.files;
  if (sharded.mode === 'event') settings.shard = sharded.shard;
  const guard = flags.maxErrorRate !== undefined ? new ErrorRateGuard(flags.maxErrorRate) : undefined;
  const outputs = [...(flags.rejects ? [{ role: '--rejects', path: flags.rejects }] : []), ...(flags.junit ? [{ role: '--junit', path: flags.junit }] : [])];
  checkOutputs(inputPaths(files, flags), outputs);
  // A rejects file the user named is appended to, a header line per run (see RejectsWriter).
  const rejects = flags.rejects ? new RejectsWriter(flags.rejects, { append: true, command: 'validate', files }) : undefined;
  await rejects?.checkWritable();
  if (flags.junit) checkReplaceable(flags.junit, '--junit', (text) => text.includes('<testsuite name="eventload validate"')); // fail before reading, not after
  const prepared = await prepareInputs(settings);

  const progress = new Progress({ verbose: flags.verbose });
  if (flags.config) progress.verbose(`config ${flags.config}`);
  for (const { input, reader } of prepared) progress.verbose(`${input.name}: read as ${reader.name}${flags.mapping ? ` with mapping ${flags.mapping}` : ''}${flags.timezone ? `, time zone ${flags.timezone}` : ''}`);

  const counts = { read: 0, valid: 0, invalid: 0, skipped: 0, otherShards: 0 };
  const listed: ListedError[] = [];
  const reasons = new ReasonTally();
  const perFile = new Map<string, JunitFile>(sharded.files.map((file) => [file, { file, read: 0, valid: 0, invalid: 0, skipped: 0, failures: [], seconds: 0 }]));
  const started = Date.now();
  let current: { entry: JunitFile; since: number } | undefined;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let stopped: string | undefined;
  let writeFailed: OutputWriteError | undefined;

  progress.watchInputs(prepared.map((p) => p.input));
  progress.startValidation(counts);
  try {
    for await (const item of readEvents(settings, prepared)) {
      if (item.kind === 'other-shard') {
        // Another worker's record: read (every worker reads the one file) but judged there.
        counts.read++;
        counts.otherShards++;
        continue;
      }
      const file = item.position.file;
      if (current?.entry.file !== file) {
        const now = Date.now();
        if (current) current.entry.seconds += (now - current.since) / 1000;
        let entry = perFile.get(file);
        if (!entry) perFile.set(file, (entry = { file, read: 0, valid: 0, invalid: 0, skipped: 0, failures: [], seconds: 0 }));
        current = { entry, since: now };
      }
      const entry = current.entry;
      counts.read++;
      entry.read++;
      if (item.kind === 'skipped') {
        counts.skipped++;
        entry.skipped++;
        continue; // not a record to judge: it counts toward no rate
      }
      if (item.kind === 'event') {
        counts.valid++;
        entry.valid++;
      } else {
        counts.invalid++;
        entry.invalid++;
        try {
          await rejects?.write(item);
        } catch (error) {
          // Disk full: stop at once; what was counted so far is the account, the rerun writes the rest.
          if (!(error instanceof OutputWriteError)) throw error;
          writeFailed = error;
          break;
        }
        reasons.add(item.issues, item.position);
        const listing = maxErrors === 0 || listed.length < maxErrors;
        if (listing) {
          const error = { file, line: item.position.line, stage: item.stage, code: reasonOf(item.issues), issues: item.issues };
          listed.push(error);
          entry.failures.push({ line: error.line, stage: error.stage, code: error.code, reason: formatIssues(error.issues) });
          if (flags.reporter === 'text') out(`${formatPosition(item.position)}: ${error.code}: ${formatIssues(item.issues)}`);
          if (flags.reporter === 'github') out(githubAnnotation(error));
        }
        // --verbose: every invalid record as it is found, unless stdout has just shown it.
        if (!listing || flags.reporter === 'json' || flags.reporter === 'junit') progress.rejected(item);
      }
      if (guard?.observe(item.kind === 'event')) {
        stopped = guard.message();
        break;
      }
    }
  } finally {
    progress.stop();
    await rejects?.close();
    for (const { input } of prepared) input.stream.destroy(); // inputs not reached when the run stopped early
  }
  if (current) current.entry.seconds += (Date.now() - current.since) / 1000;
  const seconds = (Date.now() - started) / 1000;
  const rejectsPath = rejects && rejects.count + rejects.notWritten > 0 ? rejects.path : null;
  if (writeFailed) stopped = writeFailed.message;

  const entries = [...perFile.values()];
  const reached = current ? entries.indexOf(current.entry) : entries.length - 1;
  const junitFiles = entries.map((entry, index) => (stopped && index > reached ? { ...entry, notRead: 'not read: the run stopped at --max-error-rate' } : entry));
  const rejectedByReason = reasons.list();
  const junit = () => junitReport({ name: 'eventload validate', files: junitFiles, seconds, timestamp: new Date(started), stopped, reasons: rejectedByReason.map((group) => formatReason(group)) });
  if (flags.junit) writeJunit(flags.junit, junit());

  if (flags.reporter === 'json') {
    const shard = sharded.shard && { index: sharded.shard.index, count: sharded.shard.count, mode: sharded.mode, from: sharded.shard.from, files: sharded.files.length };
    out(JSON.stringify({ command: 'validate', files: sharded.files, ...(shard && { shard }), ...counts, rejectedByReason, errors: listed, errorsListed: listed.length, rejects: rejectsPath, ...(rejects?.notWritten && { rejectsNotWritten: rejects.notWritten }), ...(stopped && { stopped }) }, null, 2));
  } else if (flags.reporter === 'junit') {
    process.stdout.write(junit());
  } else {
    const more = counts.invalid > listed.length ? ` (${counts.invalid - listed.length} more not listed, --max-errors ${maxErrors})` : '';
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    const others = sharded.shard ? `, ${counts.otherShards} for other shards (shard ${shardLabel(sharded.shard)})` : '';
    out(`${counts.read} records read: ${counts.valid} valid, ${counts.invalid} invalid${skipped}${others}${more}`);
    const width = Math.max(0, ...rejectedByReason.map(({ count }) => String(count).length));
    for (const group of rejectedByReason) out(`  ${formatReason(group, width)}`);
    if (rejectsPath) out(`rejected records written to ${rejectsPath}`);
  }
  if (stopped) process.stderr.write(errorLine(writeFailed ? writeFailed.code : 'EL_ERROR_RATE_EXCEEDED', stopped));
  if (writeFailed) return EXIT.aborted;
  return counts.invalid > 0 ? EXIT.someRejected : EXIT.ok;
}

/** Replaces an earlier eventload JUnit file atomically (checked replaceable before reading). */
function writeJunit(path: string, xml: string): void {
  try {
    replaceFile(path, xml, '--junit');
  } catch (error) {
    if (error instanceof EventloadError) throw error;
    throw new ConfigError((error as Error).message, 'EL_OUTPUT_OPEN');
  }
}

/** GitHub Actions workflow command; `%`, CR, LF and the property separators must be escaped. */
function githubAnnotation(error: ListedError): string {
  const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::error file=${escapeProperty(error.file)},line=${error.line},title=${escapeProperty(`${error.code} (${error.stage})`)}::${escapeData(formatIssues(error.issues))}`;
}
