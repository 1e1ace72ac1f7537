// Row shapes of the SQL tables, as Kysely sees them. Shared by SQLite and PostgreSQL: the migrations create the
// same logical schema on both, and the repos (repos/*.ts) map these rows to domain records in one place each.
// Numbers typed `number | string` are bigint columns: pg returns int8 as a string, better-sqlite3 as a number.
import type { Generated } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';
type Int8 = number | string;

export interface AccountsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  secret: string;
  account_id: string;
  status: string;
  policy: string | null;
  created_at: string;
}

export interface NoncesTable {
  access_key_id: string;
  nonce: string;
  expires_at: Int8;
}

export interface InstancesTable {
  seq: Generated<Int8>;
  id: string;
  account_id: string;
  region_id: string;
  zone_id: string;
  engine: string;
  engine_version: string;
  instance_class: string;
  storage_gb: number;
  storage_type: string;
  category: string;
  pay_type: string;
  network_type: string;
  vpc_id: string;
  v_switch_id: string;
  description: string;
  status: string;
  status_until: Int8;
  created_at: string;
  /** 0 or 1 on both dialects, so the mapping code is shared. */
  deletion_protection: number;
  /** The node that serves the instance (migration 006); NULL until a node claims it. */
  node_id: Generated<string | null>;
  generation: Generated<Int8>;
  applied_generation: Generated<Int8>;
}

/** One localrds node sharing the store (migration 006). Times are the database's clock, in ms. */
export interface NodesTable {
  node_id: string;
  api_url: string;
  /** '' = the node serves any zone. */
  zone_id: string;
  public_pool: string;
  private_pool: string;
  /** Comma list of the engines this node serves from a shared --backend server. */
  shared_engines: string;
  /** Comma list of the engines this node runs a server per instance for. */
  server_engines: string;
  /** live | expired | stopped */
  state: string;
  lease_until_ms: Int8;
  heartbeat_ms: Int8;
  started_ms: Int8;
  instances: number;
  endpoints: number;
  sessions: number;
  epoch: Int8;
}

export interface EndpointsTable {
  connection_string: string;
  account_id: string;
  instance_id: string;
  ip_type: string;
  address: string;
  port: number;
  created_at: string;
  bind_error: string;
}

export interface SecurityIpGroupsTable {
  account_id: string;
  instance_id: string;
  name: string;
  attribute: string;
  /** Comma-joined entries; '' for an empty group. */
  ips: string;
  whitelist_network_type: string;
}

export interface AddressesTable {
  pool: string;
  address_num: Int8;
  address: string;
  account_id: string;
  instance_id: string;
  /** 0 = held, 1 = released. */
  released: number;
  quarantine_until: Int8;
  /** Why allocate passed the address over (held by another process), '' otherwise; retry at quarantine_until. */
  skip_reason: Generated<string>;
}

/** Every number in [first, dense_to] of the pool has an addresses row (see repos/addresses.ts). */
export interface AddressMarksTable {
  pool: string;
  first: Int8;
  dense_to: Int8;
}

/** How many instances an account has in a region per block of PAGE_BLOCK seq values (see migration 005). */
export interface InstancePageCountsTable {
  account_id: string;
  region_id: string;
  block: Int8;
  n: Int8;
}

export interface AuditTable {
  id: Generated<Int8>;
  time: string;
  request_id: string;
  account_id: string;
  access_key_id: string;
  action: string;
  instance_id: string;
  result: string;
}

export interface InstanceTagsTable {
  account_id: string;
  instance_id: string;
  tag_key: string;
  tag_value: string;
}

export interface ClientTokensTable {
  account_id: string;
  action: string;
  token: string;
  request_hash: string;
  response: string;
  expires_at: Int8;
}

export interface DbAccountsTable {
  account_id: string;
  instance_id: string;
  name: string;
  type: string;
  description: string;
  /** 0 or 1. */
  locked: number;
  mysql_hash: string;
  scram_verifier: string;
  created_at: string;
}

export interface DbDatabasesTable {
  account_id: string;
  instance_id: string;
  name: string;
  charset: string;
  collate: string;
  ctype: string;
  description: string;
  created_at: string;
}

export interface DbPrivilegesTable {
  account_id: string;
  instance_id: string;
  account_name: string;
  db_name: string;
  privilege: string;
}

export interface SchemaMigrationsTable {
  id: string;
  applied_at: string;
}

export interface Database {
  accounts: AccountsTable;
  access_keys: AccessKeysTable;
  nonces: NoncesTable;
  instances: InstancesTable;
  endpoints: EndpointsTable;
  security_ip_groups: SecurityIpGroupsTable;
  addresses: AddressesTable;
  address_marks: AddressMarksTable;
  audit: AuditTable;
  instance_tags: InstanceTagsTable;
  client_tokens: ClientTokensTable;
  db_accounts: DbAccountsTable;
  db_databases: DbDatabasesTable;
  db_privileges: DbPrivilegesTable;
  instance_page_counts: InstancePageCountsTable;
  nodes: NodesTable;
  schema_migrations: SchemaMigrationsTable;
}
