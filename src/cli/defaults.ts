// The defaults of the delivery flags (import, replay, and sync from its config file), read from the
// option table in src/options: the commander flags and a sync run apply the same values.
import { OPTIONS, REQUEST_TIMEOUT_FACTOR } from '../options/index.js';

export const DELIVERY_DEFAULTS = {
  concurrency: OPTIONS.concurrency.default,
  concurrencyMax: OPTIONS.concurrencyMax.default,
  maxRetries: OPTIONS.maxRetries.default,
  retryDeadline: OPTIONS.retryDeadline.default, // seconds
  timeout: OPTIONS.timeout.default, // milliseconds of silence
  backoffBase: OPTIONS.backoffBase.default, // milliseconds
  drainTimeout: OPTIONS.drainTimeout.default, // seconds
};

/** Without --request-timeout, one attempt may take this many times --timeout in all (2 min by default). */
export { REQUEST_TIMEOUT_FACTOR };
