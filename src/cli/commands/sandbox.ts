// `eventload sandbox`: run a local emulator of an ingest API until Ctrl-C, printing each request.
import { ConfigError } from '../../errors.js';
import { parseFaults, sandboxCredentials, startSandbox } from '../../sandbox/index.js';
import type { CommandFlags } from '../../options/index.js';

/** The flags of sandbox, typed by the option table (src/options); the target is any registered one. */
export type SandboxFlags = CommandFlags<'sandbox'>;

export async function runSandbox(flags: SandboxFlags): Promise<number> {
  let sandbox;
  try {
    sandbox = await startSandbox({
      target: flags.target,
      port: flags.port,
      host: flags.host,
      failRate: flags.failRate,
      ...(flags.faults !== undefined && parseFaults(flags.faults)),
      latencyMs: flags.latency,
      retryAfterSeconds: flags.retryAfter,
      maxConcurrent: flags.maxConcurrent,
      ...(flags.rateLimit && { rateLimit: parseRateLimit(flags.rateLimit) }),
      onRequest: flags.quiet
        ? undefined
        : (entry) => process.stdout.write(`${new Date().toISOString()} ${entry.method} ${entry.path} → ${entry.status || 'connection dropped'}${entry.fault && entry.fault !== 'ok' ? ` (injected ${entry.fault})` : ''} · ${entry.events} event${entry.events === 1 ? '' : 's'} · ${entry.ms} ms${entry.idempotencyKey ? ` · key ${entry.idempotencyKey}` : ''}\n`),
    });
  } catch (error) {
    // Bad options are a SandboxOptionsError already: a ConfigError (exit 2) with its own code.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`--port ${flags.port} is already in use`, 'EL_SANDBOX_PORT_IN_USE');
    throw error;
  }
  const { env, alternative } = sandboxCredentials(flags.target, sandbox.token);
  const assignments = (vars: Record<string, string>) => Object.entries(vars).map(([name, value]) => `${name}=${value}`).join(' ');
  const credentials = `${assignments(env)}${alternative ? ` (or ${assignments(alternative)})` : ''}`;
  process.stderr.write(`${flags.target} sandbox listening on ${sandbox.url}\nsandbox credentials (not secret): ${credentials}\ntry: ${assignments(env)} eventload import FILE --target ${flags.target} --endpoint ${sandbox.url}\nCtrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  const dropped = sandbox.stats.dropped.length;
  process.stderr.write(`sandbox stopped: ${sandbox.stats.stored.length} events stored from ${sandbox.stats.requests} requests${dropped > 0 ? `; ${dropped} accepted and dropped (--faults drop)` : ''}\n`);
  return 0;
}

function parseRateLimit(text: string): { perMinute: number; burst: number } {
  const match = /^(\d+)(?:\/min)?(?:,(\d+))?$/.exec(text.trim());
  if (!match) throw new ConfigError(`--rate-limit "${text}": expected PER_MINUTE[,BURST], e.g. 100,10`, 'EL_SANDBOX_RATE_LIMIT');
  return { perMinute: Number(match[1]), burst: Number(match[2] ?? match[1]) };
}
