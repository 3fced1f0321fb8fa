// Terminal or not: a spinner and colour for a person at a terminal; plain lines at most every 10 s,
// and no control characters, for logs; NO_COLOR honoured; --verbose and --quiet.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { duration, Progress } from '../../src/cli/progress.js';
import { formatSummary } from '../../src/cli/summary-output.js';
import { canAnimate, colorEnabled, isInteractive, paint } from '../../src/cli/terminal.js';
import type { OpenedInput } from '../../src/readers/input.js';
import { emptyCounts, type Summary } from '../../src/upload/summary.js';
import { bin, fixture, runCli, withTempDir } from '../helpers.js';

/** Control characters other than line feed (and tab): what a log must never contain. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F\u009B]/;
const SGR_COLOUR = /\u001B\[3\dm/;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

/** A CSV big enough that reading it takes a while (about 60 000 rows a second). */
async function bigCsv(dir: string, rows: number): Promise<{ csv: string; mapping: string }> {
  const lines = ['case,activity,at'];
  for (let i = 0; i < rows; i++) lines.push(`C${i},a,${i % 1000 === 0 ? 'soon' : '2024-01-01T10:00:00Z'}`);
  await writeFile(join(dir, 'big.csv'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'm.json'), JSON.stringify({ event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] }));
  return { csv: join(dir, 'big.csv'), mapping: join(dir, 'm.json') };
}

describe('terminal detection', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['EVENTLOAD_FORCE_TTY', 'NO_COLOR', 'FORCE_COLOR', 'CI']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('is a terminal when the stream is a TTY outside CI, or when EVENTLOAD_FORCE_TTY says so', () => {
    delete process.env.EVENTLOAD_FORCE_TTY;
    delete process.env.CI;
    expect(isInteractive({ isTTY: true })).toBe(true);
    expect(isInteractive({})).toBe(false);
    process.env.CI = 'true';
    expect(isInteractive({ isTTY: true })).toBe(false);
    process.env.EVENTLOAD_FORCE_TTY = '1';
    expect(isInteractive({})).toBe(true);
    process.env.EVENTLOAD_FORCE_TTY = '0';
    delete process.env.CI;
    expect(isInteractive({ isTTY: true })).toBe(false);
  });

  it('colours only on a terminal, never under NO_COLOR (any non-empty value) or FORCE_COLOR=0', () => {
    process.env.EVENTLOAD_FORCE_TTY = '1';
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
    expect(colorEnabled({})).toBe(true);
    expect(paint({}).red('x')).toBe('\u001B[31mx\u001B[39m');
    process.env.NO_COLOR = '1';
    expect(colorEnabled({})).toBe(false);
    expect(paint({}).red('x')).toBe('x');
    process.env.NO_COLOR = '';
    expect(colorEnabled({})).toBe(true);
    process.env.FORCE_COLOR = '0';
    expect(colorEnabled({})).toBe(false);
    process.env.EVENTLOAD_FORCE_TTY = '0';
    delete process.env.FORCE_COLOR;
    expect(colorEnabled({})).toBe(false);
  });

  it('animates no spinner on a terminal that reports 0 columns (an unsized pseudo-terminal)', () => {
    delete process.env.EVENTLOAD_FORCE_TTY;
    delete process.env.CI;
    expect(canAnimate({ isTTY: true, columns: 0 })).toBe(false);
    expect(canAnimate({ isTTY: true, columns: 80 })).toBe(true);
  });
});

