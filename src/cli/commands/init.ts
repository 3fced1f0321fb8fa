// `eventload init FILE`: samples the first records of a CSV or NDJSON file and writes a starting
// mapping file, saying on stderr what it guessed, why, and what the user must check.
import { existsSync, lstatSync } from 'node:fs';
import { basename } from 'node:path';
import { createFileExclusively, replaceFile } from '../../output/file.js';
import { checkOutputs } from '../../output/same-file.js';
import { ConfigError, EXIT, formatIssues, type Issue } from '../../errors.js';
import { checkCanonical, type CanonicalEvent } from '../../events/canonical.js';
import { isValidTimeZone } from '../../events/timestamp.js';
import { recordsMember } from '../../init/columns.js';
import { formatJson } from '../../init/format.js';
import { guessMapping, type MappingFile, type Note } from '../../init/guess.js';
import { compileMapping } from '../../mapping/compile.js';
import { describeSchemaError, parseMapping } from '../../mapping/load.js';
import { chooseReader } from '../../readers/index.js';
import { holdsReplacement } from '../../readers/decode.js';
import { openInput, type ByteState } from '../../readers/input.js';
import type { RawRecord, ReaderItem, ReaderPlugin } from '../../readers/types.js';

export interface InitFlags {
  target?: string;
  out?: string;
  force?: boolean;
  format?: string;
  delimiter?: string;
  records?: string;
  encoding?: string;
  /** --override: for a format with a built-in mapping, write a mapping file to lay over it. */
  override?: boolean;
  /** --timezone: the zone of zone-less timestamps, written into the mapping instead of a placeholder. */
  timezone?: string;
}

// Enough rows to see most values a column takes, few enough that init answers at once.
const SAMPLE_RECORDS = 200;
// A file of nothing but unreadable lines is not read to its end.
const MAX_ITEMS = 2_000;

export async function runInit(file: string, flags: InitFlags): Promise<number> {
  if (flags.timezone !== undefined && !isValidTimeZone(flags.timezone)) throw new ConfigError(`--timezone: unknown time zone "${flags.timezone}" (use an IANA name such as Europe/Berlin)`, 'EL_TIMEZONE_UNKNOWN');
  if (file === '-' && !flags.out) throw new ConfigError('reading standard input: name the mapping file to write with --out FILE', 'EL_USAGE');
  const out = flags.out ?? defaultOutput(file);
  // Even --force never writes the mapping over the file it is guessed from.
  checkOutputs([{ role: 'input', path: file }], [{ role: 'the mapping file', path: out }]);
  if (!flags.force && (existsSync(out) || lstatSync(out, { throwIfNoEntry: false }))) throw new ConfigError(`${out}: already exists; pass --force to overwrite it`, 'EL_OUTPUT_EXISTS');

  const input = await openInput(file, { encoding: flags.encoding });
  const reader = chooseReader(file, input.head, flags.format);
  if (reader.defaultMapper) {
    input.stream.destroy();
    if (!flags.override) {
      printNotes(file, undefined, [{ kind: 'guess', text: `${reader.name} input has a built-in mapping: no mapping file is needed (pass --override to write one to lay over it, to change parts of it; docs/mapping.md)` }]);
      return EXIT.ok;
    }
    writeMapping(out, overrideSkeleton(reader), flags.force);
    printNotes(file, undefined, [{ kind: 'check', text: `${out} is laid over the built-in ${reader.name} mapping: edit what you want to change and delete the rest (docs/mapping.md)` }]);
    process.stdout.write(`${out}\n`);
    return EXIT.ok;
  }
  const given = { ...(flags.delimiter !== undefined && { delimiter: flags.delimiter }), ...(flags.records !== undefined && { records: flags.records }) };
  const parsedOptions = reader.optionsSchema.safeParse(given);
  if (!parsedOptions.success) throw new ConfigError(`${reader.name} reader options: ${describeSchemaError(parsedOptions.error)}`, 'EL_READER_OPTIONS');

  const sample = await readSample(reader.read({ name: input.name, stream: input.stream, head: input.head }, parsedOptions.data), input.state);
  input.stream.destroy();
  if (sample.records.length === 0) {
    throw new ConfigError(`${file}: no records could be read${sample.firstProblem ? ` (${sample.firstProblem})` : ''}`, 'EL_INIT_NO_RECORDS');
  }

  const wrapped = sample.header === undefined && sample.records.length === 1 && flags.records === undefined ? recordsMember(sample.records[0]!) : undefined;
  if (wrapped) {
    throw new ConfigError(`${file}: is one JSON object wrapping ${wrapped.count} records in "${wrapped.path}": run init again with --records ${wrapped.path}`, 'EL_INIT_NO_GUESS');
  }
  const guess = guessMapping({ file: basename(file), header: sample.header, records: sample.records, target: flags.target });
  const notes = [...guess.notes];
  if (sample.unreadable > 0) notes.push({ kind: 'check', text: `${sample.unreadable} of the first rows could not be read (${sample.firstProblem}); validate lists them all` });
  if (guess.kind === 'canonical') {
    printNotes(file, sample.records.length, notes);
    return EXIT.ok;
  }
  if (guess.kind === 'unusable') {
    printNotes(file, sample.records.length, notes);
    throw new ConfigError(`${file}: ${guess.reason}`, 'EL_INIT_NO_GUESS');
  }

  const readerSection = { ...given, ...(flags.encoding !== undefined && { encoding: flags.encoding }) };
  const mapping: MappingFile = { ...guess.mapping, ...(Object.keys(readerSection).length > 0 && { reader: readerSection }) };
  if (flags.timezone !== undefined) withTimezone(mapping, flags.timezone, notes);
  notes.push(...(await checkSample(mapping, sample.records, out, flags.target)));
  writeMapping(out, mapping, flags.force);
  printNotes(file, sample.records.length, notes);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}

