// What an HTTP answer means for the events it carried, the same for every target. The status
// decides first (retry.ts's classifyStatus, modelled on Vector's `retry_action`); a 2xx must then
// also confirm the events in the body the API documents (each target's zod schema). A server that
// fails, or a 2xx that confirms nothing (an HTML login page, an empty or truncated body,
// `"success": false`), is never a delivery and never a rejection: its events are "not sent", retried,
// and sent again by the next run. Only an answer that refuses the events' content rejects them.
import type { ZodError } from 'zod';
import { classifyStatus } from '../upload/retry.js';
import { serverMessage } from './errors.js';
import type { Outcome, Response, Unconfirmed } from './types.js';

export type { Unconfirmed };
import { redact } from '../secrets/redact.js';


/** What a target reads out of an answer it understands: one outcome per event, or why it confirms nothing. */
export type Reading = Outcome[] | Unconfirmed;

/** An answer as the HTTP client hands it over: the text and content type are kept to describe a bad body. */
export interface Answer extends Response {
  headers?: Record<string, string | string[] | undefined>;
  text?: string;
}

export type Meaning =
  /** Delivered, duplicate or refused, per event. */
  | { kind: 'outcomes'; outcomes: Outcome[] }
  /** Not sent (yet): the server failed, or its 2xx confirmed nothing. Worth another try. */
  | { kind: 'retry'; reason: string; unconfirmed: boolean }
  /** The credentials were refused. */
  | { kind: 'auth'; status: number }
  /** Not sent, and retrying cannot help: the endpoint is not the API (a redirect, 501). */
  | { kind: 'stop'; reason: string };

export function isUnconfirmed(reading: Reading | Outcome | Unconfirmed): reading is Unconfirmed {
  return typeof (reading as Unconfirmed).unconfirmed === 'string';
}

/** The one classification every target's answers go through (pure: same answer, same meaning). */
export function meaningOf(answer: Answer, read: (response: Response) => Reading): Meaning {
  const verdict = classifyStatus(answer.status);
  if (verdict === 'auth') return { kind: 'auth', status: answer.status };
  if (verdict === 'retry') return { kind: 'retry', reason: `HTTP ${answer.status} (${serverMessage(answer.body, answer.status).slice(0, 120)})`, unconfirmed: false };
  if (verdict === 'stop' || verdict === 'redirect') return { kind: 'stop', reason: stopReason(answer) };
  if (verdict === 'ok' && (answer.body === undefined || typeof answer.body === 'string')) {
    return { kind: 'retry', reason: `HTTP ${answer.status} confirmed nothing: ${describeBody(answer)}`, unconfirmed: true };
  }
  const reading = read(answer);
  if (isUnconfirmed(reading)) return { kind: 'retry', reason: `HTTP ${answer.status} confirmed nothing: ${reading.unconfirmed}`, unconfirmed: true };
  return { kind: 'outcomes', outcomes: reading };
}

/** The reason to try again, or undefined when the answer is final (the sender's question). */
export function retryReason(meaning: Meaning): string | undefined {
  return meaning.kind === 'retry' ? meaning.reason : undefined;
}

function stopReason(answer: Answer): string {
  if (answer.status >= 300 && answer.status < 400) {
    const location = header(answer, 'location');
    return `HTTP ${answer.status}: the endpoint redirects${location ? ` to ${maskTokens(location)}` : ''}; redirects are not followed (they would carry the token): check --endpoint`;
  }
  return `HTTP ${answer.status}: the server does not implement this route: check --endpoint`;
}

/** An unusable body in one phrase, with its content type and first bytes (secrets redacted). */
export function describeBody(answer: Answer): string {
  const text = answer.text ?? (typeof answer.body === 'string' ? answer.body : '');
  const type = header(answer, 'content-type') ?? 'no content-type';
  if (text.trim() === '') return `an empty body (${type})`;
  const start = JSON.stringify(maskTokens(text.replace(/\s+/g, ' ').trim().slice(0, 80)));
  if (/html/i.test(type) || /^\s*</.test(text)) {
    return `an HTML page (${type}, starts ${start}), not the API's JSON: the endpoint looks wrong (a proxy or login page answers there)`;
  }
  if (typeof answer.body === 'string') return `a body that is not JSON, truncated or garbled (${type}, ${text.length} bytes, starts ${start})`;
  return `a JSON body that is not the documented answer (starts ${start})`;
}

/** Why a JSON body is not the documented answer, from the schema's first complaint. */
export function answerProblem(body: unknown, error: ZodError): string {
  if (body && typeof body === 'object' && (body as { success?: unknown }).success === false) {
    const said = serverMessage(body, 200);
    return `"success": false${said === 'HTTP 200' ? '' : `: ${maskTokens(said).slice(0, 120)}`}`;
  }
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  return `${issue.path.length > 0 ? `"${issue.path.join('.')}": ` : ''}${issue.message}`;
}

function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Answers may echo what they were sent: besides the secrets eventload knows (secrets/redact.ts),
 * token-shaped text never reaches a message about an unusable answer. The shapes are the targets'
 * key formats, bearer credentials and JWTs (flaring's tokens).
 */
export function maskTokens(text: string): string {
  return redact(text)
    .replace(/\b(fm_live_|imk_)[A-Za-z0-9_-]{4,}/g, '$1…')
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, 'eyJ…')
    .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 …');
}
