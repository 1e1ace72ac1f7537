// Health that means ready: a private PostgreSQL holding the store is stopped under a running localrds. Health
// answers 503 with the reason and calls answer ServiceUnavailable (503) rather than InternalError; once the same
// PostgreSQL is back, both recover by themselves, and every write acknowledged before the stop is still there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rdsClient, req } from './helpers/clients.js';
import { freePort } from './helpers/child-server.js';
import { startTestServer } from './helpers/localrds.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const CREATE = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' };

/** A PostgreSQL of our own, run as the unprivileged `postgres` user from a temporary directory. */
function privatePostgres(dir: string, port: number) {
  const asPostgres = (cmd: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { stdio: 'pipe', timeout: 60_000 });
  const data = join(dir, 'data');
  const start = () => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start']);
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']);
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  return { start, stop, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

async function health(endpoint: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`http://${endpoint}/_localrds/health`);
  return { status: r.status, body: await r.json() };
}

test('store down: health 503 and ServiceUnavailable; store back: calls succeed, no acknowledged write lost', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-pg-'));
  chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const pg = privatePostgres(dir, await freePort());
  pg.start();
  let pgUp = true;
  t.after(() => {
    if (pgUp) { try { pg.stop(); } catch { /* already stopped */ } }
    rmSync(dir, { recursive: true, force: true });
  });

  const rds = await startTestServer({ db: pg.url });
  t.after(() => rds.stop());
  const c = rdsClient(rds.endpoint, rds.credentials, { protocol: 'http' });
  const acknowledged: string[] = [];
  for (let i = 0; i < 3; i++) acknowledged.push((await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string);
  assert.deepEqual(await health(rds.endpoint), { status: 200, body: { status: 'ok' } });

  pg.stop();
  pgUp = false;
  const down = await health(rds.endpoint);
  assert.equal(down.status, 503);
  assert.equal(down.body.status, 'unavailable');
  assert.match(down.body.reasons[0], /^store unreachable: .*ECONNREFUSED/);
  for (const call of [
    () => c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' })),
    () => c.createDBInstance(req('CreateDBInstance', CREATE)),
  ]) {
    await assert.rejects(call(), (e: any) => {
      assert.equal(e.code, 'ServiceUnavailable');
      assert.equal(e.statusCode, 503);
      assert.match(e.data?.RequestId ?? '', /^[0-9A-F-]{36}$/);
      assert.equal(e.data?.HostId, 'rds.aliyuncs.com');
      return true;
    });
  }

  pg.start();
  pgUp = true;
  // The pool reconnects on its own; nothing is restarted. Wait until health says so.
  for (let i = 0; (await health(rds.endpoint)).status !== 200; i++) {
    assert.ok(i < 100, 'health recovers');
    await new Promise((r) => setTimeout(r, 100));
  }
  const listed = (await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou', pageSize: 100 }))).body.items.DBInstance.map((i: any) => i.DBInstanceId as string);
  for (const id of acknowledged) assert.ok(listed.includes(id), `${id} (acknowledged before the stop) is still there`);
  assert.equal(listed.length, acknowledged.length, 'the refused create wrote nothing');
  const after = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
  assert.match(after, /^rm-/);
});

test('health is 503 while an engine the configuration needs cannot run', async (t) => {
  let problem = 'initdb not found in /usr/lib/postgresql/*/bin';
  const rds = await startTestServer({ engineAvailability: () => [
    { engine: 'MySQL', mode: 'shared', problem: '' },
    { engine: 'SQLServer', mode: 'none', problem: 'localrds runs no SQL Server' },
    { engine: 'PostgreSQL', mode: 'per-instance', problem },
  ] });
  t.after(() => rds.stop());
  assert.deepEqual(await health(rds.endpoint), { status: 503, body: { status: 'unavailable', reasons: [`engine PostgreSQL unavailable: ${problem}`] } });
  problem = '';
  assert.deepEqual(await health(rds.endpoint), { status: 200, body: { status: 'ok' } }, 'an engine left out on purpose (none) is not a failure');
});
