// GET /metrics after real traffic: signed calls (a success, a refusal) and a session proxied to MariaDB move the
// counters; the text is Prometheus' exposition format; non-loopback clients are refused unless --metrics-public.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { rdsClient, req } from './helpers/clients.js';
import { startTestServer } from './helpers/localrds.js';
import { greetingProtocol } from './helpers/ports.js';
import { isLoopback } from '../src/http/metrics.js';

const CREATE = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' };

function get(host: string, port: number, path: string, localAddress?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host, port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    r.on('error', reject);
    r.end();
  });
}

/** The value of one sample line, e.g. value(text, 'localrds_api_requests_total{action="X",code="Success"}'). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

test('metrics move with API calls and a proxied session', async (t) => {
  const rds = await startTestServer({ backends: { mysql: { host: '127.0.0.1', port: 3306 } } });
  t.after(() => rds.stop());
  const c = rdsClient(rds.endpoint, rds.credentials, { protocol: 'http' });
  const before = (await get('127.0.0.1', rds.port, '/metrics')).body;
  assert.equal(value(before, 'localrds_dataplane_listeners'), 0);

  const id = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
  await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: `metrics${randomInt(1e6)}`, port: '3306' }));
  for (let i = 0; i < 3; i++) await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }));
  await assert.rejects(c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: 'rm-doesnotexist0000' })));
  const pub = (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo.find((e: any) => e.IPType === 'Public');
  // One proxied session that stays open during the scrape, after the server's greeting came through it.
  const session = net.connect({ host: pub.IPAddress, port: Number(pub.port) });
  t.after(() => session.destroy());
  await new Promise<void>((resolve, reject) => { session.once('data', () => resolve()); session.once('error', reject); });
  assert.equal(await greetingProtocol(pub.IPAddress, Number(pub.port)), 10);

  const m = await get('127.0.0.1', rds.port, '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.type, /^text\/plain; version=0\.0\.4/);
  assert.match(m.body, /^# TYPE localrds_api_requests_total counter$/m);
  assert.equal(value(m.body, 'localrds_api_requests_total{action="CreateDBInstance",code="Success"}'), 1);
  assert.equal(value(m.body, 'localrds_api_requests_total{action="AllocateInstancePublicConnection",code="Success"}'), 1);
  assert.equal(value(m.body, 'localrds_api_requests_total{action="DescribeDBInstances",code="Success"}'), 3);
  assert.equal(value(m.body, 'localrds_api_requests_total{action="DescribeDBInstanceNetInfo",code="InvalidDBInstanceId.NotFound"}'), 1);
  assert.equal(value(m.body, 'localrds_api_request_duration_seconds_count{action="DescribeDBInstances"}'), 3);
  assert.equal(value(m.body, 'localrds_api_request_duration_seconds_bucket{le="+Inf",action="DescribeDBInstances"}'), 3);
  assert.equal(value(m.body, 'localrds_dataplane_listeners'), 2, 'internal and public endpoint');
  assert.ok(value(m.body, 'localrds_dataplane_sessions') >= 1, 'the open session');
  assert.ok(value(m.body, 'localrds_dataplane_backend_sockets') >= 1);
  assert.equal(value(m.body, 'localrds_instance_servers{state="running"}'), 1, 'the instance, served by the shared MariaDB');

  // Bytes are counted when a session ends: send a few, hang up, and scrape until the session is gone.
  session.end(Buffer.from([1, 0, 0, 0, 1]));
  let ended = m.body;
  for (let i = 0; value(ended, 'localrds_dataplane_sessions') !== 0; i++) {
    assert.ok(i < 200, 'the session ends');
    await new Promise((r) => setTimeout(r, 25));
    ended = (await get('127.0.0.1', rds.port, '/metrics')).body;
  }
  assert.ok(value(ended, 'localrds_dataplane_client_bytes_sent_total') > 0, 'the greetings went to the clients');
  assert.ok(value(ended, 'localrds_dataplane_client_bytes_received_total') >= 5, 'the client\'s bytes went to the server');
  assert.match(ended, /^# TYPE localrds_dataplane_client_bytes_sent_total counter$/m);

  // An unsigned request with a made-up Action is counted under 'unknown', never under the caller's text.
  await get('127.0.0.1', rds.port, '/?Action=Made_Up_Action&Version=2014-08-15');
  const after = (await get('127.0.0.1', rds.port, '/metrics')).body;
  assert.equal(value(after, 'localrds_api_requests_total{action="unknown",code="InvalidAction.NotFound"}'), 1);
  assert.doesNotMatch(after, /Made_Up_Action/);
});

test('instance servers by state come from the engine plane when there is one', async (t) => {
  const states = [{ state: 'running' }, { state: 'running' }, { state: 'failed' }];
  const rds = await startTestServer({ servers: () => states });
  t.after(() => rds.stop());
  const m = (await get('127.0.0.1', rds.port, '/metrics')).body;
  assert.equal(value(m, 'localrds_instance_servers{state="running"}'), 2);
  assert.equal(value(m, 'localrds_instance_servers{state="failed"}'), 1);
  assert.equal(value(m, 'localrds_instance_servers{state="starting"}'), 0);
});

test('metrics are refused to non-loopback clients unless metricsPublic', async (t) => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.9.8.7') && isLoopback('::1') && isLoopback('::ffff:127.0.0.1'));
  assert.ok(!isLoopback('192.0.2.2') && !isLoopback('::ffff:10.0.0.1') && !isLoopback('') && !isLoopback('fe80::1'));
  const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  if (!external) { t.skip('this machine has no non-loopback IPv4 address to call from'); return; }
  for (const metricsPublic of [false, true]) {
    const rds = await startTestServer({ host: '0.0.0.0', metricsPublic });
    try {
      const m = await get(external, rds.port, '/metrics', external);
      assert.equal(m.status, metricsPublic ? 200 : 403, `metricsPublic=${metricsPublic}`);
      if (!metricsPublic) assert.match(m.body, /--metrics-public/);
      assert.equal((await get('127.0.0.1', rds.port, '/metrics')).status, 200, 'loopback always');
    } finally {
      await rds.stop();
    }
  }
});
