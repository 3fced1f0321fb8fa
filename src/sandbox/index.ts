// Sandboxes: local emulators of the ingest APIs on 127.0.0.1, over real HTTP. Used by the tests
// for fault injection and by users (`eventload sandbox`, `eventload import --sandbox`) to try an
// import without touching a real account. Each target brings its own emulation (its plugin's
// `sandbox`); this folder is the machinery they share, and finds them in the target registry.
import { allTargets, targetNames } from '../targets/index.js';
import type { SandboxEnvironment, TargetSandbox } from '../targets/types.js';
import { resolveOptions, SandboxOptionsError } from './options.js';
import { startServer } from './server.js';
import { createDropPlan } from './faults.js';
import { createStats, recordCommit, recordDrop } from './stats.js';
import type { Sandbox, SandboxOptions } from './types.js';

export type { FaultKind, RequestLogEntry, Sandbox, SandboxOptions, SandboxStats, StoredEvent } from './types.js';
export { parseFaults, SandboxOptionsError } from './options.js';

/** The emulator of the registered target `name`, read from the registry now. */
function emulatorOf(name: string): TargetSandbox {
  const target = allTargets().find((candidate) => candidate.name === name);
  if (!target) throw new SandboxOptionsError(`Invalid sandbox options: target: no target is named "${name}" (known: ${targetNames().join(', ')})`);
  return target.sandbox;
}

/** The token a target's sandbox accepts by default, shaped like a real one so clients' format checks pass. */
export function sandboxToken(target: string): string {
  return emulatorOf(target).defaultToken;
}

/**
 * The environment a client needs to use a target's sandbox, under the variables eventload reads:
 * the token, or for flaring the login (its static token works too, and is named as the alternative).
 */
export function sandboxCredentials(target: string, token: string): SandboxEnvironment {
  return emulatorOf(target).environment(token);
}

/** Starts a sandbox; throws SandboxOptionsError (code EL_SANDBOX_OPTIONS) on bad options or an unknown target. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const resolved = resolveOptions(options, emulatorOf);
  const stats = createStats();
  const dropNext = createDropPlan(resolved.dropRate, resolved.seed);
  const api = emulatorOf(resolved.target).createApi({
    token: resolved.token,
    tokenTtlSeconds: resolved.tokenTtlSeconds,
    commit: (event) => recordCommit(stats, event),
    drops(event) {
      if (!dropNext()) return false;
      recordDrop(stats, event);
      return true;
    },
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
