// --max-error-rate: stop a run once too large a share of its records is invalid, instead of
// ploughing through a broken export to the end. Shared by validate and import.
import { ConfigError } from '../errors.js';

/** Too few records say nothing about a rate: the guard only judges after this many. */
export const MIN_RECORDS_FOR_RATE = 100;

export class ErrorRateGuard {
  /** Records observed so far (valid and invalid). */
  seen = 0;
  invalid = 0;
  /** Once true, stays true: the run must stop. */
  tripped = false;

  /** `percent`: the largest tolerated share of invalid records, 0-100. */
  constructor(
    readonly percent: number,
    readonly minimumRecords = MIN_RECORDS_FOR_RATE,
  ) {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new ConfigError(`--max-error-rate must be a percentage from 0 to 100, got ${percent}`, 'EL_USAGE');
  }

  /** Counts one record; true when the run must stop (more than `percent`% invalid after `minimumRecords`). */
  observe(valid: boolean): boolean {
    if (this.tripped) return true; // the counts stay those the decision was made on, for message()
    this.seen++;
    if (!valid) this.invalid++;
    // Integer arithmetic: 5 of 100 is exactly 5%, which is not more than 5%.
    if (this.seen >= this.minimumRecords && this.invalid * 100 > this.percent * this.seen) this.tripped = true;
    return this.tripped;
  }

  /** The share of invalid records so far, in percent. */
  get rate(): number {
    return this.seen === 0 ? 0 : (this.invalid * 100) / this.seen;
  }

  /** One line for the user, without the `eventload:` prefix. */
  message(): string {
    return `stopped: ${this.invalid} of the first ${this.seen} records are invalid (${formatPercent(this.rate)}%), more than --max-error-rate ${formatPercent(this.percent)}%`;
  }
}

function formatPercent(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
