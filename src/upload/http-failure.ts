// An attempt the HTTP client gave up on by itself, apart from the client (src/upload/http.ts): the
// sender classifies it on every run, and loading the client's undici for that alone would cost a
// dry run, which never sends, its memory.
import type { ErrorCode } from '../codes.js';

/**
 * An attempt given up by eventload itself (too slow in all, or an answer too large); retryable, so
 * not an EventloadError (those stop the run): the sender stops with its code once retries run out.
 */
export class HttpFailure extends Error {
  override readonly name = 'HttpFailure';
  constructor(
    readonly code: Extract<ErrorCode, 'EL_REQUEST_TIMEOUT' | 'EL_ANSWER_TOO_LARGE'>,
    /** Short, for a retry notice: "no complete answer within 12 s". */
    readonly reason: string,
  ) {
    super(reason);
  }
}
