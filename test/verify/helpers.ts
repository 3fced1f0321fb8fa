// Running `eventload verify` against a sandbox from a test, as a user would: its credentials, --json.
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, type CliResult } from '../helpers.js';
import { credentials } from '../import/helpers.js';

/** `verify --target T --endpoint URL --json --rejects DIR/verify.ndjson ARGS`, run in `dir` (whose journal the import wrote). */
export async function verifyRun(sandbox: Sandbox, dir: string, args: string[] = []): Promise<CliResult & { result: any }> {
  const run = await runCli(['verify', '--target', sandbox.target, '--endpoint', sandbox.url, '--json', '--rejects', join(dir, 'verify.ndjson'), ...args], {
    cwd: dir,
    env: { FLOWMYNA_API_KEY: undefined, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined, ...credentials(sandbox) },
    timeoutMs: 120_000,
  });
  let result: unknown;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    result = undefined;
  }
  return { ...run, result };
}

