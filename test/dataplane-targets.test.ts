// Per-instance backend targets (DesiredState.targets) against the real servers on this machine: TCP and unix
// socket targets win over the per-engine `backends` option, and an instance without a reachable server is
// refused in its own protocol, so that mysql2 and pg report the reason instead of "connection lost".
// Addresses are random in 127.150-199.x.x so that parallel runs never collide.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createDataPlane } from '../src/dataplane/data-plane.js';
import { createStaticDesiredState, type StaticDesiredState } from '../src/dataplane/static-desired-state.js';
import type { BackendAddress, DataPlane } from '../src/dataplane/types.js';
import type { AccountId, EndpointRecord, InstanceId, SecurityIpGroup } from '../src/domain/types.js';
import { socketCounts } from './helpers/socket-counts.js';
import { pickPort } from './helpers/ports.js';

const MYSQL_SOCKET = '/run/mysqld/mysqld.sock';
const PG_SOCKET = '/var/run/postgresql/.s.PGSQL.5432';

function makeWorld(t: TestContext, backends: Record<string, BackendAddress> = {}): { desired: StaticDesiredState; plane: DataPlane } {
  const desired = createStaticDesiredState();
  const plane = createDataPlane({
    load: desired.load,
    backends,
    logger: { info() {}, warn() {}, error() {} },
    retryMs: 100,
    async reportBindError() {},
  });
  t.after(() => plane.close());
  return { desired, plane };
}

const subnet = `127.${randomInt(150, 200)}.${randomInt(0, 256)}`;
let nextHost = 1;

async function endpointFor(instanceId: string): Promise<EndpointRecord> {
  const address = `${subnet}.${nextHost++}`;
  return {
    accountId: 'acc-tg' as AccountId,
    instanceId: instanceId as InstanceId,
    connectionString: `${instanceId}.rds.localrds.test`,
    ipType: 'Public',
    address,
    port: await pickPort(address),
    createdAt: '2026-01-01T00:00:00Z',
    bindError: '',
  };
}

function openAll(instanceId: string): SecurityIpGroup {
  return { accountId: 'acc-tg' as AccountId, instanceId: instanceId as InstanceId, name: 'default', attribute: '', ips: ['0.0.0.0/0'], whitelistNetworkType: 'MIX' };
}

async function mysqlSum(t: TestContext, e: EndpointRecord): Promise<number> {
  const c = await mysql.createConnection({ host: e.address, port: e.port, user: 'root', connectTimeout: 3000 });
  c.on('error', () => undefined);
  t.after(() => c.destroy());
  const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT 1+1 AS r');
  return Number(rows[0]?.r);
}

