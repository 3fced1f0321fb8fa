// The defaults of the delivery flags (import, replay, and sync from its config file) in one
// table: the flags' definitions in main.ts and a sync run read the same values.
export const DELIVERY_DEFAULTS = {
  concurrency: 8,
  concurrencyMax: 64,
  maxRetries: 5,
  retryDeadline: 300, // seconds
  timeout: 30_000, // milliseconds of silence
  backoffBase: 1000, // milliseconds
  drainTimeout: 30, // seconds
} as const;

/** Without --request-timeout, one attempt may take this many times --timeout in all (2 min by default). */
export const REQUEST_TIMEOUT_FACTOR = 4;
