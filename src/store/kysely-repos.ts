// Builds the Repos that handlers see inside tx(), from one Kysely handle. The same code serves SQLite and
// PostgreSQL; each aggregate's SQL and row mapping live in its own file under repos/.
import type { Kysely } from 'kysely';
import type { Repos } from './types.js';
import type { Database, Dialect } from './schema.js';
import type { RepoContext } from './repos/context.js';
import { accountRepo } from './repos/accounts.js';
import { nonceRepo } from './repos/nonces.js';
import { instanceRepo } from './repos/instances.js';
import { endpointRepo } from './repos/endpoints.js';
import { securityIpRepo } from './repos/security-ips.js';
import { addressRepo } from './repos/addresses.js';
import { auditRepo } from './repos/audit.js';
import { tagRepo } from './repos/tags.js';
import { clientTokenRepo } from './repos/client-tokens.js';
import { dbAccountRepo } from './repos/db-accounts.js';
import { databaseRepo } from './repos/databases.js';
import { privilegeRepo } from './repos/privileges.js';
import { nodeRepo } from './repos/nodes.js';

/**
 * readOnly: the repos serve read(); row locks are skipped there since nothing will be written.
 * changed: where the repos note what the transaction changed, for the store to act on after the commit.
 */
export function makeRepos(
  db: Kysely<Database>,
  dialect: Dialect,
  opts: { readOnly?: boolean; changed?: RepoContext['changed'] } = {},
): Repos {
  const ctx: RepoContext = { db, dialect, readOnly: opts.readOnly ?? false, changed: opts.changed ?? { keys: false } };
  return {
    accounts: accountRepo(ctx),
    nonces: nonceRepo(ctx),
    instances: instanceRepo(ctx),
    endpoints: endpointRepo(ctx),
    securityIps: securityIpRepo(ctx),
    addresses: addressRepo(ctx),
    audit: auditRepo(ctx),
    tags: tagRepo(ctx),
    clientTokens: clientTokenRepo(ctx),
    dbAccounts: dbAccountRepo(ctx),
    databases: databaseRepo(ctx),
    privileges: privilegeRepo(ctx),
    nodes: nodeRepo(ctx),
  };
}
