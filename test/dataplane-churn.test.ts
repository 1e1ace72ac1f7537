// Leak check: 200 add/remove cycles of a public endpoint, each with a live MySQL session through it, while the
// instance's private endpoint keeps one session open the whole time.

import { socketCounts } from './helpers/socket-counts.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import mysql from 'mysql2/promise';
import type { AccountId, EndpointRecord, InstanceId, IpType } from '../src/domain/types.js';
import { createDataPlane } from '../src/dataplane/data-plane.js';
import { createStaticDesiredState } from '../src/dataplane/static-desired-state.js';
import { connectOutcome, pickPort } from './helpers/ports.js';

const CYCLES = 200;

function endpoint(connectionString: string, ipType: IpType, address: string, port: number): EndpointRecord {
  return {
    accountId: 'acc-churn' as AccountId,
    instanceId: 'rm-churn' as InstanceId,
    connectionString,
    ipType,
    address,
    port,
    createdAt: '2026-01-01T00:00:00Z',
    bindError: '',
  };
}

async function sum(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1+1 AS r');
  return Number(rows[0]?.r);
}

it(`${CYCLES} add/remove cycles leave no listener, session or backend socket behind`, { timeout: 120_000 }, async (t) => {
  const desired = createStaticDesiredState();
  const reports: string[] = [];
  const plane = createDataPlane({
    load: desired.load,
    backends: { mysql: { host: '127.0.0.1', port: 3306 } },
    logger: { info() {}, warn() {}, error() {} },
    retryMs: 100,
    async reportBindError(connectionString, error) {
      reports.push(`${connectionString}: ${error}`);
    },
  });
  t.after(() => plane.close());

  const priv = endpoint('rm-churno.mysql.rds.localrds.test', 'Private', '127.77.30.2', await pickPort('127.77.30.2'));
  const pub = endpoint('rm-churn.mysql.rds.localrds.test', 'Public', '127.77.30.1', await pickPort('127.77.30.1'));
  desired.state = {
    endpoints: [priv],
    groups: [{ accountId: 'acc-churn' as AccountId, instanceId: 'rm-churn' as InstanceId, name: 'default', attribute: '', ips: ['127.0.0.0/8'], whitelistNetworkType: 'MIX' }],
    engines: { 'rm-churn': 'MySQL' },
  };
  await plane.reconcile();
  const steady = await mysql.createConnection({ host: priv.address, port: priv.port, user: 'root' });
  steady.on('error', () => undefined);
  t.after(() => steady.destroy());

  let broken = 0;
  const sessions: mysql.Connection[] = [];
  t.after(() => sessions.forEach((s) => s.destroy()));
  for (let i = 0; i < CYCLES; i += 1) {
    // The same address:port every time: rebinding must work with the previous sessions just torn down.
    desired.state.endpoints = [priv, pub];
    await plane.reconcile({ instanceId: 'rm-churn' });
    const session = await mysql.createConnection({ host: pub.address, port: pub.port, user: 'root' });
    sessions.push(session);
    let gone = false;
    const markBroken = (): void => {
      if (!gone) broken += 1;
      gone = true;
    };
    session.on('error', markBroken);
    session.on('end', markBroken);
    assert.equal(await sum(session), 2);

    desired.state.endpoints = [priv];
    await plane.reconcile({ instanceId: 'rm-churn' });
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 1, backendSockets: 1 }, `cycle ${i}`);
  }

  assert.deepEqual(reports, []);
  assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 1, backendSockets: 1 });
  assert.deepEqual(plane.live().map((l) => [l.connectionString, l.openSessions]), [[priv.connectionString, 1]]);
  assert.equal(await connectOutcome(pub.address, pub.port), 'ECONNREFUSED');
  assert.equal(await sum(steady), 2);
  // Every client saw its session end (its socket was closed under it), none was left hanging.
  const deadline = Date.now() + 5000;
  while (broken < CYCLES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(broken, CYCLES);
});
