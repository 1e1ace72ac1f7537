// Data-plane orderings that concurrent requests produce on PostgreSQL (where transactions commit concurrently and
// the after-commit reconciles may run in another order than the commits): an address released by one instance and
// taken at once by another must be served by the new owner even when the new owner's reconcile runs first.
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { createDataPlane } from '../src/dataplane/data-plane.js';
import { createStaticDesiredState } from '../src/dataplane/static-desired-state.js';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { probe } from './helpers/hardening-state.js';

const endpoint = (instanceId: string, cs: string, address: string, port: number): EndpointRecord => ({
  accountId: 'acct' as AccountId, instanceId: instanceId as InstanceId, connectionString: cs, ipType: 'Public',
  address, port, createdAt: '2026-01-01T00:00:00Z', bindError: '',
});

test('an address handed from one instance to another is bound by the new owner whichever reconcile runs first', async () => {
  // 127.2-49 is the hardening suites' range (see hardeningPools); one random address of it.
  const address = `127.${randomInt(33, 50)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, address, () => r()));
  const port = (free.address() as net.AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));

  const desired = createStaticDesiredState({
    endpoints: [endpoint('rm-x', 'x.mysql.rds.aliyuncs.com', address, port)],
    groups: [], engines: { 'rm-x': 'MySQL', 'rm-y': 'MySQL' },
  });
  const reports: Array<[string, string]> = [];
  const plane = createDataPlane({
    load: desired.load, backends: {}, logger: { info() {}, warn() {}, error() {} }, retryMs: 60_000,
    reportBindError: async (cs, error) => { reports.push([cs, error]); },
  });
  try {
    await plane.reconcile();
    assert.equal(await probe(address, port), 'closed', 'x listens (no backend: accepted, then closed)');
    // x released the address and y took it (both committed); y's reconcile happens to run before x's.
    desired.state.endpoints = [endpoint('rm-y', 'y.mysql.rds.aliyuncs.com', address, port)];
    await plane.reconcile({ instanceId: 'rm-y' });
    const live = plane.live();
    assert.deepEqual(live.map((l) => [l.instanceId, l.connectionString, l.listening, l.bindError]), [['rm-y', 'y.mysql.rds.aliyuncs.com', true, '']],
      `the stale listener of x gave way: ${JSON.stringify(live)} ${JSON.stringify(reports)}`);
    assert.deepEqual(reports.filter(([, e]) => e !== ''), [], 'no bind failure was reported');
    await plane.reconcile({ instanceId: 'rm-x' });
    assert.equal(plane.stats().listeners, 1);
    assert.equal(await probe(address, port), 'closed');
  } finally {
    await plane.close();
  }
});