describe('Progress', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2024-05-01T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a plain line at most every 10 s when not on a terminal, with no control characters', () => {
    const out = capture();
    const progress = new Progress({ stream: out.stream, interactive: false });
    const counts = { ...emptyCounts(), read: 120, sent: 100, accepted: 98, rejectedLocal: 2 };
    progress.start(counts);
    vi.advanceTimersByTime(9_999);
    expect(out.text()).toBe('');
    vi.advanceTimersByTime(1);
    expect(out.text()).toBe('eventload: read 120 · sent 100 · accepted 98 · rejected 2 · 10 events/s\n');
    counts.accepted = 198;
    vi.advanceTimersByTime(10_000);
    expect(out.text().split('\n')).toHaveLength(3);
    expect(out.text()).not.toMatch(CONTROL);
    progress.stop();
    vi.advanceTimersByTime(60_000);
    expect(out.text().split('\n')).toHaveLength(3);
  });

  it('shows throttling and retries while the wait lasts', () => {
    const progress = new Progress({ stream: capture().stream, interactive: false });
    progress.start(emptyCounts());
    progress.retry({ reason: 'HTTP 429', waitMs: 2_000, throttled: true, attempt: 1 });
    progress.retry({ reason: 'HTTP 503', waitMs: 1_000, throttled: false, attempt: 1 });
    expect(progress.line()).toBe('read 0 · sent 0 · accepted 0 · rejected 0 · 0 events/s · retrying 2 · HTTP 503, retrying in 1 s');
    vi.advanceTimersByTime(1_000);
    expect(progress.line()).toBe('read 0 · sent 0 · accepted 0 · rejected 0 · 0 events/s · retrying 1');
    progress.retry({ reason: 'HTTP 429', waitMs: 2_000, throttled: true, attempt: 2 });
    expect(progress.line()).toMatch(/ · retrying 2 · throttled by server \(HTTP 429\), waiting 2 s$/);
    vi.advanceTimersByTime(1_200);
    expect(progress.line()).toMatch(/ · throttled by server \(HTTP 429\), waiting 0\.8 s$/);
    vi.advanceTimersByTime(1_000);
    expect(progress.line()).toBe('read 0 · sent 0 · accepted 0 · rejected 0 · 0 events/s');
    progress.stop();
  });

  it('shows a percentage and an ETA from the bytes read of a known total', () => {
    const progress = new Progress({ stream: capture().stream, interactive: false, total: 1_000 });
    progress.startValidation({ read: 500, valid: 499, invalid: 1, skipped: 0 });
    progress.bytes(5);
    expect(progress.line()).toBe('read 500 · valid 499 · invalid 1 · 500000 records/s · 0%');
    vi.advanceTimersByTime(10_000);
    progress.bytes(250);
    expect(progress.line()).toBe('read 500 · valid 499 · invalid 1 · 50 records/s · 25%, ETA 30 s');
    progress.bytes(1_000);
    expect(progress.line()).toBe('read 500 · valid 499 · invalid 1 · 50 records/s · 100%');
    progress.stop();
  });

  it('takes bytes and total from the inputs, and shows no percentage when a size is unknown (stdin)', () => {
    const file = { name: 'a.csv', size: 400, head: '', stream: Object.assign(new PassThrough(), { bytesRead: 100 }) } as unknown as OpenedInput;
    const progress = new Progress({ stream: capture().stream, interactive: false });
    progress.watchInputs([file]);
    progress.startValidation({ read: 1, valid: 1, invalid: 0, skipped: 0 });
    expect(progress.line()).toMatch(/ · 25%$/);
    const stdin = { name: '-', size: undefined, head: '', stream: new PassThrough() } as unknown as OpenedInput;
    const unknown = new Progress({ stream: capture().stream, interactive: false });
    unknown.watchInputs([file, stdin]);
    unknown.startValidation({ read: 1, valid: 1, invalid: 0, skipped: 0 });
    expect(unknown.line()).not.toMatch(/%/);
    progress.stop();
    unknown.stop();
  });

  it('with --verbose writes each retry and rejected record as it happens, even under --quiet', () => {
    const out = capture();
    const progress = new Progress({ stream: out.stream, interactive: false, quiet: true, verbose: true });
    progress.start(emptyCounts());
    progress.retry({ reason: 'HTTP 429', waitMs: 2_000, throttled: true, attempt: 1 });
    progress.retry({ reason: 'ECONNRESET', waitMs: 1_234, throttled: false, attempt: 2 });
    progress.rejected({ position: { file: 'orders.csv', line: 7 }, stage: 'server', issues: [{ path: 'objects[0].id', message: 'must be 1-500 characters', code: 'EL_FIELD_LENGTH' }] });
    progress.note('not shown under --quiet');
    vi.advanceTimersByTime(30_000);
    expect(out.text()).toBe(
      [
        'eventload: throttled by server (HTTP 429), waiting 2 s (attempt 2)',
        'eventload: ECONNRESET, retrying in 1.2 s (attempt 3)',
        'eventload: rejected orders.csv:7 (server): EL_FIELD_LENGTH: objects[0].id: must be 1-500 characters',
        '',
      ].join('\n'),
    );
    progress.stop();
  });

  it('without --verbose keeps retries and rejections to the progress line', () => {
    const out = capture();
    const progress = new Progress({ stream: out.stream, interactive: false, quiet: true });
    progress.start(emptyCounts());
    progress.retry({ reason: 'HTTP 429', waitMs: 2_000, throttled: true, attempt: 1 });
    progress.rejected({ position: { file: 'a.csv', line: 2 }, stage: 'map', issues: [{ path: 'event', message: 'is required', code: 'EL_FIELD_REQUIRED' }] });
    vi.advanceTimersByTime(30_000);
    expect(out.text()).toBe('');
    progress.stop();
  });

  it('formats durations for the ETA', () => {
    expect([duration(0.4), duration(59), duration(61), duration(3_725)]).toEqual(['0 s', '59 s', '1 min 1 s', '1 h 2 min']);
  });
});

