// The journal remembers deliveries per target and endpoint. The endpoint is a scope key, so two
// spellings of one endpoint (`HTTP://Host:443/x/`, `https://host/x`, `https://host/./x`) must be
// one key: as typed, each spelling was a new scope, and each run sent everything again.
// Sandbox runs use `sandbox:<target>`: stable across runs (the sandbox's port is not), and never
// mistaken for a real endpoint. A worker of a --shard job keeps its own scope, the endpoint's with
// `#shard-I-of-N` after it: rerunning shard 2 never reads or changes shard 1's events, and
// `status` over several journals adds the shards of one endpoint up.

const SANDBOX_PREFIX = 'sandbox:';

/** The scope of `import --sandbox` for a target. */
export function sandboxScope(target: string): string {
  return `${SANDBOX_PREFIX}${target}`;
}

export function isSandboxScope(endpoint: string): boolean {
  return endpoint.startsWith(SANDBOX_PREFIX);
}

const SHARD_SUFFIX = /#shard-(\d+)-of-(\d+)$/;

/** The scope of one shard of a job at this endpoint (the endpoint's own without a shard). */
export function shardScope(endpoint: string, shard: { index: number; count: number } | undefined): string {
  const key = scopeEndpoint(endpoint);
  return shard ? `${key}#shard-${shard.index}-of-${shard.count}` : key;
}

/** A scope key split into its endpoint and shard (none for a run without --shard). */
export function splitShardScope(key: string): { endpoint: string; shard?: { index: number; count: number } } {
  const match = SHARD_SUFFIX.exec(key);
  if (!match) return { endpoint: key };
  return { endpoint: key.slice(0, match.index), shard: { index: Number(match[1]), count: Number(match[2]) } };
}

/**
 * The canonical spelling of an http(s) endpoint: scheme and host in lower case (WHATWG URL
 * parsing does that, with IDN to punycode), default port dropped, `.` and `..` segments resolved,
 * duplicate and trailing slashes removed, percent-escapes in upper case and unreserved characters
 * decoded. Anything that is not an http(s) URL (a sandbox scope) is returned as it is.
 */
export function scopeEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return endpoint;
  const shard = SHARD_SUFFIX.exec(url.hash)?.[0] ?? ''; // a shard's scope keeps its mark (shardScope)
  const host = url.hostname.replace(/\.$/, ''); // "example.com." is the same host
  const path = normalisePath(url.pathname);
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}${path === '/' ? '' : path}${url.search}${shard}`;
}

function normalisePath(pathname: string): string {
  const escaped = pathname.replace(/%[0-9a-fA-F]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
  // Decoding can reveal "." segments (%2E): resolve them the way the URL parser does.
  const segments: string[] = [];
  for (const segment of escaped.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}