async function pgSum(t: TestContext, e: EndpointRecord): Promise<number> {
  const c = new pg.Client({ host: e.address, port: e.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  await c.connect();
  t.after(() => c.end().catch(() => undefined));
  const r = await c.query<{ r: number }>('SELECT 1+1 AS r');
  return Number(r.rows[0]?.r);
}

async function mysqlError(e: EndpointRecord): Promise<Error & { errno?: number; sqlState?: string }> {
  try {
    const c = await mysql.createConnection({ host: e.address, port: e.port, user: 'root', connectTimeout: 3000 });
    c.destroy();
  } catch (err) {
    return err as Error & { errno?: number; sqlState?: string };
  }
  assert.fail('mysql2 connected through a refused endpoint');
}

async function pgError(e: EndpointRecord): Promise<Error & { code?: string; severity?: string }> {
  const c = new pg.Client({ host: e.address, port: e.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (err) {
    return err as Error & { code?: string; severity?: string };
  } finally {
    await c.end().catch(() => undefined);
  }
  assert.fail('pg connected through a refused endpoint');
}

describe('per-instance backend targets', () => {
  it('a tcp target wins over the per-engine backend option', async (t) => {
    // The per-engine option points at a port nobody listens on; only the targets lead to the real servers.
    const dead = { host: '127.0.0.1', port: await pickPort('127.0.0.1') };
    const { desired, plane } = makeWorld(t, { mysql: dead, postgresql: dead });
    const my = await endpointFor('rm-tcp');
    const pgs = await endpointFor('pgm-tcp');
    desired.state = {
      endpoints: [my, pgs],
      groups: [openAll('rm-tcp'), openAll('pgm-tcp')],
      engines: { 'rm-tcp': 'MySQL', 'pgm-tcp': 'PostgreSQL' },
      targets: { 'rm-tcp': { kind: 'tcp', host: '127.0.0.1', port: 3306 }, 'pgm-tcp': { kind: 'tcp', host: '127.0.0.1', port: 5432 } },
    };
    await plane.reconcile();
    assert.equal(await mysqlSum(t, my), 2);
    assert.equal(await pgSum(t, pgs), 2);
  });

  it('a unix socket target reaches the server behind it', { skip: !existsSync(MYSQL_SOCKET) || !existsSync(PG_SOCKET) }, async (t) => {
    const { desired, plane } = makeWorld(t);
    const my = await endpointFor('rm-unix');
    const pgs = await endpointFor('pgm-unix');
    desired.state = {
      endpoints: [my, pgs],
      groups: [openAll('rm-unix'), openAll('pgm-unix')],
      engines: { 'rm-unix': 'MariaDB', 'pgm-unix': 'PostgreSQL' },
      targets: { 'rm-unix': { kind: 'unix', path: MYSQL_SOCKET }, 'pgm-unix': { kind: 'unix', path: PG_SOCKET } },
    };
    await plane.reconcile();
    assert.equal(await mysqlSum(t, my), 2);
    assert.equal(await pgSum(t, pgs), 2);
  });

  it('a scoped reconcile changes one instance target at once', async (t) => {
    const { desired, plane } = makeWorld(t);
    const my = await endpointFor('rm-swap');
    desired.state = {
      endpoints: [my],
      groups: [openAll('rm-swap')],
      engines: { 'rm-swap': 'MySQL' },
      targets: { 'rm-swap': { kind: 'unavailable', engine: 'MySQL', reason: 'instance rm-swap is being created' } },
    };
    await plane.reconcile({ instanceId: 'rm-swap' });
    assert.match((await mysqlError(my)).message, /instance rm-swap is being created/);
    desired.state.targets = { 'rm-swap': { kind: 'tcp', host: '127.0.0.1', port: 3306 } };
    await plane.reconcile({ instanceId: 'rm-swap' });
    assert.equal(await mysqlSum(t, my), 2);
  });
});

describe('protocol-level refusals', () => {
  it('mysql2 reads the reason of an unavailable instance from an ERR packet', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = await endpointFor('rm-down');
    const reason = 'the server of instance rm-down is stopped (DBInstanceStatus Stopped)';
    desired.state = {
      endpoints: [e],
      groups: [openAll('rm-down')],
      engines: { 'rm-down': 'MySQL' },
      targets: { 'rm-down': { kind: 'unavailable', engine: 'MySQL', reason } },
    };
    await plane.reconcile();
    const err = await mysqlError(e);
    assert.ok(err.message.includes(reason), err.message);
    assert.equal(err.errno, 2003);
    assert.equal(err.sqlState, 'HY000');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 0, backendSockets: 0 });
    assert.ok(plane.stats().bytesToClients > reason.length, 'the refusal is counted as bytes sent to clients');
  });

  it('pg reads the reason of an unavailable instance from a FATAL ErrorResponse', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = await endpointFor('pgm-down');
    const reason = 'the server of instance pgm-down is restarting';
    desired.state = {
      endpoints: [e],
      groups: [openAll('pgm-down')],
      engines: { 'pgm-down': 'PostgreSQL' },
      targets: { 'pgm-down': { kind: 'unavailable', engine: 'PostgreSQL', reason } },
    };
    await plane.reconcile();
    const err = await pgError(e);
    assert.ok(err.message.includes(reason), err.message);
    assert.equal(err.code, '57P03');
    assert.equal(err.severity, 'FATAL');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 0, backendSockets: 0 });
  });

  it('an SSLRequest is declined with N and the StartupMessage then gets the ErrorResponse', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = await endpointFor('pgm-ssl');
    desired.state = {
      endpoints: [e],
      groups: [openAll('pgm-ssl')],
      engines: { 'pgm-ssl': 'PostgreSQL' },
      targets: { 'pgm-ssl': { kind: 'unavailable', engine: 'PostgreSQL', reason: 'no server yet' } },
    };
    await plane.reconcile();
    const received = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect({ host: e.address, port: e.port });
      let data = Buffer.alloc(0);
      s.on('error', reject);
      s.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (data.length === 1 && data[0] === 0x4e) {
          // StartupMessage: length, protocol 3.0, user=postgres, terminator; sent in two writes on purpose.
          const params = Buffer.from('user\0postgres\0\0', 'latin1');
          const head = Buffer.alloc(8);
          head.writeInt32BE(8 + params.length, 0);
          head.writeInt32BE(196608, 4);
          s.write(head);
          setTimeout(() => s.write(params), 20);
        }
      });
      s.on('close', () => resolve(data));
      const ssl = Buffer.alloc(8);
      ssl.writeInt32BE(8, 0);
      ssl.writeInt32BE(80877103, 4);
      s.write(ssl);
    });
    assert.equal(received[0], 0x4e, 'N: no SSL');
    assert.equal(received[1], 0x45, 'E: ErrorResponse');
    const text = received.subarray(6).toString('latin1');
    assert.match(text, /SFATAL\0/);
    assert.match(text, /C57P03\0/);
    assert.match(text, /Mno server yet\0/);
  });

  it('no target and no per-engine backend: the client reads that no server is configured', async (t) => {
    const { desired, plane } = makeWorld(t);
    const my = await endpointFor('rm-none');
    const pgs = await endpointFor('pgm-none');
    desired.state = {
      endpoints: [my, pgs],
      groups: [openAll('rm-none'), openAll('pgm-none')],
      engines: { 'rm-none': 'MySQL', 'pgm-none': 'PostgreSQL' },
    };
    await plane.reconcile();
    assert.match((await mysqlError(my)).message, /no database server is configured for engine mysql/);
    assert.match((await pgError(pgs)).message, /no database server is configured for engine postgresql/);
  });

  it('a target that refuses the connect is reported with the address and the error', async (t) => {
    const { desired, plane } = makeWorld(t);
    const deadPort = await pickPort('127.0.0.1');
    const my = await endpointFor('rm-refused');
    const pgs = await endpointFor('pgm-refused');
    desired.state = {
      endpoints: [my, pgs],
      groups: [openAll('rm-refused'), openAll('pgm-refused')],
      engines: { 'rm-refused': 'MySQL', 'pgm-refused': 'PostgreSQL' },
      targets: {
        'rm-refused': { kind: 'tcp', host: '127.0.0.1', port: deadPort },
        'pgm-refused': { kind: 'unix', path: '/nonexistent/localrds-test.sock' },
      },
    };
    await plane.reconcile();
    assert.match((await mysqlError(my)).message, new RegExp(`127\\.0\\.0\\.1:${deadPort} \\(ECONNREFUSED\\)`));
    assert.match((await pgError(pgs)).message, /\/nonexistent\/localrds-test\.sock \(ENOENT\)/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 2, sessions: 0, backendSockets: 0 });
  });

  it('closing the endpoint ends a refusal still waiting for the startup packet', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = await endpointFor('pgm-wait');
    desired.state = {
      endpoints: [e],
      groups: [openAll('pgm-wait')],
      engines: { 'pgm-wait': 'PostgreSQL' },
      targets: { 'pgm-wait': { kind: 'unavailable', engine: 'PostgreSQL', reason: 'x' } },
    };
    await plane.reconcile();
    const s = net.connect({ host: e.address, port: e.port });
    s.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(plane.stats().sessions, 1);
    desired.state.endpoints = [];
    await plane.reconcile();
    assert.equal(plane.stats().sessions, 0, 'gone before reconcile returned');
    await closed;
  });
});
