// Progress while a run goes on: an ora spinner on a terminal, a plain line at most every 10 s
// elsewhere (cron, CI logs: no control characters), nothing with --quiet. Retries and throttling
// are shown, not hidden; with --verbose each retry, pause and rejected record gets its own line.
import type { Ora } from 'ora';
import { formatIssues, formatPosition, reasonOf, type Issue, type Position } from '../errors.js';
import type { OpenedInput } from '../readers/input.js';
import type { RetryNotice } from '../upload/sender.js';
import type { Counts } from '../upload/summary.js';
import { canAnimate, colorEnabled } from './terminal.js';

const PLAIN_INTERVAL_MS = 10_000; // at most one line per 10 s in logs
const SPINNER_UPDATE_MS = 200;

export interface ProgressOptions {
  /** No spinner and no progress lines (--quiet, --json). --verbose lines are still written. */
  quiet?: boolean;
  verbose?: boolean;
  /** Total input size in bytes, when known: with bytes read it gives a percentage and an ETA. */
  total?: number;
  /** Where progress goes (default: stderr, so stdout stays clean for --json and reports). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Spinner (true) or plain lines (false); default: decided by src/cli/terminal.ts. */
  interactive?: boolean;
}

/** What validate counts. */
export interface ValidateCounts {
  read: number;
  valid: number;
  invalid: number;
  skipped: number;
}

export class Progress {
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;
  private render: (() => string) | undefined;
  private started = Date.now();
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly interactive: boolean;
  /** End times of retry waits under way, for "retrying N". */
  private waits: number[] = [];
  private notice: { text: (remainingMs: number) => string; until: number } | undefined;
  private bytesRead: (() => number) | undefined;
  private total: number | undefined;
  private details: Array<() => string | undefined> = [];

  constructor(private readonly options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? canAnimate(this.stream);
    this.total = options.total && options.total > 0 ? options.total : undefined;
  }

  /** Adds a part to every progress line (replay's lag), shown when it returns text. */
  addDetail(detail: () => string | undefined): void {
    this.details.push(detail);
  }

  /** Starts showing an import's counts (the object is read at each update, not copied). */
  start(counts: Counts): void {
    this.begin(() => importLine(counts, this.elapsedSeconds()));
  }

  /** Starts showing validate's counts. */
  startValidation(counts: ValidateCounts): void {
    this.begin(() => validateLine(counts, this.elapsedSeconds()));
  }

  /**
   * Reports how many bytes of input have been read so far (all files together), for the
   * percentage and ETA. Cheap: call it as often as you like. See also watchInputs.
   */
  bytes(readSoFar: number): void {
    this.bytesRead = () => readSoFar;
  }

