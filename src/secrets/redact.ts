// The secrets eventload holds (API keys, passwords, tokens received at login, the Authorization
// values it sent) and the one function that takes them out of any text before it is written.
// A server may echo a token back in an error body or a header; that text then flows into stderr,
// the summary, the report, the rejects file and the journal. Every one of those sinks calls
// `redact`, so no source of text can carry a secret out, whatever it is.

/** Shorter values are not matched: they would also match ordinary text (and corrupt it). */
export const MIN_SECRET_LENGTH = 6;
/** At least this long to keep the last 4 characters: 4 of 20+ tell too little to guess the rest. */
const REVEAL_TAIL_FROM = 20;

/** Every form a secret may take in written text → the short form that replaces it. */
const replacements = new Map<string, string>();
/** The variants, longest first, so a variant that contains another is replaced whole. */
let ordered: string[] = [];

export interface SecretOptions {
  /** Passwords: never show any of it, only `…`. */
  hideAll?: boolean;
}

/** Registers a secret value (and its common encodings); every later `redact` replaces it. */
export function addSecret(value: string | undefined, options: SecretOptions = {}): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
  const short = shortForm(value, options.hideAll ?? false);
  let added = false;
  for (const variant of encodings(value)) {
    if (variant.length < MIN_SECRET_LENGTH || replacements.has(variant)) continue;
    replacements.set(variant, short);
    added = true;
  }
  if (added) ordered = [...replacements.keys()].sort((a, b) => b.length - a.length);
}

let lastAuthorization: string | undefined;

/** An `Authorization` header value as sent: the credential after its scheme (`Bearer` is no secret), or the whole value. */
export function addAuthorization(value: string | undefined): void {
  // Every request carries the same header: registering it again would redo its encodings each time.
  if (!value || value === lastAuthorization) return;
  lastAuthorization = value;
  const [scheme, credential] = splitScheme(value);
  if (credential === undefined) return addSecret(value);
  addSecret(credential);
  // Basic auth: the decoded `user:password` and the password alone are secrets as well.
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      addSecret(decoded, { hideAll: true });
      addSecret(decoded.slice(colon + 1), { hideAll: true });
    }
  }
}

/** Credential variables are the targets' variables named …KEY, …TOKEN, …PASSWORD or …SECRET (an e-mail is an identity, not a secret). */
export function isSecretVariable(name: string): boolean {
  return /(?:KEY|TOKEN|PASSWORD|SECRET)$/i.test(name);
}

/** Registers the values of the secret variables among `names` found in `env`. */
export function addSecretsFromEnv(env: Record<string, string | undefined>, names: Iterable<string>): void {
  for (const name of names) {
    if (isSecretVariable(name)) addSecret(env[name], { hideAll: /PASSWORD$/i.test(name) });
  }
}

/** The text with every registered secret, in any of its registered forms, replaced by its short form. */
export function redact(text: string): string {
  if (ordered.length === 0) return text;
  let result = text;
  for (const variant of ordered) {
    if (result.includes(variant)) result = result.split(variant).join(replacements.get(variant)!);
  }
  return result;
}

/** Forgets every secret (for tests that register their own). */
export function clearSecrets(): void {
  replacements.clear();
  ordered = [];
  lastAuthorization = undefined;
}

/**
 * `fm_live_…abcd`: a recognisable prefix (letters and underscores ending in `_`, such as `fm_live_`
 * or `imk_`) and the last 4 characters, so a user can tell which key it was; `…` alone when the
 * secret is short or is a password.
 */
export function shortForm(secret: string, hideAll = false): string {
  if (hideAll || secret.length < REVEAL_TAIL_FROM) return '…';
  const prefix = /^[A-Za-z]{2,8}(?:_[A-Za-z]{2,8})*_/.exec(secret)?.[0] ?? '';
  return `${prefix.length <= secret.length / 3 ? prefix : ''}…${secret.slice(-4)}`;
}

/** The forms a secret takes when it is written inside JSON (once or twice), a URL, or base64. */
function encodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  // Python's json.dumps (FastAPI error bodies) writes non-ASCII characters as \uXXXX.
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  return [value, json, asciiJson, JSON.stringify(json).slice(1, -1), encodeURIComponent(value), base64, base64.replace(/=+$/, ''), Buffer.from(value, 'utf8').toString('base64url')];
}

/**
 * Makes every later write to `stream` (strings and bytes) pass through `redact`: the CLI's
 * stdout and stderr, so whatever prints, progress and spinner included, prints no secret.
 */
export function redactWrites(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (ordered.length === 0) return write(chunk, ...rest);
    if (typeof chunk === 'string') return write(redact(chunk), ...rest);
    if (chunk instanceof Uint8Array) return write(redact(Buffer.from(chunk).toString('utf8')), ...rest.filter((arg) => typeof arg === 'function'));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

function splitScheme(value: string): [scheme: string, credential: string | undefined] {
  const match = /^([A-Za-z][\w-]*)\s+(\S.*)$/.exec(value.trim());
  return match ? [match[1]!, match[2]!] : ['', undefined];
}
