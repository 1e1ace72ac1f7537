// No secret, signature or password in a log or in the audit: `localrds serve --log-level debug` runs as a child
// process (its own logger, as users run it) through a workload of good calls, failed signatures (wrong secret,
// tampered signature, the secret itself sent as a parameter), refused keys, RAM denials, whitelist refusals and a
// database login with a password through an endpoint; then its whole output, `localrds audit` and the audit rows
// are searched for the secret, every Signature value sent, and the password.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { DEFAULT_ACCOUNT_ID } from '../src/runtime/accounts.js';
import { BIN, freePort, startChild } from './helpers/child-server.js';
import { hardeningPools, readSqlite, waitRunning } from './helpers/hardening-state.js';
import { formEncode, send, v1Params, v3Headers } from './helpers/sign.js';

const run = promisify(execFile);

async function mariadbUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: 3306 });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test('the server log (debug level), `localrds audit` and the audit rows hold no secret, Signature or password', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'localrds-secrets-'));
  const creds = { accessKeyId: 'LTAI5tSecretsTestKey01', accessKeySecret: `S3cr3t-${randomBytes(12).toString('hex')}` };
  const password = `Pa55-${randomBytes(8).toString('hex')}`;
  const withDb = await mariadbUp();
  const pools = hardeningPools();
  const child = await startChild(
    ['--data-dir', dataDir, '--public-pool', pools.publicPool.text, '--private-pool', pools.privatePool.text, '--log-level', 'debug',
      ...(withDb ? ['--backend', 'mysql=127.0.0.1:3306'] : [])],
    { ALIBABA_CLOUD_ACCESS_KEY_ID: creds.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: creds.accessKeySecret }, await freePort());
  const e = child.endpoint;
  const signatures: string[] = [];
  const v1 = async (params: Record<string, string>, c = creds, over: Record<string, string> = {}) => {
    const p = v1Params(c, 'GET', params, over);
    signatures.push(p.Signature as string);
    return send(e, { path: `/?${formEncode(p)}` });
  };
  const v3 = async (action: string, query: Record<string, string>, c = creds) => {
    const { path, headers } = v3Headers(e, c, action, query);
    signatures.push(/Signature=([0-9a-f]+)/.exec(headers.authorization as string)?.[1] as string);
    return send(e, { method: 'POST', path, headers });
  };
  try {
    // Good calls that change state (and so are audited and logged by the data plane).
    const created = await v1({
      Action: 'CreateDBInstance', RegionId: 'cn-hangzhou', Engine: 'MySQL', EngineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
      DBInstanceStorage: '20', DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: '0.0.0.0/0',
    });
    assert.equal(created.status, 200, created.text);
    const id = String(created.json?.DBInstanceId);
    await waitRunning(e, creds, id);
    const pub = await v3('AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: 'secretspub', Port: '3306' });
    assert.equal(pub.status, 200, pub.text);
    const net1 = await v1({ Action: 'DescribeDBInstanceNetInfo', DBInstanceId: id });
    const endpoints = (net1.json?.DBInstanceNetInfos as { DBInstanceNetInfo: Array<{ IPAddress: string; Port: string; IPType: string }> }).DBInstanceNetInfo;
    const publicEp = endpoints.find((x) => x.IPType === 'Public');
    assert.ok(publicEp);

    // A login with a password through the endpoint (proxied to MariaDB); it fails or not, it must not be logged.
    if (withDb) {
      await mysql.createConnection({ host: publicEp.IPAddress, port: Number(publicEp.Port), user: 'localrds_nobody', password, connectTimeout: 3000 })
        .then((c) => c.end(), () => undefined);
    }
    // Whitelist refusal, then a refused connection.
    assert.equal((await v1({ Action: 'ModifySecurityIps', DBInstanceId: id, SecurityIps: '10.0.0.1' })).status, 200);
    await new Promise<void>((r) => { const s = net.connect({ host: publicEp.IPAddress, port: Number(publicEp.Port) }); s.on('error', () => r()); s.on('close', () => r()); });

    // Failed signatures of every kind; the last one carries the secret itself as a parameter value.
    const wrong = { ...creds, accessKeySecret: 'not-the-secret' };
    for (const r of [
      await v1({ Action: 'DescribeDBInstances', RegionId: 'cn-hangzhou' }, wrong),
      await v3('DescribeDBInstances', { RegionId: 'cn-hangzhou' }, wrong),
      await v1({ Action: 'DeleteDBInstance', DBInstanceId: id }, creds, { Signature: 'dGFtcGVyZWQtc2lnbmF0dXJlLXZhbHVlLTAx' }),
      await v1({ Action: 'DescribeDBInstances', RegionId: 'cn-hangzhou', Extra: creds.accessKeySecret }, wrong),
    ]) assert.equal(r.json?.Code, 'SignatureDoesNotMatch', r.text);
    signatures.push('dGFtcGVyZWQtc2lnbmF0dXJlLXZhbHVlLTAx');
    // Another change, a disabled key, and a bad request on a mutating action (audited as a failure).
    const again = await send(e, { path: `/?${formEncode(v1Params(creds, 'GET', { Action: 'ModifySecurityIps', DBInstanceId: id, SecurityIps: '10.0.0.2' }))}` });
    assert.equal(again.status, 200);
    const keyOut = (await run(process.execPath, [BIN, 'keys', 'create', '--account', DEFAULT_ACCOUNT_ID, '--data-dir', dataDir])).stdout;
    const limitedKey = { accessKeyId: /AccessKeyId\s+(\S+)/.exec(keyOut)?.[1] as string, accessKeySecret: /AccessKeySecret\s+(\S+)/.exec(keyOut)?.[1] as string };
    await run(process.execPath, [BIN, 'keys', 'disable', limitedKey.accessKeyId, '--data-dir', dataDir]);
    assert.equal((await v1({ Action: 'DeleteDBInstance', DBInstanceId: id }, limitedKey)).json?.Code, 'InvalidAccessKeyId.Inactive');
    assert.equal((await v1({ Action: 'ModifySecurityIps', DBInstanceId: id, SecurityIps: 'bad list' })).json?.Code, 'SecurityIPList.Format');
    const released = await v3('ReleaseInstancePublicConnection', { DBInstanceId: id, CurrentConnectionString: 'secretspub.mysql.rds.aliyuncs.com' });
    assert.equal(released.status, 200, released.text);

    // Stop cleanly (flushes the log), then read everything the server wrote.
    const exited = new Promise((r) => child.proc.once('exit', r));
    child.proc.kill('SIGTERM');
    await exited;
    const log = child.output();
    const audit = (await run(process.execPath, [BIN, 'audit', '--data-dir', dataDir, '--limit', '1000'])).stdout;
    const rows = JSON.stringify(readSqlite(dataDir).audit);
    t.diagnostic(`searched ${log.split('\n').length} log lines, ${audit.split('\n').length - 1} audit lines, ${signatures.length} signatures`);
    assert.ok(log.includes('"level":20') || log.includes('"level":30'), 'the log was captured at debug level');
    assert.ok(log.includes('connection refused by whitelist'), 'the data plane logged its refusal (the workload reached it)');
    assert.ok(audit.includes('SignatureDoesNotMatch') === false, 'failed signatures are not audited (they were never authenticated)');
    assert.ok(audit.includes('InvalidAccessKeyId.Inactive') === false);
    assert.ok(audit.includes('SecurityIPList.Format') && audit.includes('ReleaseInstancePublicConnection'), 'the audit saw the workload');
    assert.ok(log.includes(creds.accessKeyId), 'AccessKey ids may be shown');
    for (const [name, text] of [['log', log], ['localrds audit', audit], ['audit rows', rows]] as const) {
      assert.ok(!text.includes(creds.accessKeySecret), `${name} holds the secret`);
      assert.ok(!text.includes(limitedKey.accessKeySecret), `${name} holds a created key's secret`);
      assert.ok(!text.includes(password), `${name} holds the password`);
      for (const sig of signatures) assert.ok(!text.includes(sig), `${name} holds the Signature ${sig}`);
      assert.ok(!/Signature=|"signature"|authorization/i.test(text), `${name} holds a signature field`);
    }
  } finally {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
