// Database passwords never reach the log, the audit or the store's files: `localrds serve --log-level debug`
// runs as a child process through account calls carrying passwords (SDK V3 in a form body, pop-core V1 in the
// query string), good and refused ones; kill -9 keeps whatever was only in the WAL; then the whole output, the
// audit rows and the raw bytes of the SQLite database, WAL and shm files are searched for each password, while
// the verifiers that replace them are there.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { mysqlNativeHash } from '../src/domain/password-verifiers.js';
import { freePort, kill9, startChild } from './helpers/child-server.js';
import { popClient, rdsClient, req } from './helpers/clients.js';
import { hardeningPools, waitRunning } from './helpers/hardening-state.js';

test('account passwords are in no log line, audit row or store file; their verifiers are', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'localrds-acc-secrets-'));
  const creds = { accessKeyId: 'LTAI5tAccSecretsKey01', accessKeySecret: `S3cr3t${randomBytes(10).toString('hex')}` };
  const pw = (tag: string) => `Pw${tag}${randomBytes(6).toString('hex')}!`;
  const passwords = { create: pw('C'), reset: pw('R'), resetSuper: pw('S'), pop: pw('P'), refused: pw('X'), weak: `weak${randomBytes(6).toString('hex')}` };
  const pools = hardeningPools();
  const child = await startChild(['--data-dir', dataDir, '--public-pool', pools.publicPool.text, '--private-pool', pools.privatePool.text, '--log-level', 'debug'],
    { ALIBABA_CLOUD_ACCESS_KEY_ID: creds.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: creds.accessKeySecret }, await freePort());
  try {
    const sdk = rdsClient(child.endpoint, creds, { protocol: 'http' });
    const pop = popClient(child.endpoint, creds);
    const id = (await sdk.createDBInstance(req('CreateDBInstance', {
      regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20,
      DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0',
    }))).body.DBInstanceId as string;
    await waitRunning(child.endpoint, creds, id);

    await sdk.createAccount(req('CreateAccount', { DBInstanceId: id, accountName: 'app', accountPassword: passwords.create }));
    await sdk.createAccount(req('CreateAccount', { DBInstanceId: id, accountName: 'boss', accountPassword: passwords.create, accountType: 'Super' }));
    await sdk.resetAccountPassword(req('ResetAccountPassword', { DBInstanceId: id, accountName: 'app', accountPassword: passwords.reset }));
    await sdk.resetAccount(req('ResetAccount', { DBInstanceId: id, accountName: 'boss', accountPassword: passwords.resetSuper }));
    // V1 GET: the password travels in the query string.
    await pop.request('CreateAccount', { DBInstanceId: id, AccountName: 'popuser', AccountPassword: passwords.pop }, { method: 'GET' });
    // Refused calls carrying passwords (audited as failures).
    for (const [fields, code] of [
      [{ DBInstanceId: 'rm-doesnotexist000000', accountName: 'x1', accountPassword: passwords.refused }, 'InvalidDBInstanceId.NotFound'],
      [{ DBInstanceId: id, accountName: 'weakling', accountPassword: passwords.weak }, 'InvalidAccountPassword.Format'],
      [{ DBInstanceId: id, accountName: 'app', accountPassword: passwords.refused }, 'InvalidAccountName.Duplicate'],
    ] as const) {
      const err = await sdk.createAccount(req('CreateAccount', fields)).then(() => undefined, (e: { code: string }) => e.code);
      assert.equal(err, code);
    }
    const audited = await sdk.describeAccounts(req('DescribeAccounts', { DBInstanceId: id }));
    assert.deepEqual(audited.body.accounts.DBInstanceAccount.map((a: { accountName: string }) => a.accountName), ['app', 'boss', 'popuser']);

    // kill -9: nothing is flushed or checkpointed on the way out, so the WAL still holds the latest writes.
    await kill9(child);
    const log = child.output();
    assert.match(log, /localrds is ready/, 'the output was captured');
    const db = new BetterSqlite3(join(dataDir, 'localrds.sqlite'), { readonly: true });
    let rows: string;
    let hashes: Array<{ name: string; mysql_hash: string }>;
    try {
      rows = JSON.stringify([db.prepare('select * from audit').all(), db.prepare('select * from db_accounts').all()]);
      hashes = db.prepare('select name, mysql_hash from db_accounts order by name').all() as typeof hashes;
    } finally {
      db.close();
    }
    assert.ok(rows.includes('InvalidAccountPassword.Format') && rows.includes('ResetAccount'), 'the audit saw the workload');
    assert.deepEqual(hashes, [
      { name: 'app', mysql_hash: mysqlNativeHash(passwords.reset) },
      { name: 'boss', mysql_hash: mysqlNativeHash(passwords.resetSuper) },
      { name: 'popuser', mysql_hash: mysqlNativeHash(passwords.pop) },
    ]);
    const files = ['localrds.sqlite', 'localrds.sqlite-wal', 'localrds.sqlite-shm'].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
    const bytes = files.map((f) => readFileSync(f).toString('latin1')).join('\n');
    for (const [name, value] of Object.entries(passwords)) {
      assert.ok(!log.includes(value), `the log holds the ${name} password`);
      assert.ok(!rows.includes(value), `the audit or account rows hold the ${name} password`);
      assert.ok(!bytes.includes(value), `a store file holds the ${name} password`);
    }
    assert.ok(!log.includes(creds.accessKeySecret), 'the log holds the AccessKey secret');
  } finally {
    await kill9(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