  /**
   * Takes the bytes read from the inputs themselves at each update, and their total size when
   * every size is known (not for standard input). Call once, before or after start.
   */
  watchInputs(inputs: readonly OpenedInput[]): void {
    this.bytesRead = () => inputs.reduce((sum, input) => sum + bytesConsumed(input), 0);
    if (this.options.total === undefined) {
      const sizes = inputs.map((input) => input.size);
      this.total = sizes.every((size) => size !== undefined) ? sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0) || undefined : undefined;
    }
  }

  /** A retry or a throttling pause: shown until the wait is over; with --verbose also as a line. */
  retry(notice: RetryNotice): void {
    const until = Date.now() + notice.waitMs;
    this.waits.push(until);
    this.notice = {
      until,
      text: (remaining) => (notice.throttled ? `throttled by server (${notice.reason}), waiting ${seconds(remaining)} s` : `${notice.reason}, retrying in ${seconds(remaining)} s`),
    };
    if (this.options.verbose) this.write(`${this.notice.text(notice.waitMs)} (attempt ${notice.attempt + 1})`);
  }

  /** A rejected record: with --verbose, a line naming it and why, as it happens. */
  rejected(item: { position: Position; stage: string; issues: readonly Issue[] }): void {
    if (this.options.verbose) this.write(`rejected ${formatPosition(item.position)} (${item.stage}): ${reasonOf(item.issues)}: ${formatIssues(item.issues)}`);
  }

  /** A line that stays (above the spinner on a terminal), unless --quiet. */
  note(message: string): void {
    if (!this.options.quiet) this.write(message);
  }

  /** A line that stays, even under --quiet: for --verbose output. */
  verbose(message: string): void {
    if (this.options.verbose) this.write(message);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
    this.render = undefined;
  }

  /** The current progress line (what the spinner or the next plain line shows). */
  line(): string {
    if (!this.render) return '';
    const now = Date.now();
    this.waits = this.waits.filter((until) => until > now);
    const parts = [this.render()];
    if (this.waits.length > 0) parts.push(`retrying ${this.waits.length}`);
    const eta = this.eta();
    if (eta) parts.push(eta);
    for (const detail of this.details) {
      const text = detail();
      if (text) parts.push(text);
    }
    if (this.notice && this.notice.until > now) parts.push(this.notice.text(this.notice.until - now));
    return parts.join(' · ');
  }

  private begin(render: () => string): void {
    this.render = render;
    this.started = Date.now();
    if (this.options.quiet) return;
    if (this.interactive) {
      const color = colorEnabled(this.stream) ? 'cyan' : false;
      // ora (and what it loads, ~14 MB) only where a spinner is shown: a run under cron, CI or
      // --quiet never pays for it. The spinner appears once loaded, unless the run is over by then.
      void import('ora').then(({ default: ora }) => {
        if (this.render !== render) return;
        // discardStdin stays off: standard input may be the data being imported.
        this.spinner = ora({ text: this.line(), stream: this.stream as NodeJS.WriteStream, isEnabled: true, discardStdin: false, color }).start();
        this.timer = setInterval(() => this.spinner && (this.spinner.text = this.line()), SPINNER_UPDATE_MS);
      });
    } else {
      this.timer = setInterval(() => this.stream.write(`eventload: ${this.line()}\n`), PLAIN_INTERVAL_MS);
      this.timer.unref();
    }
  }

  private write(message: string): void {
    // On a terminal ora intercepts writes to stderr: it clears the spinner, writes, and redraws it.
    this.stream.write(`eventload: ${message}\n`);
  }

  private elapsedSeconds(): number {
    return Math.max((Date.now() - this.started) / 1000, 0.001);
  }

  /** "45%, ETA 12 s" once the input size and the bytes read are known. */
  private eta(): string | undefined {
    if (!this.total || !this.bytesRead) return undefined;
    const fraction = Math.min(this.bytesRead() / this.total, 1);
    const percent = `${Math.floor(fraction * 100)}%`;
    const elapsed = this.elapsedSeconds();
    if (fraction < 0.01 || fraction >= 1 || elapsed < 1) return percent;
    return `${percent}, ETA ${duration((elapsed * (1 - fraction)) / fraction)}`;
  }
}

function importLine(c: Counts, elapsed: number): string {
  const rate = Math.round((c.accepted + c.duplicates) / elapsed);
  const parts = [`read ${c.read}`, `sent ${c.sent}`, `accepted ${c.accepted + c.duplicates}`, `rejected ${c.rejectedLocal + c.rejectedServer}`];
  if (c.skipped > 0) parts.push(`skipped ${c.skipped}`);
  parts.push(`${rate} events/s`);
  return parts.join(' · ');
}

function validateLine(c: ValidateCounts, elapsed: number): string {
  const parts = [`read ${c.read}`, `valid ${c.valid}`, `invalid ${c.invalid}`];
  if (c.skipped > 0) parts.push(`skipped ${c.skipped}`);
  parts.push(`${Math.round(c.read / elapsed)} records/s`);
  return parts.join(' · ');
}

/** Bytes taken from an input's file so far: compressed bytes for .gz, as its size is on disk. */
export function bytesConsumed(input: OpenedInput): number {
  if (input.bytesRead) return input.bytesRead(); // the file under the decoding stages
  const stream = input.stream as unknown as { bytesRead?: unknown; bytesWritten?: unknown; readableEnded?: boolean };
  if (typeof stream.bytesRead === 'number') return stream.bytesRead; // fs.ReadStream
  if (typeof stream.bytesWritten === 'number') return stream.bytesWritten; // zlib: compressed bytes in
  return stream.readableEnded ? (input.size ?? 0) : 0; // a small file read whole while detecting its format
}

/** "1.2" below 10 s, whole seconds above. */
function seconds(ms: number): string {
  const value = ms / 1000;
  return value < 10 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
}

/** "12 s", "3 min 5 s", "2 h 10 min". */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
