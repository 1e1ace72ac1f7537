// The programmatic API as a user's test suite imports it (`import { startLocalrds } from 'localrds'`, resolved
// through package.json exports): start, call with the official SDK, stop, and nothing is left behind; and the
// node:test example in examples/ passes as written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rdsClient, req, teaUtil } from './helpers/clients.js';
import { connectOutcome, greetingProtocol } from './helpers/ports.js';

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

/** Processes whose command line names the directory (servers localrds started from its data dir). */
function processesUnder(dir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir); } catch { return false; }
  }).map(Number);
}

test("engines: 'auto' gives each instance its own database server, and stop() ends it too", async () => {
  const { startLocalrds } = (await import(PACKAGE)) as Api;
  const rds = await startLocalrds({ engines: 'auto' });
  let stopped = false;
  try {
    const c = rdsClient(rds.endpoint, rds.credentials, { protocol: 'http' });
    // Creating starts a server from a template before the answer: seconds, not the SDK's default 3 s.
    const slow = new teaUtil.RuntimeOptions({ readTimeout: 180_000, connectTimeout: 60_000 });
    const id = (await c.createDBInstanceWithOptions(req('CreateDBInstance', { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' }), slow)).body.DBInstanceId;
    // The answer may come while the server still starts (Creating); Running means it accepts connections.
    for (let i = 0; ; i++) {
      const status = (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0].DBInstanceStatus;
      if (status === 'Running') break;
      assert.ok(i < 1200, `still ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const [ep] = (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo;
    assert.equal(await greetingProtocol(ep.IPAddress, Number(ep.port)), 10, 'its own MariaDB answers');
    assert.ok(processesUnder(rds.dataDir).length > 0, 'a server runs from the data dir');
    await rds.stop();
    stopped = true;
    assert.deepEqual(processesUnder(rds.dataDir), [], 'no server left running');
    assert.equal(existsSync(rds.dataDir), false);
  } finally {
    if (!stopped) await rds.stop();
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
