// Helpers for end-to-end import tests: a sandbox in this process, the real CLI as a child process
// pointed at it, temporary inputs, and the summary it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { CanonicalEvent } from '../../src/events/canonical.js';
import { loadInputSettings } from '../../src/cli/input-settings.js';
import { readEvents } from '../../src/pipeline/read-events.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { SANDBOX_LOGIN } from '../../src/targets/flaring/sandbox-auth.js';
import type { Summary } from '../../src/upload/summary.js';
import { bin, root, runCli, type CliResult } from '../helpers.js';

export { useSandboxes } from '../sandbox/helpers.js';

/** Environment that authenticates against a sandbox, the way a user sets it for the real API. */
export function credentials(sandbox: Sandbox): Record<string, string> {
  if (sandbox.target === 'flowmyna') return { FLOWMYNA_API_KEY: sandbox.token };
  if (sandbox.target === 'immutable') return { IMMUTABLE_API_KEY: sandbox.token };
  return { FLARING_EMAIL: SANDBOX_LOGIN.email, FLARING_PASSWORD: SANDBOX_LOGIN.password };
}

/** Credentials of the other targets are cleared so the parent's environment never leaks in. */
const NO_CREDENTIALS = { FLOWMYNA_API_KEY: undefined, IMMUTABLE_API_KEY: undefined, FLARING_TOKEN: undefined, FLARING_EMAIL: undefined, FLARING_PASSWORD: undefined };

/** A temporary directory per test, removed afterwards. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eventload-import-'));
    dirs.push(dir);
    return dir;
  };
}

export interface ImportRun extends CliResult {
  /** The --json summary, when stdout was one. */
  summary: Summary;
  rejects: Array<Record<string, any>>;
}

/**
 * Runs `eventload import FILES --target T --endpoint URL --json --rejects DIR/rejects.ndjson` with
 * the sandbox's credentials (overridable through env), from `dir` so no stray file lands elsewhere.
 */
export async function importInto(sandbox: Sandbox, dir: string, args: string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<ImportRun> {
  const rejectsFile = join(dir, 'rejects.ndjson');
  const result = await runCli(['import', ...args, '--target', sandbox.target, '--endpoint', sandbox.url, '--json', '--rejects', rejectsFile], {
    cwd: dir,
    env: { ...NO_CREDENTIALS, ...credentials(sandbox), ...options.env },
    timeoutMs: options.timeoutMs,
  });
  return { ...result, summary: parseSummary(result), rejects: await readRejects(rejectsFile) };
}

/** The CLI without a sandbox to point at (configuration errors, unreachable endpoints, --sandbox). */
export function eventload(dir: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number): Promise<CliResult> {
  return runCli(args, { cwd: dir, env: { ...NO_CREDENTIALS, ...env }, timeoutMs });
}

export function parseSummary(result: CliResult): Summary {
  try {
    return JSON.parse(result.stdout) as Summary;
  } catch {
    return undefined as unknown as Summary; // tests that need it fail on their own assertions
  }
}

/** Every event read is accounted for exactly once. */
export function expectAccounted(summary: Summary): void {
  const { read, accepted, duplicates, rejectedLocal, rejectedServer, skipped, unsent, wouldSend = 0 } = summary;
  expect(accepted + duplicates + rejectedLocal + rejectedServer + skipped + unsent + wouldSend, JSON.stringify(summary)).toBe(read);
}

export async function readNdjson(path: string): Promise<Array<Record<string, any>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, any>);
}

/** The rejected records of a rejects file, without the header line that starts each run's lines. */
export async function readRejects(path: string): Promise<Array<Record<string, any>>> {
  return (await readNdjson(path)).filter((line) => !('run' in line && Object.keys(line).length === 1));
}

export async function writeNdjson(path: string, records: unknown[]): Promise<string> {
  await writeFile(path, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
  return path;
}

/** `count` canonical events with their own keys, a minute apart, each with an actor (immutable needs one). */
export function generateEvents(count: number, prefix = 'gen'): CanonicalEvent[] {
  const start = Date.parse('2023-06-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    event: i % 3 === 0 ? 'Order placed' : 'Order shipped',
    timestamp: new Date(start + i * 60_000).toISOString(),
    objects: [{ type: 'Order', id: `SO-${i}`, qualifier: 'target' }],
    properties: { n: i },
    actor: { id: `u-${i % 5}`, type: 'user' },
    idempotency_key: `${prefix}-${i}`,
  }));
}

/** What eventload itself reads from the inputs: the events (with their keys) a run must deliver. */
export async function eventsAsRead(files: string[], flags: { mapping?: string; target?: string } = {}): Promise<CanonicalEvent[]> {
  const settings = await loadInputSettings(files, flags);
  const events: CanonicalEvent[] = [];
  for await (const item of readEvents(settings)) if (item.kind === 'event') events.push(item.event);
  return events;
}

/** The CLI as a child process the test can signal. */
export function startCli(dir: string, args: string[], env: Record<string, string | undefined>): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...NO_CREDENTIALS, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Polls until `condition` holds (or fails the test after `timeoutMs`). */
export async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const fixturePath = (name: string) => join(root, 'fixtures', name);

/** Events stored per object id (every generated event has its own order id). */
export function storedPerEvent(stored: Array<{ body: Record<string, unknown> }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { body } of stored) {
    const id = (body.objects as Array<{ id: string }>)[0]!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
