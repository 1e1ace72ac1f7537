// Names of the unique constraints, identical on SQLite and PostgreSQL, so a handler can tell which rule a
// UniqueViolation broke (e.g. connection string taken vs. address taken) without knowing the dialect.
// PostgreSQL reports the name itself; SQLite reports "table.col, table.col", which uniqueName() maps back here.

export const CONSTRAINTS = {
  accountId: { name: 'accounts_pkey', table: 'accounts', columns: ['id'] },
  accessKeyId: { name: 'access_keys_pkey', table: 'access_keys', columns: ['access_key_id'] },
  nonce: { name: 'nonces_pkey', table: 'nonces', columns: ['access_key_id', 'nonce'] },
  instanceId: { name: 'instances_id_key', table: 'instances', columns: ['id'] },
  endpointConnectionString: { name: 'endpoints_pkey', table: 'endpoints', columns: ['connection_string'] },
  endpointAddress: { name: 'endpoints_address_key', table: 'endpoints', columns: ['ip_type', 'address'] },
  securityIpGroup: { name: 'security_ip_groups_pkey', table: 'security_ip_groups', columns: ['account_id', 'instance_id', 'name'] },
  address: { name: 'addresses_pkey', table: 'addresses', columns: ['pool', 'address_num'] },
  instanceTag: { name: 'instance_tags_pkey', table: 'instance_tags', columns: ['account_id', 'instance_id', 'tag_key'] },
  clientToken: { name: 'client_tokens_pkey', table: 'client_tokens', columns: ['account_id', 'action', 'token'] },
  dbAccount: { name: 'db_accounts_pkey', table: 'db_accounts', columns: ['account_id', 'instance_id', 'name'] },
  dbDatabase: { name: 'db_databases_pkey', table: 'db_databases', columns: ['account_id', 'instance_id', 'name'] },
  dbPrivilege: { name: 'db_privileges_pkey', table: 'db_privileges', columns: ['account_id', 'instance_id', 'account_name', 'db_name'] },
} as const;

export type ConstraintName = (typeof CONSTRAINTS)[keyof typeof CONSTRAINTS]['name'];

/** Maps SQLite's "UNIQUE constraint failed: t.a, t.b" message to a constraint name (or "t(a,b)" if unknown). */
export function sqliteConstraintName(message: string): string {
  const m = /constraint failed: (.+)$/.exec(message);
  if (!m?.[1]) return 'unknown';
  const cols = m[1].split(',').map((s) => s.trim());
  const table = cols[0]?.split('.')[0] ?? '';
  const names = cols.map((c) => c.slice(c.indexOf('.') + 1));
  for (const c of Object.values(CONSTRAINTS)) {
    if (c.table === table && c.columns.join(',') === names.join(',')) return c.name;
  }
  return `${table}(${names.join(',')})`;
}
