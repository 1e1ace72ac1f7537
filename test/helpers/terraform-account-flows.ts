// The Terraform provider's calls for alicloud_db_account (= alicloud_rds_account), alicloud_db_database and
// alicloud_db_account_privilege (shared/reference/terraform-calls.md §2-§4), request by request, with the fields
// each read uses checked for presence and JSON type. Reads return the attributes the provider keeps in state.
import assert from 'node:assert/strict';
import { at, expectTypes, tfCall, tfOk, type Json } from './terraform-wire.js';
import { waitRunning, type Tf } from './terraform-flows.js';

const common = (tf: Tf) => ({ RegionId: tf.region, SourceIp: tf.sourceIp });

export interface AccountConfig { name: string; password: string; type: 'Super' | 'Normal'; description?: string }

async function describeAccount(tf: Tf, id: string, name: string): Promise<Json | undefined> {
  const a = await tfOk(tf.endpoint, tf.creds, 'DescribeAccounts', { ...common(tf), DBInstanceId: id, AccountName: name });
  expectTypes('DescribeAccounts', a, { 'Accounts.DBInstanceAccount': 'array' });
  return at(a, 'Accounts.DBInstanceAccount[0]') as Json | undefined;
}

/** Create: wait for the instance, CreateAccount (no RegionId), wait for Available, wait for the instance, read. */
export async function applyAccount(tf: Tf, id: string, cfg: AccountConfig): Promise<Record<string, unknown>> {
  await waitRunning(tf, id, []);
  await tfOk(tf.endpoint, tf.creds, 'CreateAccount', {
    SourceIp: tf.sourceIp, DBInstanceId: id, AccountName: cfg.name, AccountPassword: cfg.password, AccountType: cfg.type,
    ...(cfg.description !== undefined ? { AccountDescription: cfg.description } : {}),
  });
  const first = await describeAccount(tf, id, cfg.name);
  assert.ok(first, 'the account is listed as soon as CreateAccount returns');
  expectTypes('account', first, { AccountStatus: 'string' });
  assert.equal(first.AccountStatus, 'Available');
  await waitRunning(tf, id, []);
  return readAccount(tf, id, cfg.name);
}

export async function readAccount(tf: Tf, id: string, name: string): Promise<Record<string, unknown>> {
  const a = await describeAccount(tf, id, name);
  assert.ok(a, `account ${name}`);
  expectTypes('account', a, { AccountStatus: 'string', AccountType: 'string', AccountDescription: 'string', DBInstanceId: 'string', AccountName: 'string' });
  // check_policy is not computed: CheckPolicy must be absent or false.
  assert.ok(a.CheckPolicy === undefined || a.CheckPolicy === false, 'CheckPolicy');
  return { instance_id: a.DBInstanceId, account_name: a.AccountName, account_type: a.AccountType, description: a.AccountDescription, status: a.AccountStatus, check_policy: a.CheckPolicy ?? false };
}

/** Delete: DeleteAccount (retried on the codes the provider retries), then DescribeAccounts until it is gone. */
export async function destroyAccount(tf: Tf, id: string, name: string): Promise<void> {
  for (let i = 0; ; i++) {
    const d = await tfCall(tf.endpoint, tf.creds, 'DeleteAccount', { SourceIp: tf.sourceIp, DBInstanceId: id, AccountName: name });
    if (d.status === 200) break;
    assert.ok(['AccountActionForbidden', 'IncorrectDBInstanceState', 'OperationDenied.DBInstanceStatus'].includes(d.json.Code as string) && i < 20, d.text);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await describeAccount(tf, id, name), undefined, 'gone as soon as DeleteAccount returns');
}

async function describeDatabase(tf: Tf, id: string, name: string, withSourceIp: boolean): Promise<Json | undefined> {
  const body = withSourceIp ? { ...common(tf), DBInstanceId: id, DBName: name } : { RegionId: tf.region, DBInstanceId: id, DBName: name };
  const d = await tfOk(tf.endpoint, tf.creds, 'DescribeDatabases', body);
  expectTypes('DescribeDatabases', d, { 'Databases.Database': 'array' });
  return at(d, 'Databases.Database[0]') as Json | undefined;
}

/** Create: CreateDatabase (no SourceIp, CharacterSetName utf8 by default), then the read with no wait. */
export async function applyDatabase(tf: Tf, id: string, name: string): Promise<Record<string, unknown>> {
  await tfOk(tf.endpoint, tf.creds, 'CreateDatabase', { RegionId: tf.region, DBInstanceId: id, DBName: name, CharacterSetName: 'utf8' });
  return readDatabase(tf, id, name);
}

