// The programmatic API as a user's test suite imports it (`import { startLocalrds } from 'localrds'`, resolved
// through package.json exports): start, call with the official SDK, stop, and nothing is left behind; and the
// node:test example in examples/ passes as written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rdsClient, req } from './helpers/clients.js';
import { connectOutcome } from './helpers/ports.js';

type Api = typeof import('../src/index.js');
// By package name, as a user imports it (package self-reference); a variable keeps tsc from resolving it before dist exists.
const PACKAGE = 'localrds';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test("import { startLocalrds } from 'localrds': start, call with the SDK, stop, nothing left", async () => {
  const { startLocalrds } = (await import(PACKAGE)) as Api;
  const rds = await startLocalrds();
  let stopped = false;
  try {
    assert.match(rds.endpoint, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(rds.port, 8484, 'a free port, not the default');
    assert.ok(existsSync(rds.dataDir));
    const c = rdsClient(rds.endpoint, rds.credentials, { protocol: 'http' });
    const id = (await c.createDBInstance(req('CreateDBInstance', { regionId: 'cn-hangzhou', engine: 'PostgreSQL', engineVersion: '15.0', DBInstanceClass: 'pg.n2.small.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' }))).body.DBInstanceId;
    const [ep] = (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo;
    assert.equal(await connectOutcome(ep.IPAddress, Number(ep.port)), 'connected');

    await rds.stop();
    stopped = true;
    await rds.stop(); // twice is harmless
    assert.equal(existsSync(rds.dataDir), false, 'temporary data dir removed');
    assert.equal(await connectOutcome('127.0.0.1', rds.port), 'ECONNREFUSED', 'API port closed');
    assert.equal(await connectOutcome(ep.IPAddress, Number(ep.port)), 'ECONNREFUSED', 'endpoint listener closed');
  } finally {
    if (!stopped) await rds.stop();
  }
});

test('two embedded servers at once get their own ports, keys and directories', async () => {
  const { startLocalrds } = (await import(PACKAGE)) as Api;
  const [a, b] = await Promise.all([startLocalrds(), startLocalrds()]);
  try {
    assert.notEqual(a.port, b.port);
    assert.notEqual(a.dataDir, b.dataDir);
    assert.notEqual(a.credentials.accessKeyId, b.credentials.accessKeyId);
    // Each key belongs to its own server only.
    await assert.rejects(rdsClient(b.endpoint, a.credentials, { protocol: 'http' }).describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' })), (e: any) => e.code === 'InvalidAccessKeyId.NotFound');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('the node:test example in examples/ passes', () => {
  // Without NODE_TEST_CONTEXT, which would make the child report to this runner instead of printing TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'examples/embedded-node-test.mjs'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^# pass 1$/m);
  assert.match(r.stdout, /^# fail 0$/m);
});
