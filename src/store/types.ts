// The narrow store interface. Handlers only ever see `Repos` inside `tx`.
// Implementations: sqlite-store.ts (better-sqlite3, default) and postgres-store.ts (pg), both via Kysely.
import type {
  AccessKeyRecord, AccountId, AccountRecord, AuditRecord, EndpointRecord, InstanceId, InstanceRecord,
  InstanceStatus, PoolName, SecurityIpGroup,
} from '../domain/types.js';

export interface InstanceFilter {
  regionId?: string;
  ids?: string[];
  status?: string;
  engine?: string;
  searchKey?: string;
  connectionString?: string;
}

export interface InstancePage {
  items: InstanceRecord[];
  total: number;
}

export interface AccountRepo {
  createAccount(a: AccountRecord): Promise<void>;
  getAccount(id: AccountId): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  deleteAccount(id: AccountId): Promise<void>;
  putKey(k: AccessKeyRecord): Promise<void>; // insert or replace
  getKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listKeys(accountId?: AccountId): Promise<AccessKeyRecord[]>;
  deleteKey(accessKeyId: string): Promise<void>;
}

export interface NonceRepo {
  /** Records the nonce; false when the same (accessKeyId, nonce) is already held and not expired. */
  use(accessKeyId: string, nonce: string, nowMs: number, expiresAtMs: number): Promise<boolean>;
  /**
   * use() for many distinct (accessKeyId, nonce) pairs in one statement; the answers in the same order.
   * The pairs must not repeat within one call.
   */
  useMany(items: ReadonlyArray<{ accessKeyId: string; nonce: string; expiresAtMs: number }>, nowMs: number): Promise<boolean[]>;
  /** Drops nonces whose expiry has passed. */
  purge(nowMs: number): Promise<number>;
}

export interface InstanceRepo {
  insert(i: InstanceRecord): Promise<void>;
  /** Scoped by account: another account's instance is undefined. `forUpdate` locks the row (PostgreSQL). */
  get(accountId: AccountId, id: InstanceId, opts?: { forUpdate?: boolean }): Promise<InstanceRecord | undefined>;
  /** Offset paging (PageNumber/PageSize), ordered by seq ascending. */
  list(accountId: AccountId, f: InstanceFilter, offset: number, limit: number): Promise<InstancePage>;
  /** Cursor paging (MaxResults/NextToken): items with seq > afterSeq, ordered by seq. */
  listAfter(accountId: AccountId, f: InstanceFilter, afterSeq: number, limit: number): Promise<InstanceRecord[]>;
  setStatus(accountId: AccountId, id: InstanceId, status: InstanceStatus, statusUntil: number): Promise<void>;
  /** Every instance whose status is not Running (all accounts): what the reconciler may settle. */
  listTransitional(): Promise<InstanceRecord[]>;
  delete(accountId: AccountId, id: InstanceId): Promise<void>;
  countAll(): Promise<number>;
}

export interface EndpointRepo {
  insert(e: EndpointRecord): Promise<void>;
  listByInstance(accountId: AccountId, id: InstanceId): Promise<EndpointRecord[]>;
  /** Across all accounts (connection strings are globally unique). */
  getByConnectionString(connectionString: string): Promise<EndpointRecord | undefined>;
  delete(connectionString: string): Promise<void>;
  deleteByInstance(accountId: AccountId, id: InstanceId): Promise<void>;
  /** Changes name and/or port of one endpoint. */
  update(connectionString: string, next: { connectionString: string; port: number }): Promise<void>;
  setBindError(connectionString: string, error: string): Promise<void>;
  listAll(): Promise<EndpointRecord[]>;
  /** Endpoints of the given instances, across accounts (data plane). */
  listByInstanceIds(ids: string[]): Promise<EndpointRecord[]>;
}

export interface SecurityIpRepo {
  list(accountId: AccountId, id: InstanceId): Promise<SecurityIpGroup[]>;
  /** Inserts or replaces the group (accountId, instanceId, name). */
  put(g: SecurityIpGroup): Promise<void>;
  delete(accountId: AccountId, id: InstanceId, name: string): Promise<void>;
  deleteByInstance(accountId: AccountId, id: InstanceId): Promise<void>;
  /** All groups for the given instances (data plane), across accounts. */
  listByInstanceIds(ids: string[]): Promise<SecurityIpGroup[]>;
}

export interface AddressRepo {
  /**
   * Takes the lowest free address of the pool in [first, last] (IPv4 as unsigned 32-bit numbers).
   * An address is free when no row holds it, or its row is released and its quarantine has passed.
   * Returns the dotted address, or undefined when the pool is exhausted.
   */
  allocate(pool: PoolName, first: number, last: number, owner: { accountId: AccountId; instanceId: InstanceId }, nowMs: number): Promise<string | undefined>;
  /** Marks the address released; it may be handed out again once nowMs >= quarantineUntilMs. */
  release(pool: PoolName, address: string, quarantineUntilMs: number): Promise<void>;
  /** Addresses currently held (not released), for leak checks. */
  countHeld(pool: PoolName): Promise<number>;
}

export interface AuditRepo {
  append(r: AuditRecord): Promise<void>;
  list(opts: { accountId?: string; limit: number }): Promise<AuditRecord[]>;
}

export interface Repos {
  accounts: AccountRepo;
  nonces: NonceRepo;
  instances: InstanceRepo;
  endpoints: EndpointRepo;
  securityIps: SecurityIpRepo;
  addresses: AddressRepo;
  audit: AuditRepo;
}

export interface TxOptions {
  /**
   * 'full' (default): the commit is on disk before tx resolves (survives kill -9 and power loss).
   * 'relaxed': the commit survives kill -9 but may be lost on power loss (SQLite WAL synchronous=NORMAL,
   * PostgreSQL synchronous_commit=off). Only for nonces, where an fsync per read request is the whole cost.
   */
  durability?: 'full' | 'relaxed';
}

export interface StateStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs fn in one transaction. Commits when fn resolves; rolls back when it throws (the error is rethrown).
   * PostgreSQL runs SERIALIZABLE and retries fn on serialization failures and deadlocks.
   * Everything a committed tx wrote survives kill -9 (SQLite WAL with synchronous=FULL; PostgreSQL default).
   */
  tx<T>(fn: (r: Repos) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Runs fn in one read-only transaction (one snapshot for all of its queries). */
  read<T>(fn: (r: Repos) => Promise<T>): Promise<T>;
  /**
   * A token that changes whenever an access key or account may have changed, in this process or in another
   * one sharing the store (SQLite: this process's commits plus PRAGMA data_version; PostgreSQL: LISTEN/NOTIFY,
   * and a fresh token on every call while the listening connection is down). Cheap enough for every request.
   */
  keysVersion(): string;
  close(): Promise<void>;
}

/** Thrown by a repo when a unique constraint (connection string, address) is violated. */
export class UniqueViolation extends Error {
  constructor(public readonly constraint: string) {
    super(`unique violation: ${constraint}`);
    this.name = 'UniqueViolation';
  }
}