export async function readDatabase(tf: Tf, id: string, name: string): Promise<Record<string, unknown>> {
  const d = await describeDatabase(tf, id, name, false);
  assert.ok(d, `database ${name}`);
  expectTypes('database', d, { DBDescription: 'string', DBStatus: 'string', DBName: 'string', DBInstanceId: 'string', Engine: 'string', CharacterSetName: 'string' });
  let characterSet = d.CharacterSetName as string;
  if (d.Engine === 'PostgreSQL') {
    expectTypes('database', d, { Collate: 'string', Ctype: 'string' });
    characterSet = [d.CharacterSetName, d.Collate, d.Ctype].join(',');
  }
  return { instance_id: d.DBInstanceId, name: d.DBName, character_set: characterSet, description: d.DBDescription, status: d.DBStatus };
}

/** Delete: wait for the instance, DeleteDatabase, one DescribeDatabases. */
export async function destroyDatabase(tf: Tf, id: string, name: string): Promise<void> {
  await waitRunning(tf, id, []);
  await tfOk(tf.endpoint, tf.creds, 'DeleteDatabase', { ...common(tf), DBInstanceId: id, DBName: name });
  assert.equal(await describeDatabase(tf, id, name, true), undefined, 'gone as soon as DeleteDatabase returns');
}

function hasPrivilege(db: Json, account: string, privilege: string): boolean {
  expectTypes('database', db, { 'Accounts.AccountPrivilegeInfo': 'array' });
  return (at(db, 'Accounts.AccountPrivilegeInfo') as Json[]).some((p) => p.Account === account
    && (p.AccountPrivilege === privilege || (privilege === 'DBOwner' && (p.AccountPrivilege === 'ALL' || p.AccountPrivilege === 'DbOwner'))));
}

/** Create: wait, GrantAccountPrivilege per database, then a no-sleep DescribeDatabases loop until the grant shows. */
export async function applyPrivilege(tf: Tf, id: string, account: string, privilege: string, dbNames: string[]): Promise<Record<string, unknown>> {
  await waitRunning(tf, id, []);
  for (const db of dbNames) {
    await tfOk(tf.endpoint, tf.creds, 'GrantAccountPrivilege', { ...common(tf), DBInstanceId: id, AccountName: account, DBName: db, AccountPrivilege: privilege });
    const d = await describeDatabase(tf, id, db, true);
    assert.ok(d && hasPrivilege(d, account, privilege), 'the grant is visible as soon as GrantAccountPrivilege returns');
  }
  return readPrivilege(tf, id, account, privilege, dbNames);
}

export async function readPrivilege(tf: Tf, id: string, account: string, privilege: string, dbNames: string[]): Promise<Record<string, unknown>> {
  const a = await describeAccount(tf, id, account);
  assert.ok(a, `account ${account}`);
  expectTypes('privilege account', a, { DBInstanceId: 'string', AccountName: 'string', 'DatabasePrivileges.DatabasePrivilege': 'array' });
  const privs = at(a, 'DatabasePrivileges.DatabasePrivilege') as Json[];
  for (const p of privs) expectTypes('DatabasePrivilege', p, { AccountPrivilege: 'string', DBName: 'string' });
  let names = privs.filter((p) => p.AccountPrivilege === privilege && dbNames.includes(p.DBName as string)).map((p) => p.DBName as string);
  if (names.length === 0 && id.startsWith('pgm-')) {
    // The fallback for PostgreSQL: every database's AccountPrivilegeInfo.
    const all = await tfOk(tf.endpoint, tf.creds, 'DescribeDatabases', { ...common(tf), DBInstanceId: id });
    names = (at(all, 'Databases.Database') as Json[]).filter((d) => dbNames.includes(d.DBName as string) && hasPrivilege(d, account, privilege)).map((d) => d.DBName as string);
  }
  return { instance_id: a.DBInstanceId, account_name: a.AccountName, privilege, db_names: names.sort() };
}

/** Delete: DescribeAccounts; PostgreSQL IDs stop there (no revoke); otherwise revoke each and wait until it is gone. */
export async function destroyPrivilege(tf: Tf, id: string, account: string, privilege: string, dbNames: string[]): Promise<void> {
  const a = await describeAccount(tf, id, account);
  if (!a || id.startsWith('pgm-')) return;
  for (const p of at(a, 'DatabasePrivileges.DatabasePrivilege') as Json[]) {
    if (p.AccountPrivilege !== privilege || !dbNames.includes(p.DBName as string)) continue;
    await tfOk(tf.endpoint, tf.creds, 'RevokeAccountPrivilege', { ...common(tf), DBInstanceId: id, AccountName: account, DBName: p.DBName as string });
    const d = await describeDatabase(tf, id, p.DBName as string, true);
    assert.ok(!d || !hasPrivilege(d, account, privilege), 'revoked as soon as RevokeAccountPrivilege returns');
  }
}
