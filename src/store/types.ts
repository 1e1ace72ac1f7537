// The narrow store interface. Handlers only ever see `Repos` inside `tx`.
// Implementations: sqlite-store.ts (better-sqlite3, default) and postgres-store.ts (pg), both via Kysely.
import type {
  AccessKeyRecord, AccountId, AccountRecord, AuditRecord, DatabaseRecord, DbAccountRecord, EndpointRecord, Engine,
  InstanceId, InstanceRecord, InstanceStatus, InstanceTag, PoolName, PrivilegeRecord, SecurityIpGroup,
} from '../domain/types.js';

export interface InstanceFilter {
  regionId?: string;
  ids?: string[];
  status?: string;
  engine?: string;
  searchKey?: string;
  connectionString?: string;
  /** Every pair must be a tag of the instance (DescribeDBInstances Tags). */
  tags?: ReadonlyArray<{ key: string; value: string }>;
}

/** What ModifyDBInstanceDescription, ModifyDBInstanceSpec, TransformDBInstancePayType and deletion protection change. */
export type InstancePatch = Partial<Pick<InstanceRecord, 'description' | 'instanceClass' | 'storageGb' | 'storageType' | 'payType' | 'status' | 'statusUntil' | 'deletionProtection'>>;

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
  update(accountId: AccountId, id: InstanceId, patch: InstancePatch): Promise<void>;
  /** Every instance whose status is not Running (all accounts): what the reconciler may settle. */
  listTransitional(): Promise<InstanceRecord[]>;
  delete(accountId: AccountId, id: InstanceId): Promise<void>;
  /** Every instance, or only those of the given engines (--max-instances counts instances with a server). */
  countAll(engines?: readonly Engine[]): Promise<number>;
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
  /** Moves the endpoint to another address of its pool (an address another process took before it could bind). */
  setAddress(connectionString: string, address: string): Promise<void>;
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

export interface TagRepo {
  /** The tags of these instances, by instance then key. */
  list(accountId: AccountId, ids: readonly string[]): Promise<InstanceTag[]>;
  /** Every tag of the account, by key, value, instance. */
  listByAccount(accountId: AccountId): Promise<InstanceTag[]>;
  /** Adds the tag or replaces the value of its key. */
  put(accountId: AccountId, t: InstanceTag): Promise<void>;
  /** Removes the named keys, or every tag of the instance when keys is undefined. */
  delete(accountId: AccountId, id: InstanceId, keys?: string[]): Promise<void>;
}

export interface ClientTokenCall {
  accountId: AccountId;
  action: string;
  token: string;
}

export interface ClientTokenRepo {
  /** The first call with this token (its request hash and answer as JSON text), unless it has expired. */
  get(call: ClientTokenCall, nowMs: number): Promise<{ requestHash: string; response: string } | undefined>;
  put(call: ClientTokenCall, stored: { requestHash: string; response: string; expiresAtMs: number }): Promise<void>;
  purge(nowMs: number): Promise<number>;
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
  /**
   * The address (just allocated) is held by another process: it goes back as released with the reason, and is
   * not handed out again before retryAtMs.
   */
  skip(pool: PoolName, address: string, reason: string, retryAtMs: number): Promise<void>;
  /** Addresses passed over and not yet due for a retry, with the reason (newest retry time first). */
  listSkipped(pool: PoolName, nowMs: number): Promise<Array<{ address: string; reason: string; retryAtMs: number }>>;
  /** Addresses currently held (not released), for leak checks. */
  countHeld(pool: PoolName): Promise<number>;
}

export interface AuditRepo {
  append(r: AuditRecord): Promise<void>;
  list(opts: { accountId?: string; limit: number }): Promise<AuditRecord[]>;
}

/** What ModifyAccountDescription, Lock/UnlockAccount and the password resets change on an account. */
export type DbAccountPatch = Partial<Pick<DbAccountRecord, 'description' | 'locked' | 'mysqlHash' | 'scramVerifier'>>;

/**
 * Database accounts of instances (CreateAccount ...). Scoped by (tenant account, instance); names are unique per
 * instance (CONSTRAINTS.dbAccount). Deleting the instance removes them; deleting one removes its grants.
 */
