// Sandboxes: local emulators of the ingest APIs on 127.0.0.1, over real HTTP. Used by the tests
// for fault injection and by users (`eventload sandbox`, `eventload import --sandbox`) to try an
// import without touching a real account. The list of emulations is explicit below.
import { SANDBOX_LOGIN } from './flaring-auth.js';
import { createFlaringApi } from './flaring.js';
import { createFlowMynaApi } from './flowmyna.js';
import { createImmutableApi } from './immutable.js';
import { resolveOptions } from './options.js';
import { startServer } from './server.js';
import { createStats, recordCommit } from './stats.js';
import type { Sandbox, SandboxOptions, SandboxTarget, TargetFactory } from './types.js';

export type {
  FaultKind,
  RequestLogEntry,
  Sandbox,
  SandboxOptions,
  SandboxStats,
  SandboxTarget,
  StoredEvent,
} from './types.js';
export { SandboxOptionsError } from './options.js';
export { SANDBOX_LOGIN } from './flaring-auth.js';

/** The emulated APIs, by target name. */
export const SANDBOX_TARGETS: Record<SandboxTarget, TargetFactory> = {
  flowmyna: createFlowMynaApi,
  immutable: createImmutableApi,
  flaring: createFlaringApi,
};

/** Default accepted tokens, shaped like the real ones so clients' format checks pass. */
export const SANDBOX_TOKENS: Record<SandboxTarget, string> = {
  flowmyna: 'fm_live_sandboxsandboxsandboxsandbox1234', // fm_live_ + 32 URL-safe characters
  immutable: 'imk_sandbox_0123456789abcdef',
  flaring: 'flaring_sandbox_static_token', // accepted besides the JWTs the login issues
};

/**
 * The environment a client needs to use a sandbox, under the variables eventload reads: the
 * token, or for flaring the login (its static token works too, and is named as the alternative).
 */
export function sandboxCredentials(target: SandboxTarget, token: string): { env: Record<string, string>; alternative?: Record<string, string> } {
  if (target === 'flowmyna') return { env: { FLOWMYNA_API_KEY: token } };
  if (target === 'immutable') return { env: { IMMUTABLE_API_KEY: token } };
  return { env: { FLARING_EMAIL: SANDBOX_LOGIN.email, FLARING_PASSWORD: SANDBOX_LOGIN.password }, alternative: { FLARING_TOKEN: token } };
}

/** Starts a sandbox; throws SandboxOptionsError (code SANDBOX_BAD_OPTIONS) on bad options. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const resolved = resolveOptions(options, SANDBOX_TOKENS);
  const stats = createStats();
  const api = SANDBOX_TARGETS[resolved.target]({
    token: resolved.token,
    tokenTtlSeconds: resolved.tokenTtlSeconds,
    commit: (event) => recordCommit(stats, event),
  });
  const server = await startServer(api, resolved, stats);
  return {
    url: server.url,
    target: resolved.target,
    token: resolved.token,
    stats,
    close: () => server.close(),
  };
}
