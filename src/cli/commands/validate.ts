// `eventload validate`: read, map and check everything; send nothing; say exactly what is wrong.
import { EXIT, formatIssues, formatPosition } from '../../errors.js';
import { readEvents } from '../../pipeline/read-events.js';
import { RejectsWriter } from '../../report/rejects.js';
import { loadInputSettings, type InputFlags } from '../input-settings.js';

export interface ValidateFlags extends InputFlags {
  reporter: 'text' | 'json' | 'github';
  maxErrors?: number;
}

interface ListedError {
  file: string;
  line: number;
  stage: string;
  issues: { path: string; message: string }[];
}

export async function runValidate(files: string[], flags: ValidateFlags): Promise<number> {
  const settings = await loadInputSettings(files, flags);
  const rejects = flags.rejects ? new RejectsWriter(flags.rejects) : undefined;
  await rejects?.checkWritable();
  const counts = { read: 0, valid: 0, invalid: 0, skipped: 0 };
  const listed: ListedError[] = [];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    for await (const item of readEvents(settings)) {
      counts.read++;
      if (item.kind === 'event') counts.valid++;
      else if (item.kind === 'skipped') counts.skipped++;
      else {
        counts.invalid++;
        await rejects?.write(item);
        if (flags.maxErrors !== undefined && listed.length >= flags.maxErrors) continue;
        const error = { file: item.position.file, line: item.position.line, stage: item.stage, issues: item.issues };
        listed.push(error);
        if (flags.reporter === 'text') out(`${formatPosition(item.position)}: ${formatIssues(item.issues)}`);
        if (flags.reporter === 'github') out(githubAnnotation(error));
      }
    }
  } finally {
    await rejects?.close();
  }
  const rejectsPath = rejects && rejects.count > 0 ? rejects.path : null;
  if (flags.reporter === 'json') {
    out(JSON.stringify({ command: 'validate', files, ...counts, errors: listed, errorsListed: listed.length, rejects: rejectsPath }, null, 2));
  } else {
    const more = counts.invalid > listed.length ? ` (${counts.invalid - listed.length} more not listed, --max-errors ${flags.maxErrors})` : '';
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    out(`${counts.read} records read: ${counts.valid} valid, ${counts.invalid} invalid${skipped}${more}`);
    if (rejectsPath) out(`rejected records written to ${rejectsPath}`);
  }
  return counts.invalid > 0 ? EXIT.someRejected : EXIT.ok;
}

/** GitHub Actions workflow command; `%`, CR, LF and the property separators must be escaped. */
function githubAnnotation(error: ListedError): string {
  const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::error file=${escapeProperty(error.file)},line=${error.line},title=${escapeProperty(`invalid record (${error.stage})`)}::${escapeData(formatIssues(error.issues))}`;
}
