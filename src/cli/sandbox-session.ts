// `import --sandbox`: the target's emulator in this process, with credentials that it accepts,
// and a short account of what arrived, so a new user sees a real import with no account.
import { sandboxCredentials, startSandbox } from '../sandbox/index.js';

export interface RunningSandbox {
  url: string;
  env: Record<string, string>;
  describe(): void;
  close(): Promise<void>;
}

/** `target` is a registered target's name; its emulator is found in the registry. */
export async function startSandboxFor(target: string, quiet = false): Promise<RunningSandbox> {
  const sandbox = await startSandbox({ target, port: 0 });
  const { env } = sandboxCredentials(target, sandbox.token);
  if (!quiet) process.stderr.write(`eventload: started a local ${target} sandbox at ${sandbox.url} (no data leaves this machine)\n`);
  return {
    url: sandbox.url,
    env,
    describe() {
      const stored = sandbox.stats.stored;
      const lines = [`the ${target} sandbox received ${sandbox.stats.ingestRequests} requests and stored ${stored.length} events; the first ones:`];
      for (const event of stored.slice(0, 3)) lines.push(`  ${JSON.stringify(event.body)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    },
    close: () => sandbox.close(),
  };
}