/** Missing folders are created; --force replaces the old file whole (a failure leaves it as it was). */
function writeMapping(out: string, mapping: object, force: boolean | undefined): void {
  try {
    if (force) replaceFile(out, `${formatJson(mapping)}\n`, 'init: mapping file');
    else createFileExclusively(out, `${formatJson(mapping)}\n`, 'init: mapping file');
  } catch (error) {
    if ((error as ConfigError).code === 'EL_OUTPUT_EXISTS') throw new ConfigError(`${out}: already exists; pass --force to overwrite it`, 'EL_OUTPUT_EXISTS');
    throw new ConfigError((error as Error).message, 'EL_OUTPUT_OPEN');
  }
}

/** The reader's skeleton (or a description alone) with the reader's options at their defaults. */
function overrideSkeleton(reader: ReaderPlugin<any>): Record<string, unknown> {
  const skeleton = reader.overrideSkeleton?.() ?? {
    description: `Laid over the built-in ${reader.name} mapping: add event, timestamp, objects, properties, actor or idempotency_key to replace the default's (docs/mapping.md).`,
  };
  return { ...skeleton, reader: reader.optionsSchema.parse({}) };
}

/** --timezone replaces the placeholder zone (and its warning): the user has said which zone it is. */
function withTimezone(mapping: MappingFile, zone: string, notes: Note[]): void {
  const timestamp = mapping.timestamp as string | { column: string; format?: string; timezone?: string };
  const spec = typeof timestamp === 'string' ? { column: timestamp } : timestamp;
  (mapping as { timestamp: unknown }).timestamp = { ...spec, timezone: zone };
  const placeholder = notes.findIndex((note) => note.text.startsWith('TIME ZONE:'));
  if (placeholder >= 0) notes.splice(placeholder, 1);
  notes.push({ kind: 'guess', text: `timestamp: values without a zone are read in ${zone} (--timezone)` });
}

/** `exports/orders.csv.gz` → `orders.mapping.json`, in the current folder. */
export function defaultOutput(file: string): string {
  return `${basename(file).replace(/\.gz$/i, '').replace(/\.[^.]*$/, '') || 'input'}.mapping.json`;
}

interface Sample {
  header: string[] | undefined;
  records: RawRecord[];
  unreadable: number;
  firstProblem: string | undefined;
}

async function readSample(items: AsyncIterable<ReaderItem>, state: ByteState): Promise<Sample> {
  const sample: Sample = { header: undefined, records: [], unreadable: 0, firstProblem: undefined };
  let seen = 0;
  // Leaving the loop early closes the reader, which stops reading the file.
  for await (const item of items) {
    if (item.kind === 'columns') sample.header = item.columns;
    // A record with invalid UTF-8 would teach the guess garbled values: it counts as unreadable.
    if (item.kind === 'record' && state.invalidUtf8 && holdsReplacement(item.record)) {
      sample.unreadable++;
      sample.firstProblem ??= `line ${item.position.line}: holds bytes that are not valid UTF-8 (pass --encoding NAME)`;
    } else if (item.kind === 'record') sample.records.push(item.record);
    if (item.kind === 'invalid') {
      sample.unreadable++;
      sample.firstProblem ??= `line ${item.position.line}: ${item.issue.path}: ${item.issue.message}`;
    }
    if (sample.records.length >= SAMPLE_RECORDS || ++seen >= MAX_ITEMS) break;
  }
  return sample;
}

/** Maps the sampled records with the new mapping, as validate would, and says how many fail. */
async function checkSample(mapping: MappingFile, records: RawRecord[], out: string, target: string | undefined): Promise<Note[]> {
  const parsed = parseMapping(mapping, out);
  const mapper = compileMapping({ ...parsed, event: parsed.event!, timestamp: parsed.timestamp!, objects: parsed.objects! });
  let targetCheck: ((event: CanonicalEvent) => Issue[]) | undefined;
  if (target) {
    const { findTarget, parseTargetOptions } = await import('../../targets/index.js');
    const plugin = findTarget(target);
    const options = parseTargetOptions(plugin, mapping.targets?.[plugin.name], out);
    targetCheck = (event) => plugin.check(event, options);
  }
  let rejected = 0;
  let first: string | undefined;
  records.forEach((record, index) => {
    const mapped = mapper.map(record, { file: out, line: index + 1 });
    const issues = mapped.ok ? [...checkCanonical(mapped.event), ...(targetCheck?.(mapped.event) ?? [])] : mapped.issues;
    if (issues.length === 0) return;
    rejected++;
    first ??= formatIssues(issues);
  });
  if (rejected === 0) return [{ kind: 'guess', text: `all ${records.length} sampled records map to valid events${target ? ` for ${target}` : ''}` }];
  return [{ kind: 'check', text: `${rejected} of ${records.length} sampled records would be rejected${target ? ` for ${target}` : ''}, for example: ${first}` }];
}

function printNotes(file: string, sampled: number | undefined, notes: readonly Note[]): void {
  const lines = [`eventload init: ${file}${sampled === undefined ? '' : `: looked at ${sampled} record${sampled === 1 ? '' : 's'}`}`];
  for (const note of notes.filter((n) => n.kind === 'guess')) lines.push(`  ${note.text}`);
  const checks = notes.filter((n) => n.kind === 'check');
  if (checks.length > 0) {
    lines.push('', 'Check before importing:');
    for (const note of checks) lines.push(`  ! ${note.text}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}