export interface DbAccountRepo {
  insert(a: DbAccountRecord): Promise<void>;
  get(accountId: AccountId, instanceId: InstanceId, name: string): Promise<DbAccountRecord | undefined>;
  /** Ordered by name (byte order), as the servers list them. */
  list(accountId: AccountId, instanceId: InstanceId): Promise<DbAccountRecord[]>;
  /** False when there is no such account. */
  update(accountId: AccountId, instanceId: InstanceId, name: string, patch: DbAccountPatch): Promise<boolean>;
  delete(accountId: AccountId, instanceId: InstanceId, name: string): Promise<void>;
  /** Accounts of the given instances, across tenants (engine reconciler). */
  listByInstanceIds(ids: string[]): Promise<DbAccountRecord[]>;
  /**
   * Shared-server mode, where names are server-wide: whether any instance of this engine, of any tenant, other
   * than `exceptInstanceId`, holds an account with exactly this name.
   */
  nameHeldOnEngine(engine: Engine, name: string, exceptInstanceId?: InstanceId): Promise<boolean>;
}

/** Databases of instances (CreateDatabase ...), scoped and removed like accounts (CONSTRAINTS.dbDatabase). */
export interface DatabaseRepo {
  insert(d: DatabaseRecord): Promise<void>;
  get(accountId: AccountId, instanceId: InstanceId, name: string): Promise<DatabaseRecord | undefined>;
  /** Ordered by name (byte order), as the servers list them. */
  list(accountId: AccountId, instanceId: InstanceId): Promise<DatabaseRecord[]>;
  /** False when there is no such database. */
  setDescription(accountId: AccountId, instanceId: InstanceId, name: string, description: string): Promise<boolean>;
  delete(accountId: AccountId, instanceId: InstanceId, name: string): Promise<void>;
  listByInstanceIds(ids: string[]): Promise<DatabaseRecord[]>;
  /** As DbAccountRepo.nameHeldOnEngine, for database names. */
  nameHeldOnEngine(engine: Engine, name: string, exceptInstanceId?: InstanceId): Promise<boolean>;
}

/**
 * Grants: one mode per (account, database) of an instance. Both must exist (foreign keys); deleting either
 * removes the grant.
 */
export interface PrivilegeRepo {
  /** Inserts or replaces the mode of (accountName, dbName). */
  put(p: PrivilegeRecord): Promise<void>;
  delete(accountId: AccountId, instanceId: InstanceId, accountName: string, dbName: string): Promise<void>;
  /** Every grant of the instance, ordered by account name then database name. */
  list(accountId: AccountId, instanceId: InstanceId): Promise<PrivilegeRecord[]>;
  /** Drops every grant of one account (ResetAccount). */
  deleteByAccount(accountId: AccountId, instanceId: InstanceId, accountName: string): Promise<void>;
  listByInstanceIds(ids: string[]): Promise<PrivilegeRecord[]>;
}

export type NodeState = 'live' | 'expired' | 'stopped';

/** A localrds node sharing the store (migration 006). Times are in the database's clock (ms since the epoch). */
export interface NodeRecord {
  nodeId: string;
  apiUrl: string;
  /** '' = any zone. */
  zoneId: string;
  publicPool: string;
  privatePool: string;
  /** Engines served from a shared --backend on this node, and engines with a server per instance. */
  sharedEngines: string[];
  serverEngines: string[];
  state: NodeState;
  leaseUntilMs: number;
  heartbeatMs: number;
  startedMs: number;
  instances: number;
  endpoints: number;
  sessions: number;
  epoch: number;
}

export type NodeRegistration = Pick<NodeRecord, 'nodeId' | 'apiUrl' | 'zoneId' | 'publicPool' | 'privatePool' | 'sharedEngines' | 'serverEngines'>;
export type NodeLoad = Pick<NodeRecord, 'instances' | 'endpoints' | 'sessions'>;

/** An instance's owner and change counter (migration 006). */
export interface InstanceOwnership {
  instanceId: InstanceId;
  accountId: AccountId;
  engine: Engine;
  status: InstanceStatus;
  nodeId: string | null;
  generation: number;
  appliedGeneration: number;
}

