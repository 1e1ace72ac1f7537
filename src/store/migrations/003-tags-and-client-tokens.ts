// 003_tags_and_client_tokens: instance tags (TagResources, DescribeTags, the Tags filter of DescribeDBInstances)
// and the answers of calls made with a ClientToken, so that a retry with the same token gets the first answer.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';
import { CONSTRAINTS as C } from '../constraints.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const s = db.schema;
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';

  await s.createTable('instance_tags')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('instance_id', text, (c) => c.notNull())
    .addColumn('tag_key', text, (c) => c.notNull())
    .addColumn('tag_value', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(C.instanceTag.name, ['account_id', 'instance_id', 'tag_key'])
    .execute();
  // The Tags filter of DescribeDBInstances looks instances up by key and value.
  await s.createIndex('instance_tags_key_idx').on('instance_tags').columns(['account_id', 'tag_key', 'tag_value']).execute();

  await s.createTable('client_tokens')
    .addColumn('account_id', text, (c) => c.notNull())
    .addColumn('action', text, (c) => c.notNull())
    .addColumn('token', text, (c) => c.notNull())
    // SHA-256 of the decoded business parameters: the same token with other parameters is refused.
    .addColumn('request_hash', text, (c) => c.notNull())
    // The operation's output (JSON, without RequestId), exactly as the first call answered it.
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(C.clientToken.name, ['account_id', 'action', 'token'])
    .execute();
  await s.createIndex('client_tokens_expires_idx').on('client_tokens').column('expires_at').execute();
}
