// Accounts and AccessKeys: the default development account, and what `localrds keys` does.
import { randomBytes, randomInt } from 'node:crypto';
import type { AccessKeyRecord, AccountId } from '../domain/types.js';
import type { StateStore } from '../store/types.js';

/** The well-known development pair, used when ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET are not set. Never use it in production. */
export const DEV_ACCESS_KEY_ID = 'LTAI5tLocalRdsDevKey0001';
export const DEV_ACCESS_KEY_SECRET = 'localrdsDevSecretNotForProduction01';
export const DEFAULT_ACCOUNT_ID = '1000000000000001' as AccountId;

export interface Credentials { accessKeyId: string; accessKeySecret: string }

export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): Credentials {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (id && secret) return { accessKeyId: id, accessKeySecret: secret };
  return { accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET };
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Makes sure the default account exists and the given key belongs to it (secret updated if it changed). */
export async function ensureDefaultAccount(store: StateStore, creds: Credentials): Promise<void> {
  await store.tx(async (r) => {
    if (!(await r.accounts.getAccount(DEFAULT_ACCOUNT_ID))) {
      await r.accounts.createAccount({ id: DEFAULT_ACCOUNT_ID, name: 'default', createdAt: now() });
    }
    const key = await r.accounts.getKey(creds.accessKeyId);
    if (!key || key.secret !== creds.accessKeySecret) {
      await r.accounts.putKey({
        accessKeyId: creds.accessKeyId, secret: creds.accessKeySecret, accountId: key?.accountId ?? DEFAULT_ACCOUNT_ID,
        status: key?.status ?? 'Active', policy: key?.policy ?? null, createdAt: key?.createdAt ?? now(),
      });
    }
  });
}

export async function createAccount(store: StateStore, name: string): Promise<AccountId> {
  const id = String(randomInt(1, 9)) + Array.from({ length: 15 }, () => randomInt(0, 10)).join('') as AccountId;
  await store.tx((r) => r.accounts.createAccount({ id, name, createdAt: now() }));
  return id;
}

export async function createKey(store: StateStore, accountId: AccountId, policy: string | null = null): Promise<AccessKeyRecord> {
  const key: AccessKeyRecord = {
    accessKeyId: 'LTAI5t' + randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 18),
    secret: randomBytes(22).toString('base64url').replace(/[-_]/g, 'z').slice(0, 30),
    accountId, status: 'Active', policy, createdAt: now(),
  };
  await store.tx(async (r) => {
    if (!(await r.accounts.getAccount(accountId))) throw new Error(`no account ${accountId}`);
    await r.accounts.putKey(key);
  });
  return key;
}
