// Sandbox options: checked up front (a typo'd failRate of 30 should fail loudly, not fail every
// request) and completed with defaults in one place, units in the comments.
import { z } from 'zod';
import type { RateLimitSettings } from './rate-limit.js';
import type { FaultKind, RequestLogEntry, SandboxOptions, SandboxTarget } from './types.js';

/** Errors a caller can match on by `code`, never by message. */
export class SandboxOptionsError extends Error {
  override readonly name = 'SandboxOptionsError';
  readonly code = 'SANDBOX_BAD_OPTIONS';
}

export interface ResolvedSandboxOptions {
  target: SandboxTarget;
  port: number;
  host: string;
  token: string;
  latencyMs: number;
  failRate: number;
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
  target: z.enum(['flowmyna', 'immutable', 'flaring']),
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  latencyMs: z.number().min(0).optional(),
  failRate: z.number().min(0).max(1).optional(),
  faultKinds: z.array(faultKind).min(1).optional(),
  faultSequence: z.array(faultKind).optional(),
  seed: z.number().int().optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  maxConcurrent: z.number().int().min(1).optional(),
  rateLimit: z.object({ perMinute: z.number().positive(), burst: z.number().int().min(1) }).nullable().optional(),
  tokenTtlSeconds: z.number().positive().optional(),
  onRequest: z.custom<unknown>((value) => typeof value === 'function', 'Expected a function').optional(),
});

/** Flaring documents 100 requests/min, burst 10, per user; the others enforce nothing today. */
const DEFAULT_RATE_LIMITS: Record<SandboxTarget, RateLimitSettings | null> = {
  flowmyna: null,
  immutable: null,
  flaring: { perMinute: 100, burst: 10 },
};

export function resolveOptions(
  options: SandboxOptions,
  defaultTokens: Record<SandboxTarget, string>,
): ResolvedSandboxOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
    throw new SandboxOptionsError(`Invalid sandbox options: ${problems.join('; ')}`);
  }
  const { target } = options;
  return {
    target,
    port: options.port ?? 0, // 0: the OS picks a free port
    host: options.host ?? '127.0.0.1', // loopback only: a sandbox is never exposed
    token: options.token ?? defaultTokens[target],
    latencyMs: options.latencyMs ?? 0, // ms
    failRate: options.failRate ?? 0,
    faultKinds: options.faultKinds ?? ['429', '503', 'reset'],
    faultSequence: options.faultSequence,
    seed: options.seed ?? 1,
    retryAfterSeconds: options.retryAfterSeconds ?? 1, // s
    maxConcurrent: options.maxConcurrent,
    rateLimit: options.rateLimit === undefined ? DEFAULT_RATE_LIMITS[target] : options.rateLimit,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400, // s, 24 h as documented
    onRequest: options.onRequest,
  };
}