describe('the summary table', () => {
  // Fields the table does not show are left out; the cast keeps this test about the table.
  const summary = {
    ...emptyCounts(),
    read: 1_000,
    valid: 588,
    sent: 588,
    accepted: 580,
    rejectedLocal: 412,
    rejectedServer: 8,
    target: 'immutable',
    endpoint: 'https://api.example.com',
    dryRun: false,
    outcome: 'completed',
    elapsedSeconds: 12.345,
    eventsPerSecond: 47,
    peakRssMb: 90,
    rejects: 'eventload-rejects-20240501-100000.ndjson',
    peakEventsInFlight: 0,
    rejectedByReason: [
      { code: 'EL_FIELD_LENGTH', count: 412, example: { file: 'orders.csv', line: 3, message: 'objects[0].id: must be 1-500 characters' } },
      { code: 'EL_SERVER_REJECTED', status: 422, count: 8, example: { file: 'orders.csv', line: 17, message: 'server: HTTP 422: actor_id is required' } },
    ],
  } as Summary;

  it('aligns labels and counts, listing the counts by reason code under the rejected count, then the rejects file', () => {
    expect(formatSummary(summary)).toBe(
      [
        'import finished',
        '  target        immutable (https://api.example.com)',
        '  read          1000',
        '  valid         588',
        '  sent          588',
        '  accepted      580',
        '  duplicates    0',
        '  rejected      420 (local 412, server 8)',
        '                412 × EL_FIELD_LENGTH (first at line 3 of orders.csv: objects[0].id: must be 1-500 characters)',
        '                  8 × EL_SERVER_REJECTED (HTTP 422) (first at line 17 of orders.csv: server: HTTP 422: actor_id is required)',
        '  rejects file  eventload-rejects-20240501-100000.ndjson',
        '  retries       0',
        '  elapsed       12.3 s',
        '  events/s      47',
        '  peak memory   90 MB',
        '',
      ].join('\n'),
    );
  });

  it('colours the heading and counts only when asked to', () => {
    const coloured = formatSummary(summary, { bold: (t) => `<b>${t}</b>`, dim: (t) => t, red: (t) => `<r>${t}</r>`, green: (t) => `<g>${t}</g>`, yellow: (t) => `<y>${t}</y>` });
    expect(coloured.split('\n')[0]).toBe('<y><b>import finished</b></y>');
    expect(coloured).toContain('rejected      <r>420</r> (local 412');
    expect(coloured).toContain('accepted      <g>580</g>');
  });

  it('clips a very long reason so the table stays readable', () => {
    const long = formatSummary({ ...summary, rejectedByReason: [{ code: 'EL_FIELD_LENGTH', count: 1, example: { file: 'a.csv', line: 2, message: `x: ${'y'.repeat(500)}` } }] });
    const line = long.split('\n').find((row) => row.includes('1 × EL_FIELD_LENGTH'))!;
    expect(line.length).toBeLessThan(280);
    expect(line.endsWith('…)')).toBe(true);
  });
});

