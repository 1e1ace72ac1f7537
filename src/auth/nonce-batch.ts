// Signature nonces for stage 5: checked in memory, persisted in batches. A nonce this process has seen inside
// its window is refused from memory, without the store. A new one is reserved in memory and queued; once the
// event loop has read every request that is ready (setImmediate runs after the poll phase) the queue goes to
// the store at once (StateStore.useNonces: on SQLite one write() to its nonce journal, store/nonce-journal.ts; on
// PostgreSQL one transaction in the shared table). The store still decides: another node or process may hold
// the nonce already. Each caller gets its answer only once its nonce is committed, so a 200 never goes out
// for a nonce that a kill -9 could forget; nothing is fsynced: it survives kill -9, and only
// a power cut could forget it (docs/security.md).
import type { StateStore } from '../store/types.js';

export type UseNonce = (accessKeyId: string, nonce: string, nowMs: number, expiresAtMs: number) => Promise<boolean>;

interface Pending {
  key: string;
  accessKeyId: string;
  nonce: string;
  nowMs: number;
  expiresAtMs: number;
  resolve(ok: boolean): void;
  reject(e: unknown): void;
}

/** Most nonces in one transaction, so that one commit never holds the store for long. */
const MAX_BATCH = 1024;
/** Past this many remembered nonces, expired ones are swept (they would be refused by the window anyway). */
const SWEEP_AT = 20_000;
/** Bound on memory (about 15 MB): past it the oldest are forgotten and the store alone answers for them. */
const MAX_REMEMBERED = 100_000;

export function batchedNonceUse(store: StateStore): UseNonce {
  // key -> expiry (ms). Insertion order is roughly expiry order, which the bound relies on.
  const seen = new Map<string, number>();
  let queue: Pending[] = [];
  let scheduled = false;
  let sweepAt = SWEEP_AT;

  // Amortized: the next sweep waits until the map has doubled past what this one left.
  const sweep = (nowMs: number): void => {
    for (const [key, expires] of seen) if (expires <= nowMs) seen.delete(key);
    for (const key of seen.keys()) {
      if (seen.size <= MAX_REMEMBERED / 2) break;
      seen.delete(key);
    }
    sweepAt = Math.max(SWEEP_AT, seen.size * 2);
  };

  const flush = async (batch: Pending[]): Promise<void> => {
    let nowMs = 0;
    for (const p of batch) if (p.nowMs > nowMs) nowMs = p.nowMs;
    try {
      const answers = await store.useNonces(batch, nowMs);
      // A nonce the store already held stays remembered: it is used, whoever used it.
      batch.forEach((p, i) => p.resolve(answers[i] === true));
    } catch (e) {
      // Not recorded: forget the reservation so that the client's retry is judged afresh.
      for (const p of batch) seen.delete(p.key);
      for (const p of batch) p.reject(e);
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (queue.length > 0) {
        // The whole queue when it fits (one connection: a batch of one), without copying it.
        const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
        queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
        void flush(batch);
      }
    });
  };

  // Where the store's own answer comes from this process's memory (SQLite's journal), a second table here would
  // only cost: a string and a Map entry per nonce, kept for minutes (old-generation garbage). Nonces then go
  // straight to the batch, and the journal refuses a repeat within one batch as it does across batches.
  if (store.noncesInMemory) {
    return (accessKeyId, nonce, nowMs, expiresAtMs) => new Promise<boolean>((resolve, reject) => {
      queue.push({ key: '', accessKeyId, nonce, nowMs, expiresAtMs, resolve, reject });
      schedule();
    });
  }
  return (accessKeyId, nonce, nowMs, expiresAtMs) => {
    const key = `${accessKeyId}\n${nonce}`;
    const held = seen.get(key);
    if (held !== undefined && held > nowMs) return Promise.resolve(false);
    if (seen.size >= sweepAt) sweep(nowMs);
    // Reserved now: the same nonce again before the commit is a replay too, and never reaches the store twice.
    seen.delete(key);
    seen.set(key, expiresAtMs);
    return new Promise<boolean>((resolve, reject) => {
      queue.push({ key, accessKeyId, nonce, nowMs, expiresAtMs, resolve, reject });
      schedule();
    });
  };
}
