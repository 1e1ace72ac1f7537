// Several localrds on one machine, each with default settings and its own data dir: every address one of them
// (or any other process) holds is skipped by the others' allocators, recorded with its reason, so every instance
// reaches Running with every endpoint connectable. An address that cannot be bound at all is refused up front.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { rdsClient, req } from './helpers/clients.js';
import { freePort, kill9, startChild, type Child } from './helpers/child-server.js';
import { startTestServer } from './helpers/localrds.js';
import { greetingProtocol } from './helpers/ports.js';
import { mustCidr } from '../src/config.js';
import { probeBind } from '../src/runtime/bind-probe.js';

const DEV = { accessKeyId: 'LTAI5tLocalRdsDevKey0001', accessKeySecret: 'localrdsDevSecretNotForProduction01' };
const CREATE = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' };

async function serveDefaults(t: TestContext): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-side-'));
  // Default pools on purpose (no --public-pool / --private-pool): that is what two projects on one machine run.
  const child = await startChild(['--data-dir', dir, '--backend', 'mysql=127.0.0.1:3306'], { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' }, await freePort());
  t.after(async () => {
    await kill9(child);
    rmSync(dir, { recursive: true, force: true });
  });
  return child;
}

async function waitRunning(c: any, id: string): Promise<void> {
  for (let i = 0; ; i++) {
    const a = (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0];
    if (a.DBInstanceStatus === 'Running') return;
    if (i > 100) assert.fail(`${id} stays ${a.DBInstanceStatus}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function netInfo(c: any, id: string): Promise<Array<{ IPAddress: string; port: string; IPType: string }>> {
  return (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo;
}

test('two servers with default pools: instances and public connections on both are Running and connectable', async (t) => {
  const servers = [await serveDefaults(t), await serveDefaults(t)];
  const clients = servers.map((s) => rdsClient(s.endpoint, DEV, { protocol: 'http' }));
  const made: Array<{ c: any; id: string }> = [];
  // Interleaved, so that each server's allocations land on addresses the other one already holds.
  for (let round = 0; round < 2; round++) {
    for (const [n, c] of clients.entries()) {
      const id = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
      await waitRunning(c, id);
      await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: `side${n}r${round}x${randomInt(1e6)}`, port: '3306' }));
      made.push({ c, id });
    }
  }
  const seen = new Set<string>();
  for (const { c, id } of made) {
    await waitRunning(c, id);
    const infos = await netInfo(c, id);
    assert.equal(infos.length, 2, 'private and public');
    for (const e of infos) {
      const key = `${e.IPAddress}:${e.port}`;
      assert.ok(!seen.has(key), `${key} handed out twice across the servers`);
      seen.add(key);
      assert.equal(await greetingProtocol(e.IPAddress, Number(e.port)), 10, `${id} ${e.IPType} ${key} proxies to MariaDB`);
    }
  }
});

test('an address held by another process is skipped and recorded; the instance gets the next one', async (t) => {
  const a = randomInt(100, 200);
  const b = randomInt(0, 250);
  const privatePool = mustCidr(`127.${a}.${b}.0/24`);
  const held = `127.${a}.${b}.1`;
  // The outside holder: a separate process listening on the first address of the pool, on MySQL's port.
  const holder = spawn(process.execPath, ['-e', `require('net').createServer(s=>s.destroy()).listen(3306,'${held}',()=>console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { holder.kill('SIGKILL'); });
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  const rds = await startTestServer({ backends: { mysql: { host: '127.0.0.1', port: 3306 } }, service: { privatePool } });
  t.after(() => rds.stop());
  const c = rdsClient(rds.endpoint, rds.credentials, { protocol: 'http' });
  const id = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
  await waitRunning(c, id);
  const [priv] = await netInfo(c, id);
  assert.equal(priv?.IPAddress, `127.${a}.${b}.2`);
  assert.equal(await greetingProtocol(priv.IPAddress, 3306), 10);
  const skipped = await rds.store.read((r) => r.addresses.listSkipped('private', Date.now()));
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]?.address, held);
  assert.match(skipped[0]?.reason ?? '', /127\.\d+\.\d+\.1:3306 held by another process/);
  assert.ok((skipped[0]?.retryAtMs ?? 0) > Date.now(), 'a retry time ahead');

  // Once the holder lets go and the retry time has passed, the address is handed out again (lowest first).
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  const later = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
  assert.equal((await netInfo(c, later))[0]?.IPAddress, `127.${a}.${b}.3`, 'still inside its retry time: skipped');
  await rds.store.tx((r) => r.addresses.skip('private', held, 'test: retry now', 0));
  const third = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
  await waitRunning(c, third);
  assert.equal((await netInfo(c, third))[0]?.IPAddress, held, 'due for a retry, probed free, reused');
});

test('an address this machine cannot bind refuses the allocation with OperationDenied.EndpointUnavailable', async (t) => {
  const pool = '198.51.100.0/24';
  // TEST-NET-2 is assigned to no interface here; if it ever were, this test would say so instead of passing.
  assert.equal(await probeBind('198.51.100.1', 3306), 'EADDRNOTAVAIL', 'precondition: 198.51.100.1 is not local');
  const rds = await startTestServer({ service: { publicPool: mustCidr(pool) } });
  t.after(() => rds.stop());
  const c = rdsClient(rds.endpoint, rds.credentials, { protocol: 'http' });
  const id = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
  await waitRunning(c, id);
  await assert.rejects(
    c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: `nolocal${randomInt(1e6)}`, port: '3306' })),
    (e: any) => {
      assert.equal(e.code, 'OperationDenied.EndpointUnavailable');
      assert.equal(e.statusCode, 403);
      assert.match(e.message, /198\.51\.100\.1:3306 cannot listen on this machine: EADDRNOTAVAIL/);
      return true;
    },
  );
  await waitRunning(c, id);
  assert.deepEqual((await netInfo(c, id)).map((e) => e.IPType), ['Private'], 'nothing was written');
  assert.equal(await rds.store.read((r) => r.addresses.countHeld('public')), 0);
});
