// The race the allocator's probe cannot close: another process takes an address:port between the probe and the
// data plane's bind. The endpoint then moves to another address of its pool (the lost one recorded as skipped)
// instead of leaving its instance Creating until that process lets go.
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { mustCidr } from '../src/config.js';
import { poolRange } from '../src/domain/ipv4.js';
import { probeBind } from '../src/runtime/bind-probe.js';
import { relocateHeldEndpoints } from '../src/runtime/relocate.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rdsClient, req } from './helpers/clients.js';
import { randomPools, startTestServer } from './helpers/localrds.js';
import { connectOutcome, pickPort } from './helpers/ports.js';
import { endpoint, iid, instance } from './store-fixtures/records.js';

test('an endpoint whose address was taken before it bound moves to the next free address', async (t) => {
  const a = randomInt(100, 200);
  const b = randomInt(0, 250);
  const rds = await startTestServer({ service: { privatePool: mustCidr(`127.${a}.${b}.0/24`) } });
  t.after(() => rds.stop());
  const lost = `127.${a}.${b}.1`;
  const port = await pickPort(lost);
  const id = iid(`rm-race${randomInt(1e6)}`);
  const accountId = (await rds.store.read((r) => r.accounts.getKey(rds.credentials.accessKeyId)))!.accountId;
  const range = poolRange(rds.config.privatePool);
  // As CreateDBInstance leaves it: the address probed free and committed to the endpoint...
  await rds.store.tx(async (r) => {
    await r.instances.insert(instance(accountId, id, { status: 'Creating', statusUntil: 0 }));
    assert.equal(await r.addresses.allocate('private', range.first, range.last, { accountId, instanceId: id }, Date.now()), lost);
    await r.endpoints.insert(endpoint(accountId, id, `${id}.mysql.rds.aliyuncs.com`, lost, { ipType: 'Private', port }));
  });
  // ...and then someone else binds it first.
  const thief = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => thief.listen(port, lost, resolve));
  t.after(() => new Promise<void>((resolve) => thief.close(() => resolve())));
  await rds.dataplane.reconcile({ instanceId: id });
  assert.match(rds.dataplane.live([id])[0]?.bindError ?? '', /EADDRINUSE/);

  await relocateHeldEndpoints({ store: rds.store, dataplane: rds.dataplane, config: rds.config, probe: probeBind, now: Date.now, instanceId: id });
  const [live] = rds.dataplane.live([id]);
  assert.equal(live?.address, `127.${a}.${b}.2`);
  assert.equal(live?.listening, true);
  assert.equal((await rds.store.read((r) => r.endpoints.listByInstance(accountId, id)))[0]?.address, `127.${a}.${b}.2`);
  assert.equal(await connectOutcome(`127.${a}.${b}.2`, port), 'connected');
  const skipped = await rds.store.read((r) => r.addresses.listSkipped('private', Date.now()));
  assert.deepEqual(skipped.map((s) => s.address), [lost]);
  assert.match(skipped[0]?.reason ?? '', /taken by another process/);
  assert.equal(await probeBind(lost, port), 'EADDRINUSE', 'the thief still has it; we left it alone');
});

test('an endpoint that cannot bind after a restart says why in DescribeDBInstanceAttribute, and recovers', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'localrds-unserved-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const pools = randomPools();
  const first = await startTestServer({ keepDataDir: dataDir, service: pools });
  const c = rdsClient(first.endpoint, first.credentials, { protocol: 'http' });
  const id = (await c.createDBInstance(req('CreateDBInstance', {
    regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20,
    DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1',
  }))).body.DBInstanceId as string;
  const [ep] = (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo;
  await first.stop();

  // While localrds is down, another process takes the endpoint's address:port; localrds keeps it (NetInfo must
  // not move across a restart) and must say why the endpoint does not answer.
  const thief = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => thief.listen(Number(ep.port), ep.IPAddress, resolve));
  let thiefOpen = true;
  t.after(() => (thiefOpen ? new Promise<void>((resolve) => thief.close(() => resolve())) : undefined));
  const second = await startTestServer({ keepDataDir: dataDir, service: pools });
  t.after(() => second.stop());
  const c2 = rdsClient(second.endpoint, second.credentials, { protocol: 'http' });
  const attr = async () => (await c2.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0];
  const stuck = await attr();
  assert.match(stuck.lockReason, new RegExp(`${ep.connectionString.replace(/\./g, '\\.')} \\(${ep.IPAddress.replace(/\./g, '\\.')}:${ep.port}\\) cannot listen: .*EADDRINUSE`));
  assert.equal(stuck.lockMode, 'Unlock');

  await new Promise<void>((resolve) => thief.close(() => resolve()));
  thiefOpen = false;
  // The data plane retries a failed bind every 2 s; once it binds, the reason goes.
  for (let i = 0; (await attr()).lockReason !== ''; i++) {
    assert.ok(i < 100, 'the endpoint never bound after the address was let go');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await connectOutcome(ep.IPAddress, Number(ep.port)), 'connected');
});
