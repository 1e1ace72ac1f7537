// Encoded answers of repeated reads, kept while the store has not changed (docs/architecture.md, "The hot path").
// An operation opts in (OpSpec.answerMemo) when its answer is a function of the store, the caller's account and
// its declared input alone: no clock, no live server. A repeat of such a call by the same account with the same
// input and format, while the store's version stands, is answered from the text encoded the first time, with its
// own RequestId put in: no read transaction, no handler, no encoding. Only the handler is skipped: the signature,
// the nonce, throttling and RAM policy are checked for every call as before.
import { randomUUID } from 'node:crypto';
import type { WireResponse } from './encode.js';

/** Stands for the RequestId while an answer is encoded once: random per process and never sent, so no input can hold it on purpose (a text holding it twice is not kept). */
const PLACEHOLDER = `localrds-answer-memo-${randomUUID()}`;

interface Entry {
  version: string;
  status: number;
  headers: Record<string, string>;
  /** The encoded answer around its RequestId (which appears exactly once). */
  before: string;
  after: string;
}

/** One call's look into the memo: its remembered answer, or the means to remember the one it is about to make. */
export interface MemoLookup {
  /** The remembered answer with this call's RequestId in place; undefined on a miss. */
  readonly answer: WireResponse | undefined;
  /**
   * After a miss: encodes the call's output through `encode` once, with a placeholder for the RequestId, keeps
   * that text under the version read at lookup (a call's snapshot is never older than it, and a version once
   * moved on never comes back, so an entry is only ever served while nothing has committed since it was made),
   * and returns the answer with this call's RequestId in place.
   */
  keep(encode: (requestId: string) => WireResponse): WireResponse;
}

export interface AnswerMemo {
  /** Looks a call up by account, action, format and declared input, under the store's current version. */
  lookup(accountId: string, action: string, format: string, input: Record<string, unknown>, version: string, requestId: string): MemoLookup;
  readonly size: number;
}

/** At most `limit` entries; when full, the oldest half goes (a map iterates in insertion order). */
export function createAnswerMemo(limit = 4096): AnswerMemo {
  const entries = new Map<string, Entry>();
  const spliced = (e: Entry, requestId: string): WireResponse => ({ status: e.status, headers: e.headers, body: e.before + requestId + e.after });
  const remember = (key: string, version: string, encoded: WireResponse): Entry | undefined => {
    const at = encoded.body.indexOf(PLACEHOLDER);
    // Exactly once, or the answer is not remembered (it cannot be, but a wrong splice must never be served).
    if (at < 0 || encoded.body.indexOf(PLACEHOLDER, at + PLACEHOLDER.length) >= 0) return undefined;
    if (entries.size >= limit) {
      let drop = entries.size >> 1;
      for (const k of entries.keys()) {
        if (drop-- <= 0) break;
        entries.delete(k);
      }
    }
    const e: Entry = {
      version, status: encoded.status, headers: encoded.headers,
      before: encoded.body.slice(0, at), after: encoded.body.slice(at + PLACEHOLDER.length),
    };
    entries.delete(key);
    entries.set(key, e);
    return e;
  };
  return {
    get size() { return entries.size; },
    lookup(accountId, action, format, input, version, requestId) {
      const key = `${accountId}\n${action}\n${format}\n${JSON.stringify(input)}`;
      const e = entries.get(key);
      if (e !== undefined && e.version === version) return { answer: spliced(e, requestId), keep: () => spliced(e, requestId) };
      if (e !== undefined) entries.delete(key);
      return {
        answer: undefined,
        keep(encode) {
          const kept = remember(key, version, encode(PLACEHOLDER));
          return kept === undefined ? encode(requestId) : spliced(kept, requestId);
        },
      };
    },
  };
}