describe('end to end: what a terminal, a log and NO_COLOR get', () => {
  it('writes no control characters and no progress when not on a terminal', async () => {
    await withTempDir(async (dir) => {
      const run = await runCli(['import', fixture('orders.csv'), '-m', fixture('orders.mapping.json'), '--target', 'flowmyna', '--sandbox'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: undefined, EVENTLOAD_FORCE_TTY: undefined } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^import finished\n/);
      expect(run.stdout).not.toMatch(CONTROL);
      expect(run.stderr).not.toMatch(CONTROL);
    });
  });

  it('colours the summary on a terminal, and not under NO_COLOR', async () => {
    await withTempDir(async (dir) => {
      const args = ['import', fixture('orders.csv'), '-m', fixture('orders.mapping.json'), '--target', 'flowmyna', '--sandbox'];
      const tty = await runCli(args, { cwd: dir, env: { EVENTLOAD_FORCE_TTY: '1', NO_COLOR: undefined, FORCE_COLOR: undefined } });
      expect(tty.code, tty.stderr).toBe(0);
      expect(tty.stdout).toMatch(SGR_COLOUR);
      const noColor = await runCli(args, { cwd: dir, env: { EVENTLOAD_FORCE_TTY: '1', NO_COLOR: '1', FORCE_COLOR: undefined } });
      expect(noColor.code, noColor.stderr).toBe(0);
      expect(noColor.stdout).not.toMatch(/\u001B/);
      expect(noColor.stdout).toMatch(/^import finished\n {2}target {7}flowmyna/);
    });
  });

  it('shows a spinner with counts, percentage and ETA on a (forced) terminal; nothing on stderr otherwise', async () => {
    await withTempDir(async (dir) => {
      const { csv, mapping } = await bigCsv(dir, 60_000);
      const tty = await runCli(['validate', csv, '-m', mapping, '--max-errors', '1'], { env: { EVENTLOAD_FORCE_TTY: '1' } });
      expect(tty.code).toBe(1);
      expect(tty.stderr).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] read \d+ · valid \d+ · invalid \d+ · \d+ records\/s · \d+%/);
      expect(tty.stdout).toContain('60000 records read: 59940 valid, 60 invalid (59 more not listed, --max-errors 1)\n  60 × EL_TIMESTAMP_INVALID (first at line 2 of');
      const log = await runCli(['validate', csv, '-m', mapping, '--max-errors', '1'], { env: { EVENTLOAD_FORCE_TTY: undefined } });
      expect(log.stderr).toBe('');
      expect(log.stdout).toBe(tty.stdout);
    });
  });

  it('validate --verbose says how each file is read and lists records beyond --max-errors on stderr', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--max-errors', '5', '--verbose']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'eventload: fixtures/orders-mistakes.csv: read as csv with mapping fixtures/orders.mapping.json\n' +
        'eventload: rejected fixtures/orders-mistakes.csv:10 (map): EL_VALUE_NOT_INTEGER: properties.item_count: column "item_count": "2.5" is not an integer\n',
    );
    expect(result.stdout.split('\n')).toHaveLength(13); // 5 listed, the counts, 6 reason codes, the final line break
  });

  it('refuses --quiet with --verbose on import (exit 2)', async () => {
    const result = await runCli(['import', 'fixtures/events.ndjson', '--target', 'flowmyna', '--dry-run', '--quiet', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/option '--verbose' cannot be used with option '-q, --quiet'/);
  });
});

/** util-linux `script` runs a command in a real pseudo-terminal (Linux; macOS's script differs). */
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux');

describe.skipIf(!hasScript)('in a real pseudo-terminal (util-linux script; skipped where absent)', () => {
  function inPty(command: string, env: Record<string, string | undefined> = {}) {
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined, EVENTLOAD_FORCE_TTY: undefined, ...env } as NodeJS.ProcessEnv,
    });
    return { code: result.status, output: result.stdout };
  }

  it('spins on a sized terminal, hides and restores the cursor, and keeps listed errors on their own lines', async () => {
    await withTempDir(async (dir) => {
      const { csv, mapping } = await bigCsv(dir, 60_000);
      const { code, output } = inPty(`stty cols 120 rows 40; ${process.execPath} ${bin} validate ${csv} -m ${mapping} --max-errors 2`);
      expect(code).toBe(1);
      expect(output).toContain('\u001B[?25l'); // cursor hidden while spinning
      expect(output).toContain('\u001B[?25h'); // and shown again
      expect(output).toMatch(/\u001B\[36m[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/); // a cyan spinner frame
      expect(output).toContain(`${csv}:1002: EL_TIMESTAMP_INVALID: timestamp: column "at": "soon" is not an ISO 8601 date-time\r\n`);
      expect(output).toContain('60000 records read: 59940 valid, 60 invalid (58 more not listed, --max-errors 2)');
    });
  });

  it('spins without colour under NO_COLOR', async () => {
    await withTempDir(async (dir) => {
      const { csv, mapping } = await bigCsv(dir, 30_000);
      const { output } = inPty(`stty cols 120 rows 40; ${process.execPath} ${bin} validate ${csv} -m ${mapping} --max-errors 0`, { NO_COLOR: '1' });
      expect(output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] read/);
      expect(output).not.toMatch(SGR_COLOUR);
    });
  });

  it('does not hang on a terminal that reports 0 columns: plain progress instead of a spinner', async () => {
    await withTempDir(async (dir) => {
      const { csv, mapping } = await bigCsv(dir, 30_000);
      const { code, output } = inPty(`stty cols 0 rows 0; ${process.execPath} ${bin} validate ${csv} -m ${mapping} --max-errors 0`);
      expect(code).toBe(1);
      expect(output).not.toContain('\u001B[?25l');
      expect(output).toContain('30000 records read: 29970 valid, 30 invalid');
    });
  });
});