/**
 * Nodes, their leases and which node owns each instance. Lease times are taken from the database's clock
 * (PostgreSQL clock_timestamp(), SQLite's own), so the nodes' clocks need not agree.
 */
export interface NodeRepo {
  /** The database's clock, in ms. */
  dbNow(): Promise<number>;
  /** Inserts or revives the node: state live, lease dbNow + leaseMs, epoch + 1. Returns the new epoch. */
  register(n: NodeRegistration, leaseMs: number): Promise<number>;
  /**
   * Renews a live node's lease (dbNow + leaseMs) and records its load. Returns the row after the renewal, or
   * undefined when the node is not live (another node marked it expired, or it was stopped): it must rejoin.
   */
  renew(nodeId: string, leaseMs: number, load: NodeLoad): Promise<NodeRecord | undefined>;
  get(nodeId: string): Promise<NodeRecord | undefined>;
  list(): Promise<NodeRecord[]>;
  setState(nodeId: string, state: NodeState): Promise<void>;
  /** Live nodes whose lease has passed by the database's clock. */
  listLapsed(): Promise<NodeRecord[]>;
  /** Instances not yet owned by any node become this node's. Returns how many. */
  claimUnowned(nodeId: string): Promise<number>;
  setOwner(instanceId: InstanceId, nodeId: string): Promise<void>;
  /** Owner and generations of the given instances (missing ones are left out). */
  ownership(ids: readonly string[]): Promise<InstanceOwnership[]>;
  /** Every instance the node owns. */
  ownedBy(nodeId: string): Promise<InstanceOwnership[]>;
  /** Instances per owner node (unowned ones under ''). */
  countByNode(): Promise<Map<string, number>>;
  /** Bumps each instance's generation; returns the new generation and the owner of each. */
  bump(ids: readonly string[]): Promise<InstanceOwnership[]>;
  /** Records that the owner applied the instance up to this generation (never moves back). */
  setApplied(instanceId: string, generation: number): Promise<void>;
  /** pg_notify in this transaction (delivered at commit, dropped on rollback); nothing on SQLite. */
  notify(channel: string, payload: string): Promise<void>;
}

export interface Repos {
  accounts: AccountRepo;
  nonces: NonceRepo;
  instances: InstanceRepo;
  endpoints: EndpointRepo;
  securityIps: SecurityIpRepo;
  addresses: AddressRepo;
  audit: AuditRepo;
  tags: TagRepo;
  clientTokens: ClientTokenRepo;
  dbAccounts: DbAccountRepo;
  databases: DatabaseRepo;
  privileges: PrivilegeRepo;
  nodes: NodeRepo;
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
  /**
   * A token that moves with every commit to the store, this process's and other processes' (SQLite: the
   * writer's commits, counted in the commit's own turn, plus PRAGMA data_version once per event-loop turn). Absent
   * where no such token is cheap (PostgreSQL, shared by other nodes): the answer memo then stays off.
   */
  readVersion?(): string;
  /**
   * The once-only check of a batch of signature nonces (NonceRepo.useMany's answers, in order), committed
   * 'relaxed' before it resolves: it survives kill -9, not a power cut. SQLite keeps nonces in a file of their
   * own so that their commits, one per event-loop turn of signed calls, never touch the main file;
   * PostgreSQL keeps them in the shared store's table so that every node agrees. Expired nonces are purged as
   * it goes.
   */
  /** useNonces answers from this process's memory at once (SQLite's journal): no cache in front of it is needed. */
  readonly noncesInMemory?: boolean;
  useNonces(items: ReadonlyArray<{ accessKeyId: string; nonce: string; expiresAtMs: number }>, nowMs: number): Promise<boolean[]>;
  close(): Promise<void>;
}

/** Thrown by a repo when a unique constraint (connection string, address) is violated. */
export class UniqueViolation extends Error {
  constructor(public readonly constraint: string) {
    super(`unique violation: ${constraint}`);
    this.name = 'UniqueViolation';
  }
}
