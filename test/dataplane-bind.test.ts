// Bind failures: an endpoint whose address:port cannot be bound is reported through reportBindError, retried
// every retryMs without crashing, and reported again with '' once it binds.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { createDataPlane } from '../src/dataplane/data-plane.js';
import { createStaticDesiredState, type StaticDesiredState } from '../src/dataplane/static-desired-state.js';
import type { DataPlane, DataPlaneOptions } from '../src/dataplane/types.js';
import { pickPort } from './helpers/ports.js';

const RETRY_MS = 150;

interface World {
  desired: StaticDesiredState;
  plane: DataPlane;
  reports: Array<[string, string]>;
}

function makeWorld(t: TestContext, report?: DataPlaneOptions['reportBindError']): World {
  const desired = createStaticDesiredState();
  const reports: Array<[string, string]> = [];
  const plane = createDataPlane({
    load: desired.load,
    backends: { mysql: { host: '127.0.0.1', port: 3306 } },
    logger: { info() {}, warn() {}, error() {} },
    retryMs: RETRY_MS,
    reportBindError:
      report ??
      (async (connectionString, error) => {
        reports.push([connectionString, error]);
      }),
  });
  t.after(() => plane.close());
  return { desired, plane, reports };
}

function endpoint(instanceId: string, connectionString: string, address: string, port: number): EndpointRecord {
  return {
    accountId: 'acc-bind' as AccountId,
    instanceId: instanceId as InstanceId,
    connectionString,
    ipType: 'Public',
    address,
    port,
    createdAt: '2026-01-01T00:00:00Z',
    bindError: '',
  };
}

function setWorld(desired: StaticDesiredState, endpoints: EndpointRecord[]): void {
  const ids = [...new Set(endpoints.map((e) => e.instanceId))];
  desired.state = {
    endpoints,
    groups: ids.map((id) => ({ accountId: 'acc-bind' as AccountId, instanceId: id, name: 'default', attribute: '', ips: ['0.0.0.0/0'], whitelistNetworkType: 'MIX' as const })),
    engines: Object.fromEntries(ids.map((id) => [id, 'MySQL'])),
  };
}

async function occupy(t: TestContext, address: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port }, resolve);
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, ms: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

/** Resolves with the first byte the endpoint sends (the MySQL greeting starts arriving), or rejects. */
function firstData(host: string, port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      resolve(data);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed without data')));
  });
}

