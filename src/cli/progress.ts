// Progress while a run goes on: an ora spinner on a terminal, a plain line at most every 10 s
// elsewhere (cron, CI logs), nothing with --quiet. Retries and throttling are shown, not hidden.
import type { Ora } from 'ora';
import type { Counts } from '../upload/summary.js';
import type { RetryNotice } from '../upload/sender.js';

const PLAIN_INTERVAL_MS = 10_000;

export class Progress {
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;
  private counts: Counts | undefined;
  private started = Date.now();
  private lastNotice = '';
  private readonly tty: boolean;

  constructor(private readonly options: { quiet?: boolean; total?: number }) {
    this.tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  }

  start(counts: Counts): void {
    this.counts = counts;
    this.started = Date.now();
    if (this.options.quiet) return;
    if (this.tty) {
      void import('ora').then(({ default: ora }) => {
        if (!this.counts) return;
        this.spinner = ora({ text: this.line(), stream: process.stderr }).start();
        this.timer = setInterval(() => this.spinner && (this.spinner.text = this.line()), 200);
      });
    } else {
      this.timer = setInterval(() => process.stderr.write(`${this.line()}\n`), PLAIN_INTERVAL_MS);
      this.timer.unref();
    }
  }

  retry(notice: RetryNotice): void {
    const seconds = (notice.waitMs / 1000).toFixed(notice.waitMs < 10_000 ? 1 : 0);
    this.lastNotice = notice.throttled ? `throttled by server (${notice.reason}), waiting ${seconds} s` : `${notice.reason}, retrying in ${seconds} s`;
  }

  note(message: string): void {
    if (this.options.quiet) return;
    if (this.spinner) this.spinner.text = message;
    else process.stderr.write(`eventload: ${message}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.spinner?.stop();
    this.spinner = undefined;
    this.counts = undefined;
  }

  private line(): string {
    const c = this.counts!;
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = Math.round((c.accepted + c.duplicates) / seconds);
    const rejected = c.rejectedLocal + c.rejectedServer;
    const notice = this.lastNotice ? ` · ${this.lastNotice}` : '';
    this.lastNotice = '';
    return `read ${c.read} · sent ${c.sent} · accepted ${c.accepted + c.duplicates} · rejected ${rejected} · retries ${c.retries} · ${rate} events/s${notice}`;
  }
}
