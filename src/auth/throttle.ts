// Per-account request rate (pipeline stage 5b, right after authentication): a token bucket per account that
// refills at `ratePerSecond` and holds at most `burst` tokens. A call that finds the bucket empty gets
// Throttling.User (400) with x-acs-retry-after in milliseconds, which the official SDKs read into their
// ThrottlingError. Off unless a rate is configured (`localrds serve --rate-limit N`).
import type { Authenticated } from '../pipeline.js';
import { ApiError } from '../errors/api-error.js';

export interface ThrottleOptions {
  /** Requests per second per account. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell (default: one second's worth). */
  burst?: number;
  now?: () => number;
}

export interface Throttle {
  /** Takes one token for the key: 0 when the call may go ahead, else the milliseconds until a token is due. */
  take(key: string): number;
}

interface Bucket { tokens: number; at: number }

/** Buckets kept before full ones are swept (a full bucket is the same as no bucket). */
const SWEEP_AT = 10_000;

export function createThrottle(o: ThrottleOptions): Throttle {
  if (!(o.ratePerSecond > 0) || !Number.isFinite(o.ratePerSecond)) throw new Error('rate must be a positive number');
  const perMs = o.ratePerSecond / 1000;
  const burst = Math.max(1, o.burst ?? o.ratePerSecond);
  const now = o.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const refill = (b: Bucket, t: number) => {
    b.tokens = Math.min(burst, b.tokens + Math.max(0, t - b.at) * perMs);
    b.at = t;
  };
  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= SWEEP_AT) {
          for (const [k, v] of buckets) {
            refill(v, t);
            if (v.tokens >= burst) buckets.delete(k);
          }
        }
        b = { tokens: burst, at: t };
        buckets.set(key, b);
      }
      refill(b, t);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs));
    },
  };
}

/** The throttling gate for the pipeline: one bucket per account (all of its AccessKeys share it). */
export function throttleGate(o: ThrottleOptions): (req: Authenticated) => void {
  const throttle = createThrottle(o);
  return (req) => {
    const wait = throttle.take(req.principal.accountId);
    if (wait > 0) throw new ApiError('Throttling.User', {}, { 'x-acs-retry-after': String(wait) });
  };
}
