// Token bucket per caller, the shape of limit the documented APIs announce ("100/min, burst 10").
// Separate from maxConcurrent: this limits requests per unit of time, not requests at once.

export interface RateLimitSettings {
  perMinute: number;
  burst: number;
}

export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetAt: number }
  | { allowed: false; limit: number; remaining: 0; resetAt: number; retryAfterMs: number };

export interface RateLimiter {
  /** Takes one token from the caller's bucket, if there is one. */
  take(caller: string, now?: number): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createRateLimiter(settings: RateLimitSettings): RateLimiter {
  const perMs = settings.perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  function refill(caller: string, now: number): Bucket {
    const bucket = buckets.get(caller) ?? { tokens: settings.burst, updatedAt: now };
    bucket.tokens = Math.min(settings.burst, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    buckets.set(caller, bucket);
    return bucket;
  }

  return {
    take(caller, now = Date.now()) {
      const bucket = refill(caller, now);
      // resetAt: when the bucket would be full again (what X-RateLimit-Reset reports).
      const fullAt = (tokens: number) => now + Math.ceil((settings.burst - tokens) / perMs);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        const remaining = Math.floor(bucket.tokens);
        return { allowed: true, limit: settings.perMinute, remaining, resetAt: fullAt(bucket.tokens) };
      }
      const retryAfterMs = Math.ceil((1 - bucket.tokens) / perMs);
      return {
        allowed: false,
        limit: settings.perMinute,
        remaining: 0,
        resetAt: fullAt(bucket.tokens),
        retryAfterMs,
      };
    },
  };
}
