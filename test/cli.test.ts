// The localrds command as a user runs it: serve prints what to use and stops cleanly on SIGTERM and SIGINT;
// keys manages accounts and keys; hosts prints /etc/hosts lines.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { rdsClient, req } from './helpers/clients.js';
import { BIN, freePort, startChild } from './helpers/child-server.js';
import { randomPools } from './helpers/localrds.js';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { timeout: 30_000 });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serve prints endpoint and credentials, answers health, stops cleanly on ${signal}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrds-cli-'));
    try {
      const port = await freePort();
      const pools = randomPools();
      const child = await startChild(['--data-dir', dir, '--public-pool', pools.publicPool.text, '--private-pool', pools.privatePool.text], { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' }, port);
      const out = child.output();
      assert.match(out, new RegExp(`endpoint\\s+127\\.0\\.0\\.1:${port}`));
      assert.match(out, /AccessKey\s+LTAI5tLocalRdsDevKey0001/);
      assert.match(out, /Secret\s+localrdsDevSecretNotForProduction01/);
      const exited = new Promise<number | null>((r) => child.proc.once('exit', (code) => r(code)));
      child.proc.kill(signal);
      assert.equal(await exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('keys: accounts and keys, disabled keys refused, and hosts lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-keys-'));
  try {
    const account = (await cli('keys', 'create-account', 'team-b', '--data-dir', dir)).stdout.trim();
    assert.match(account, /^\d{16}$/);
    const created = (await cli('keys', 'create', '--account', account, '--data-dir', dir)).stdout;
    const accessKeyId = /AccessKeyId\s+(\S+)/.exec(created)?.[1] as string;
    const accessKeySecret = /AccessKeySecret\s+(\S+)/.exec(created)?.[1] as string;
    assert.ok(accessKeyId && accessKeySecret);
    const listed = (await cli('keys', 'list', '--data-dir', dir)).stdout;
    assert.match(listed, new RegExp(`${accessKeyId}\\t${account}\\tActive`));
    assert.doesNotMatch(listed, new RegExp(accessKeySecret), 'secrets are never listed');

    const port = await freePort();
    const pools = randomPools();
    const child = await startChild(['--data-dir', dir, '--public-pool', pools.publicPool.text, '--private-pool', pools.privatePool.text], {}, port);
    try {
      const c = rdsClient(child.endpoint, { accessKeyId, accessKeySecret }, { protocol: 'http' });
      const id = (await c.createDBInstance(req('CreateDBInstance', { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'x', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' }))).body.DBInstanceId;
      await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: 'hostsline', port: '3306' }));
      const hosts = (await cli('hosts', '--data-dir', dir)).stdout;
      assert.match(hosts, /^127\.\d+\.0\.1\s+hostsline\.mysql\.rds\.aliyuncs\.com$/m);
      assert.match(hosts, new RegExp(`^127\\.\\d+\\.0\\.1\\s+${id}\\.mysql\\.rds\\.aliyuncs\\.com$`, 'm'));
      const audit = (await cli('audit', '--data-dir', dir)).stdout;
      assert.match(audit, /AllocateInstancePublicConnection\t\S+\tSuccess/);

      await cli('keys', 'disable', accessKeyId, '--data-dir', dir);
      await assert.rejects(c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' })), (e: { code: string }) => e.code === 'InvalidAccessKeyId.Inactive');
      await cli('keys', 'enable', accessKeyId, '--data-dir', dir);
      assert.equal((await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }))).statusCode, 200);
    } finally {
      child.proc.kill('SIGTERM');
      await new Promise((r) => child.proc.once('exit', r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
