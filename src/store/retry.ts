// Whole-transaction retry for PostgreSQL SERIALIZABLE (and RetryTransaction from the repos). The function is
// run again from the start on a fresh snapshot, so it must not have side effects outside the transaction.
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryable } from './errors.js';

export interface RetryPolicy {
  /** Total runs of fn, the first included. */
  maxAttempts: number;
  /** Backoff before run k+1 is uniform in [0, min(maxDelayMs, baseDelayMs * 2^k)) ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 30, baseDelayMs: 1, maxDelayMs: 100 };

/**
 * A FIFO mutex for the retries of one store. First attempts run concurrently; a transaction that lost a
 * conflict retries only when no other retry of this process is running. Without it, N transactions on one
 * hot row keep aborting each other and most of them exhaust their attempts (64 on one row needs ~64 rounds).
 */
export class RetryLane {
  #tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.#tail;
    let done!: () => void;
    this.#tail = new Promise<void>((res) => { done = res; });
    await prev;
    try {
      return await fn();
    } finally {
      done();
    }
  }
}

export async function withRetries<T>(run: () => Promise<T>, policy: RetryPolicy, lane?: RetryLane): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (attempt === 1 || lane === undefined ? run() : lane.run(run));
    } catch (e) {
      if (!isRetryable(e) || attempt >= policy.maxAttempts) throw e;
      await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
    }
  }
}
