// Group commit for signature nonces (stage 5). Every signed request records its nonce in the store before it
// goes on, and each record is a durable commit (on SQLite an fsync, which blocks the event loop). Nonces are
// collected until the event loop has read every request that is ready (setImmediate runs after the poll phase)
// and then written in one transaction: one commit for all the requests of a burst, one short hop for a lone one.
// The commit is 'relaxed' (no fsync): it survives kill -9, and only a power cut could forget a nonce.
// Each caller still gets its own answer, and only once its nonce is committed.
import type { StateStore } from '../store/types.js';

export type UseNonce = (accessKeyId: string, nonce: string, nowMs: number, expiresAtMs: number) => Promise<boolean>;

interface Pending {
  accessKeyId: string;
  nonce: string;
  nowMs: number;
  expiresAtMs: number;
  resolve(ok: boolean): void;
  reject(e: unknown): void;
}

/** Most nonces in one transaction, so that one commit never holds the store for long. */
const MAX_BATCH = 256;

export function batchedNonceUse(store: StateStore): UseNonce {
  let queue: Pending[] = [];
  let scheduled = false;

  const flush = async (): Promise<void> => {
    const batch = queue.slice(0, MAX_BATCH);
    queue = queue.slice(batch.length);
    try {
      // The same nonce twice in one batch: the second use() sees the first's row and answers false, as it would apart.
      const answers = await store.tx(async (r) => {
        const out: boolean[] = [];
        for (const p of batch) out.push(await r.nonces.use(p.accessKeyId, p.nonce, p.nowMs, p.expiresAtMs));
        return out;
      }, { durability: 'relaxed' }); // a nonce must outlive the process, not a power cut: no fsync per batch
      batch.forEach((p, i) => p.resolve(answers[i] === true));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (queue.length > 0) void flush();
    });
  };

  return (accessKeyId, nonce, nowMs, expiresAtMs) => new Promise<boolean>((resolve, reject) => {
    queue.push({ accessKeyId, nonce, nowMs, expiresAtMs, resolve, reject });
    schedule();
  });
}
