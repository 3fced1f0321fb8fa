// Sandbox options: checked up front (a typo'd failRate of 30 should fail loudly, not fail every
// request) and completed with defaults in one place, units in the comments.
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { TargetSandbox } from '../targets/types.js';
import type { RateLimitSettings } from './rate-limit.js';
import type { FaultKind, RequestLogEntry, SandboxOptions } from './types.js';

/** Bad sandbox options (exit 2 from the CLI); callers match on `code`, never on the message. */
export class SandboxOptionsError extends ConfigError {
  constructor(message: string) {
    super(message, 'EL_SANDBOX_OPTIONS');
    this.name = 'SandboxOptionsError';
  }
}

export interface ResolvedSandboxOptions {
  target: string;
  port: number;
  host: string;
  token: string;
  latencyMs: number;
  failRate: number;
  dropRate: number;
  faultKinds: FaultKind[];
  faultSequence?: FaultKind[];
  seed: number;
  retryAfterSeconds: number;
  maxConcurrent?: number;
  rateLimit: RateLimitSettings | null;
  tokenTtlSeconds: number;
  onRequest?: (entry: RequestLogEntry) => void;
}

const faultKind = z.enum(['ok', '429', '500', '503', 'reset', 'commit-reset']);

const optionsSchema = z.object({
  target: z.string().min(1),
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  latencyMs: z.number().min(0).optional(),
  failRate: z.number().min(0).max(1).optional(),
  dropRate: z.number().min(0).max(1).optional(),
  faultKinds: z.array(faultKind).min(1).optional(),
  faultSequence: z.array(faultKind).optional(),
  seed: z.number().int().optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  maxConcurrent: z.number().int().min(1).optional(),
  rateLimit: z.object({ perMinute: z.number().positive(), burst: z.number().int().min(1) }).nullable().optional(),
  tokenTtlSeconds: z.number().positive().optional(),
  onRequest: z.custom<unknown>((value) => typeof value === 'function', 'Expected a function').optional(),
});

/**
 * Checks the options, then completes them with the defaults of the target's emulator, which
 * `emulatorOf` finds by name (the registry, read now: a target registered by a test is found).
 */
export function resolveOptions(options: SandboxOptions, emulatorOf: (target: string) => TargetSandbox): ResolvedSandboxOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
    throw new SandboxOptionsError(`Invalid sandbox options: ${problems.join('; ')}`);
  }
  const { target } = options;
  const emulator = emulatorOf(target);
  return {
    target,
    port: options.port ?? 0, // 0: the OS picks a free port
    host: options.host ?? '127.0.0.1', // loopback only: a sandbox is never exposed
    token: options.token ?? emulator.defaultToken,
    latencyMs: options.latencyMs ?? 0, // ms
    failRate: options.failRate ?? 0,
    dropRate: options.dropRate ?? 0,
    faultKinds: options.faultKinds ?? ['429', '503', 'reset'],
    faultSequence: options.faultSequence,
    seed: options.seed ?? 1,
    retryAfterSeconds: options.retryAfterSeconds ?? 1, // s
    maxConcurrent: options.maxConcurrent,
    rateLimit: options.rateLimit === undefined ? emulator.defaultRateLimit : options.rateLimit,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400, // s, 24 h as documented
    onRequest: options.onRequest,
  };
}

/**
 * The `--faults` list: request faults by name (429,503,reset, drawn at --fail-rate), and
 * `drop=FRACTION`, the fraction of events accepted but not stored, e.g. `--faults drop=0.01`.
 */
export function parseFaults(text: string): { faultKinds?: FaultKind[]; dropRate?: number } {
  const kinds: FaultKind[] = [];
  let dropRate: number | undefined;
  for (const item of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const drop = /^drop=(.*)$/.exec(item);
    if (drop) {
      const rate = Number(drop[1]);
      if (drop[1] === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new SandboxOptionsError(`--faults ${item}: the drop fraction must be a number from 0 to 1, e.g. drop=0.01`);
      dropRate = rate;
    } else if (faultKind.safeParse(item).success) {
      kinds.push(item as FaultKind);
    } else {
      throw new SandboxOptionsError(`--faults: unknown fault "${item}" (known: ${faultKind.options.join(', ')}, drop=FRACTION)`);
    }
  }
  return { ...(kinds.length > 0 && { faultKinds: kinds }), ...(dropRate !== undefined && { dropRate }) };
}
