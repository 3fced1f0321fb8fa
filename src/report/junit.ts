// `validate --reporter junit`: the result as JUnit XML, which CI systems (GitHub Actions test
// reporters, GitLab, Jenkins, Azure) show as test results. One <testcase> per input file, one
// <failure> per invalid record listed, typed by its reason code; the totals per code go in the
// suite's <system-out>, so CI shows what is wrong overall without listing every record.

export interface JunitFailure {
  line: number;
  /** The pipeline stage that rejected the record (read, map, validate, target). */
  stage: string;
  /** The reason code (src/reasons.ts): the failure's type. */
  code: string;
  /** `field.path: message` (several joined with "; "). */
  reason: string;
}

export interface JunitFile {
  file: string;
  read: number;
  valid: number;
  invalid: number;
  skipped: number;
  /** Invalid records listed (at most --max-errors over the whole run). */
  failures: JunitFailure[];
  seconds: number;
  /** Set when the file was never read (the run stopped first): the test case is skipped. */
  notRead?: string;
}

export interface JunitRun {
  name: string;
  files: JunitFile[];
  seconds: number;
  timestamp: Date;
  /** Why the run stopped early (--max-error-rate), if it did. */
  stopped?: string;
  /** One line per reason code: `6 × EL_… (first at line 3 of …)`. */
  reasons?: string[];
}

export function junitReport(run: JunitRun): string {
  const failed = run.files.filter((file) => file.invalid > 0).length;
  const skipped = run.files.filter((file) => file.notRead !== undefined).length;
  const counts = `tests="${run.files.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds(run.seconds)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attribute(run.name)}" ${counts}>`,
    `  <testsuite name="${attribute(run.name)}" ${counts} timestamp="${run.timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
  ];
  for (const file of run.files) {
    lines.push(`    <testcase name="${attribute(file.file)}" classname="eventload.validate" time="${seconds(file.seconds)}">`);
    if (file.notRead !== undefined) lines.push(`      <skipped message="${attribute(file.notRead)}"/>`);
    for (const failure of file.failures) {
      const message = `${failure.line}: ${failure.reason}`;
      lines.push(`      <failure message="${attribute(message)}" type="${attribute(failure.code)}">${text(`${file.file}:${failure.line}: ${failure.code} (${failure.stage}): ${failure.reason}`)}</failure>`);
    }
    if (file.notRead === undefined) {
      const unlisted = file.invalid - file.failures.length;
      const more = unlisted > 0 ? ` (${unlisted} not listed, --max-errors)` : '';
      const skippedRecords = file.skipped > 0 ? `, ${file.skipped} skipped` : '';
      lines.push(`      <system-out>${text(`${file.read} records read: ${file.valid} valid, ${file.invalid} invalid${skippedRecords}${more}`)}</system-out>`);
    }
    lines.push('    </testcase>');
  }
  if (run.reasons?.length) lines.push(`    <system-out>${text(`invalid records by reason:\n${run.reasons.join('\n')}`)}</system-out>`);
  if (run.stopped) lines.push(`    <system-err>${text(run.stopped)}</system-err>`);
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function seconds(value: number): string {
  return value.toFixed(3);
}

/**
 * XML 1.0 cannot carry most control characters at all, not even as character references, and
 * neither can it carry lone surrogates: those are written as visible `\uXXXX` text instead.
 */
function visible(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Element content: `&`, `<` and `>` (the last for `]]>`). */
export function text(value: string): string {
  return visible(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: also quotes, and tab/CR/LF as references, which attribute normalisation would turn into spaces. */
export function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
