// ClientToken idempotence for every mutating operation that declares the parameter: the first successful call's
// answer is stored in the same transaction as its change, and a later call by the same tenant account with the
// same action and token gets that answer back and changes nothing. Terraform relies on it: it retries a create
// whose answer was lost with the same token. A failed call stores nothing, so its token may be used again.
import { createHash } from 'node:crypto';
import type { AccountId } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import type { Repos } from '../store/types.js';

/** How long a token is remembered (the real retention is not documented; a day covers any client's retries). */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface TokenedCall {
  accountId: AccountId;
  action: string;
  token: string;
  /** The decoded business parameters; the token itself and the common parameters are not part of it. */
  input: Record<string, unknown>;
  now: number;
}

export function requestHash(input: Record<string, unknown>): string {
  // Passwords stay out: an unsalted hash of one would be stored next to the answer (none of today's tokened
  // operations takes one, but the rule must not depend on that).
  const entries = Object.entries(input).filter(([k]) => k !== 'ClientToken' && !/password/i.test(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/** Runs the change once per token: `change` only runs, and its answer is only stored, the first time. */
export async function oncePerToken(repos: Repos, call: TokenedCall, change: () => Promise<object>): Promise<{ output: object; replayed: boolean }> {
  const key = { accountId: call.accountId, action: call.action, token: call.token };
  const hash = requestHash(call.input);
  const prior = await repos.clientTokens.get(key, call.now);
  if (prior) {
    if (prior.requestHash !== hash) throw new ApiError('IdempotentParameterMismatch');
    return { output: JSON.parse(prior.response) as object, replayed: true };
  }
  const output = await change();
  await repos.clientTokens.put(key, { requestHash: hash, response: JSON.stringify(output), expiresAtMs: call.now + CLIENT_TOKEN_TTL_MS });
  return { output, replayed: false };
}