describe('bind failures', () => {
  it('reports EADDRINUSE once, keeps retrying, binds within retryMs of the port freeing up and reports ""', async (t) => {
    const { desired, plane, reports } = makeWorld(t);
    const address = '127.77.20.1';
    const port = await pickPort(address);
    const occupier = await occupy(t, address, port);
    const e = endpoint('rm-busy', 'rm-busy.mysql.rds.localrds.test', address, port);
    setWorld(desired, [e]);

    await plane.reconcile({ instanceId: 'rm-busy' });
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.[0], e.connectionString);
    assert.match(reports[0]?.[1] ?? '', /EADDRINUSE/);
    const state = plane.live()[0];
    assert.deepEqual([state?.listening, state?.bindError], [false, reports[0]?.[1]]);
    assert.equal(plane.stats().listeners, 0);

    // Several retries fail the same way: no new report, no crash.
    await sleep(RETRY_MS * 4);
    assert.equal(reports.length, 1);

    await new Promise<void>((resolve) => occupier.close(() => resolve()));
    const waited = await waitFor(() => reports.length === 2, RETRY_MS * 4);
    assert.ok(waited <= RETRY_MS + 100, `bound ${waited} ms after the port was freed`);
    assert.deepEqual(reports[1], [e.connectionString, '']);
    assert.deepEqual([plane.live()[0]?.listening, plane.live()[0]?.bindError], [true, '']);
    assert.equal(plane.stats().listeners, 1);
    assert.equal((await firstData(address, port))[4], 10, 'MySQL protocol version 10 greeting');

    // The store has now heard '' (it would load bindError ''): another pass reports nothing.
    desired.state.endpoints = [{ ...e, bindError: '' }];
    await plane.reconcile();
    assert.equal(reports.length, 2);
  });

  it('reports EADDRNOTAVAIL for an address the host does not have, and stops retrying once the endpoint is removed', async (t) => {
    const { desired, plane, reports } = makeWorld(t);
    // TEST-NET-1: never configured on a test machine.
    const e = endpoint('rm-noaddr', 'rm-noaddr.mysql.rds.localrds.test', '192.0.2.77', 33061);
    setWorld(desired, [e]);
    await plane.reconcile();
    assert.match(reports[0]?.[1] ?? '', /EADDRNOTAVAIL/);

    setWorld(desired, []);
    await plane.reconcile();
    assert.deepEqual(plane.live(), []);
    const count = reports.length;
    await sleep(RETRY_MS * 3);
    assert.equal(reports.length, count, 'no reports after the endpoint is gone');
  });

  it('a failing bind does not hold up the other endpoints of the same pass', async (t) => {
    const { desired, plane } = makeWorld(t);
    const busyPort = await pickPort('127.77.21.1');
    await occupy(t, '127.77.21.1', busyPort);
    const busy = endpoint('rm-mix', 'rm-mixa.mysql.rds.localrds.test', '127.77.21.1', busyPort);
    const fine = endpoint('rm-mix', 'rm-mixb.mysql.rds.localrds.test', '127.77.21.2', await pickPort('127.77.21.2'));
    setWorld(desired, [busy, fine]);
    await plane.reconcile();
    const byName = new Map(plane.live().map((l) => [l.connectionString, l]));
    assert.equal(byName.get(busy.connectionString)?.listening, false);
    assert.equal(byName.get(fine.connectionString)?.listening, true);
    assert.equal((await firstData(fine.address, fine.port))[4], 10);
  });

  it('a reportBindError that throws or rejects never reaches the data plane', async (t) => {
    let calls = 0;
    const flaky: DataPlaneOptions['reportBindError'] = (connectionString, error) => {
      calls += 1;
      if (calls % 2 === 1) throw new Error(`sync failure for ${connectionString} ${error}`);
      return Promise.reject(new Error('async failure'));
    };
    const { desired, plane } = makeWorld(t, flaky);
    const address = '127.77.22.1';
    const port = await pickPort(address);
    const occupier = await occupy(t, address, port);
    setWorld(desired, [endpoint('rm-flaky', 'rm-flaky.mysql.rds.localrds.test', address, port)]);
    await plane.reconcile();
    assert.equal(calls, 1);
    await new Promise<void>((resolve) => occupier.close(() => resolve()));
    await waitFor(() => calls === 2, RETRY_MS * 5);
    await waitFor(() => plane.live()[0]?.listening === true, RETRY_MS * 5);
    await plane.reconcile();
  });

  it('repairs a stale store: a recorded error that no longer holds is cleared, a missing one is re-reported', async (t) => {
    const { desired, plane, reports } = makeWorld(t);
    const okAddress = '127.77.23.1';
    const ok = { ...endpoint('rm-stale', 'rm-stale.mysql.rds.localrds.test', okAddress, await pickPort(okAddress)), bindError: 'old error' };
    const busyPort = await pickPort('127.77.23.2');
    await occupy(t, '127.77.23.2', busyPort);
    const busy = endpoint('rm-stale2', 'rm-stale2.mysql.rds.localrds.test', '127.77.23.2', busyPort);
    setWorld(desired, [ok, busy]);
    await plane.reconcile();
    const sorted = (): Array<[string, string]> => [...reports].sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(sorted().map(([name, error]) => [name, error === '' ? '' : 'error']), [
      [ok.connectionString, ''],
      [busy.connectionString, 'error'],
    ]);

    // The store lost the error (say, the write failed): the next full pass reports it again.
    reports.length = 0;
    setWorld(desired, [{ ...ok, bindError: '' }, { ...busy, bindError: '' }]);
    await plane.reconcile();
    assert.deepEqual(reports.map(([name]) => name), [busy.connectionString]);
  });
});
