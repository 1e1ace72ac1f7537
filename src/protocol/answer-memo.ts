// Encoded answers of repeated reads, kept while the store has not changed (docs/architecture.md, "Answer memo").
// An operation opts in (OpSpec.answerMemo) when its answer is a function of the store, the caller's account and
// its declared input alone: no clock, no live server. A repeat of such a call by the same account with the same
// input and format, while the store's version stands, is answered from the text encoded the first time, with its
// own RequestId put in: no read transaction, no handler, no encoding. Only the handler is skipped: the signature,
// the nonce, throttling and RAM policy are checked for every call as before.
import { randomUUID } from 'node:crypto';
import type { WireResponse } from './encode.js';

/** Stands for the RequestId while an answer is encoded once; no real RequestId or store value contains it. */
const PLACEHOLDER = `localrds-answer-memo-${randomUUID()}`;

interface Entry {
  version: string;
  status: number;
  headers: Record<string, string>;
  /** The encoded answer around its RequestId (which appears exactly once). */
  before: string;
  after: string;
}

export interface AnswerMemo {
  /** The key of a call: the account, the action, the format and the declared input as decoded. */
  keyOf(accountId: string, action: string, format: string, input: Record<string, unknown>): string;
  /** The remembered answer of the key under this version, with requestId put in; undefined when there is none. */
  get(key: string, version: string, requestId: string): WireResponse | undefined;
  /**
   * Remembers an answer encoded with PLACEHOLDER as its RequestId, under the version read before the call was
   * handled: a call's snapshot is never older than that, and a version once moved on never comes back, so an
   * entry is only ever served while nothing has committed since it was made.
   */
  set(key: string, version: string, encoded: WireResponse): void;
  readonly placeholder: string;
  readonly size: number;
}

/** At most `limit` entries; when full, the oldest half goes (a map iterates in insertion order). */
export function createAnswerMemo(limit = 4096): AnswerMemo {
  const entries = new Map<string, Entry>();
  return {
    placeholder: PLACEHOLDER,
    get size() { return entries.size; },
    keyOf(accountId, action, format, input) {
      return `${accountId}\n${action}\n${format}\n${JSON.stringify(input)}`;
    },
    get(key, version, requestId) {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      if (e.version !== version) {
        entries.delete(key);
        return undefined;
      }
      return { status: e.status, headers: e.headers, body: e.before + requestId + e.after };
    },
    set(key, version, encoded) {
      const at = encoded.body.indexOf(PLACEHOLDER);
      // Exactly once, or the answer is not remembered (it cannot be, but a wrong splice must never be served).
      if (at < 0 || encoded.body.indexOf(PLACEHOLDER, at + PLACEHOLDER.length) >= 0) return;
      if (entries.size >= limit) {
        let drop = entries.size >> 1;
        for (const k of entries.keys()) {
          if (drop-- <= 0) break;
          entries.delete(k);
        }
      }
      entries.delete(key);
      entries.set(key, {
        version, status: encoded.status, headers: encoded.headers,
        before: encoded.body.slice(0, at), after: encoded.body.slice(at + PLACEHOLDER.length),
      });
    },
  };
}
