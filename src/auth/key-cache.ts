// AccessKey lookups for stage 5, from memory while the store says no key changed. Every lookup compares the
// store's keysVersion() (changes made by this process, by `localrds keys` in another one, by other nodes on
// PostgreSQL) with the version the entry was read under, and reads the key again when they differ.
import type { AccessKeyRecord } from '../domain/types.js';
import type { StateStore } from '../store/types.js';

/** Unknown ids are cached too (a flood of made-up ids must not each cost a read); the bound keeps that cheap. */
const MAX_ENTRIES = 10_000;

/** A hit answers at once (no promise, no microtask); a miss reads the store. */
export function cachedKeyLookup(store: StateStore): (accessKeyId: string) => AccessKeyRecord | undefined | Promise<AccessKeyRecord | undefined> {
  const entries = new Map<string, { version: string; key: AccessKeyRecord | undefined }>();
  const miss = async (accessKeyId: string, version: string) => {
    const key = await store.read((r) => r.accounts.getKey(accessKeyId));
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(accessKeyId, { version, key });
    return key;
  };
  return (accessKeyId) => {
    // Taken before the read: a change committed while the read runs leaves the entry stale by version.
    const version = store.keysVersion();
    const hit = entries.get(accessKeyId);
    if (hit !== undefined && hit.version === version) return hit.key;
    return miss(accessKeyId, version);
  };
}
