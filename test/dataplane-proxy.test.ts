// The data plane against real sockets and the real databases on this machine (MariaDB on 3306, PostgreSQL on
// 5432): proxying, closing endpoints with their sessions, whitelists, port moves, renames, missing backends.
// Each test uses its own 127.77.<n>.x addresses and random free ports so it can run beside other test files.

import { socketCounts } from './helpers/socket-counts.js';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { AccountId, EndpointRecord, InstanceId, IpType, SecurityIpGroup } from '../src/domain/types.js';
import { createDataPlane } from '../src/dataplane/data-plane.js';
import { createStaticDesiredState, type StaticDesiredState } from '../src/dataplane/static-desired-state.js';
import type { BackendAddress, DataPlane, DataPlaneOptions } from '../src/dataplane/types.js';
import { connectOutcome, pickPort } from './helpers/ports.js';
import { resetSocket } from '../src/dataplane/proxy-session.js';

const MARIADB: BackendAddress = { host: '127.0.0.1', port: 3306 };
const POSTGRES: BackendAddress = { host: '127.0.0.1', port: 5432 };
const BACKENDS = { mysql: MARIADB, mariadb: MARIADB, postgresql: POSTGRES };

interface World {
  desired: StaticDesiredState;
  plane: DataPlane;
  reports: Array<[string, string]>;
}

type Load = DataPlaneOptions['load'];

function makeWorld(
  t: TestContext,
  backends: Record<string, BackendAddress> = BACKENDS,
  wrapLoad: (load: Load) => Load = (load) => load,
): World {
  const desired = createStaticDesiredState();
  const reports: Array<[string, string]> = [];
  const quiet = { info() {}, warn() {}, error() {} };
  const plane = createDataPlane({
    load: wrapLoad(desired.load),
    backends,
    logger: quiet,
    retryMs: 100,
    async reportBindError(connectionString, error) {
      reports.push([connectionString, error]);
    },
  });
  t.after(() => plane.close());
  return { desired, plane, reports };
}

function endpoint(instanceId: string, connectionString: string, ipType: IpType, address: string, port: number): EndpointRecord {
  return {
    accountId: 'acc-dp' as AccountId,
    instanceId: instanceId as InstanceId,
    connectionString,
    ipType,
    address,
    port,
    createdAt: '2026-01-01T00:00:00Z',
    bindError: '',
  };
}

function group(instanceId: string, ips: string[], name = 'default'): SecurityIpGroup {
  return { accountId: 'acc-dp' as AccountId, instanceId: instanceId as InstanceId, name, attribute: '', ips, whitelistNetworkType: 'MIX' };
}

interface Probe {
  connected: boolean;
  data: Buffer;
  /** How it ended: the proxy closed it, or we stopped waiting (after a greeting, or on timeout). */
  ended: 'closed' | 'greeting' | 'timeout';
  msToEnd: number;
}

/** Raw TCP connect that waits for a MySQL greeting or for the server to close the connection. */
function probe(host: string, port: number, localAddress?: string, waitMs = 1500): Promise<Probe> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let data = Buffer.alloc(0);
    let connected = false;
    let done = false;
    const finish = (ended: Probe['ended']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ connected, data, ended, msToEnd: Date.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), waitMs);
    socket.once('connect', () => (connected = true));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      // A MySQL packet: 3-byte length, sequence id, then the payload starting with protocol version 10.
      if (data.length >= 4 && data.length >= 4 + data.readUIntLE(0, 3)) finish('greeting');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
  });
}

function isMysqlGreeting(data: Buffer): boolean {
  return data.length > 5 && data[4] === 10;
}

async function openMysql(t: TestContext, host: string, port: number): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ host, port, user: 'root', connectTimeout: 3000 });
  // A dropped session reports here as well as on the next query; without a listener it would be uncaught.
  connection.on('error', () => undefined);
  t.after(() => connection.destroy());
  return connection;
}

async function mysqlSum(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1+1 AS r');
  return Number(rows[0]?.r);
}

async function openPg(t: TestContext, host: string, port: number): Promise<pg.Client> {
  const client = new pg.Client({ host, port, user: 'postgres', database: 'test', connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  t.after(() => client.end().catch(() => undefined));
  return client;
}

async function pgSum(client: pg.Client): Promise<number> {
  const result = await client.query<{ r: number }>('SELECT 1+1 AS r');
  return Number(result.rows[0]?.r);
}

describe('proxying to real databases', () => {
  it('mysql2 and pg get the backend answer through public and private endpoints', async (t) => {
    const { desired, plane } = makeWorld(t);
    const my = { pub: endpoint('rm-my1', 'rm-my1.mysql.rds.localrds.test', 'Public', '127.77.1.1', await pickPort('127.77.1.1')),
      priv: endpoint('rm-my1', 'rm-my1o.mysql.rds.localrds.test', 'Private', '127.77.1.2', await pickPort('127.77.1.2')) };
    const pgs = { pub: endpoint('pgm-pg1', 'pgm-pg1.pg.rds.localrds.test', 'Public', '127.77.1.3', await pickPort('127.77.1.3')),
      priv: endpoint('pgm-pg1', 'pgm-pg1o.pg.rds.localrds.test', 'Private', '127.77.1.4', await pickPort('127.77.1.4')) };
    desired.state.endpoints.push(my.pub, my.priv, pgs.pub, pgs.priv);
    desired.state.groups.push(group('rm-my1', ['127.0.0.0/8']), group('pgm-pg1', ['127.0.0.1/32']));
    desired.state.engines = { 'rm-my1': 'MySQL', 'pgm-pg1': 'PostgreSQL' };
    await plane.reconcile();

    for (const e of [my.pub, my.priv]) assert.equal(await mysqlSum(await openMysql(t, e.address, e.port)), 2, e.connectionString);
    for (const e of [pgs.pub, pgs.priv]) assert.equal(await pgSum(await openPg(t, e.address, e.port)), 2, e.connectionString);

    const live = plane.live(['rm-my1']);
    assert.deepEqual(live.map((l) => [l.connectionString, l.listening, l.openSessions, l.bindError]).sort(), [
      [my.pub.connectionString, true, 1, ''],
      [my.priv.connectionString, true, 1, ''],
    ].sort());
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 4, sessions: 4, backendSockets: 4 });
  });

  it('a large result streams through intact (backpressure both ways)', async (t) => {
    const { desired, plane } = makeWorld(t);
    const pub = endpoint('pgm-big', 'pgm-big.pg.rds.localrds.test', 'Public', '127.77.2.1', await pickPort('127.77.2.1'));
    desired.state = { endpoints: [pub], groups: [group('pgm-big', ['0.0.0.0/0'])], engines: { 'pgm-big': 'PostgreSQL' } };
    await plane.reconcile();
    const client = await openPg(t, pub.address, pub.port);
    const payload = 'x'.repeat(4 * 1024 * 1024);
    const result = await client.query<{ s: string; n: number }>('SELECT $1::text AS s, length($1::text) AS n', [payload]);
    assert.equal(result.rows[0]?.n, payload.length);
    assert.equal(result.rows[0]?.s, payload);
  });
});

describe('read buffers', () => {
  it('a session after an ended one (its read buffers reused) passes on only its own bytes, both ways', async (t) => {
    // A backend that sends the first session 200 KB of 'A' and closes; later sessions get 'hello' and an echo.
    let n = 0;
    const backend = net.createServer((s) => {
      s.on('error', () => undefined);
      if (n++ === 0) { s.end(Buffer.alloc(200 * 1024, 'A')); return; }
      s.write('hello');
      s.on('data', (d) => s.write(d));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    t.after(() => backend.close());
    const { desired, plane } = makeWorld(t, { mysql: { host: '127.0.0.1', port: (backend.address() as net.AddressInfo).port } });
    const pub = endpoint('rm-buf', 'rm-buf.mysql.rds.localrds.test', 'Public', '127.77.9.1', await pickPort('127.77.9.1'));
    desired.state = { endpoints: [pub], groups: [group('rm-buf', ['127.0.0.0/8'])], engines: { 'rm-buf': 'MySQL' } };
    await plane.reconcile();

    const session = (send?: string, until = 0): Promise<string> => new Promise((resolve, reject) => {
      const c = net.connect({ host: pub.address, port: pub.port });
      let got = '';
      c.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got === 'hello' && send) c.write(send);
        if (until > 0 && got.length >= until) c.destroy();
      });
      c.on('error', reject);
      c.on('close', () => resolve(got));
    });
    assert.equal((await session()).length, 200 * 1024);
    // Every socket of the first session gone, so its buffers are back for the next session to take.
    for (let i = 0; i < 100 && plane.stats().sessions > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(plane.stats().sessions, 0);
    assert.equal(await session('xy', 'helloxy'.length), 'helloxy');
  });
});

describe('closing endpoints', () => {
  it('removing the public endpoint refuses new connects and has broken its sessions when reconcile resolves', async (t) => {
    const { desired, plane } = makeWorld(t);
    const pub = endpoint('rm-rel', 'rm-rel.mysql.rds.localrds.test', 'Public', '127.77.3.1', await pickPort('127.77.3.1'));
    const priv = endpoint('rm-rel', 'rm-relo.mysql.rds.localrds.test', 'Private', '127.77.3.2', await pickPort('127.77.3.2'));
    desired.state = { endpoints: [pub, priv], groups: [group('rm-rel', ['127.0.0.0/8'])], engines: { 'rm-rel': 'MySQL' } };
    await plane.reconcile({ instanceId: 'rm-rel' });

    const viaPublic = await openMysql(t, pub.address, pub.port);
    const viaPrivate = await openMysql(t, priv.address, priv.port);
    assert.equal(await mysqlSum(viaPublic), 2);
    assert.equal(await mysqlSum(viaPrivate), 2);
    assert.equal(plane.stats().backendSockets, 2);

    desired.state.endpoints = [priv];
    await plane.reconcile({ instanceId: 'rm-rel' });

    // Read synchronously at resolution: the proxy's own sockets are gone already.
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 1, backendSockets: 1 });
    assert.equal(await connectOutcome(pub.address, pub.port), 'ECONNREFUSED');
    await assert.rejects(mysqlSum(viaPublic));
    assert.equal(await mysqlSum(viaPrivate), 2);
    assert.deepEqual(plane.live().map((l) => l.connectionString), [priv.connectionString]);
  });

  it('deleting the instance (scoped load returns nothing) closes all of its endpoints and no others', async (t) => {
    const { desired, plane } = makeWorld(t);
    const gone = endpoint('rm-gone', 'rm-gone.mysql.rds.localrds.test', 'Private', '127.77.4.1', await pickPort('127.77.4.1'));
    const gonePub = endpoint('rm-gone', 'rm-gonep.mysql.rds.localrds.test', 'Public', '127.77.4.2', await pickPort('127.77.4.2'));
    const stays = endpoint('rm-stay', 'rm-stay.mysql.rds.localrds.test', 'Private', '127.77.4.3', await pickPort('127.77.4.3'));
    desired.state = {
      endpoints: [gone, gonePub, stays],
      groups: [group('rm-gone', ['127.0.0.0/8']), group('rm-stay', ['127.0.0.0/8'])],
      engines: { 'rm-gone': 'MySQL', 'rm-stay': 'MariaDB' },
    };
    await plane.reconcile();
    const session = await openMysql(t, stays.address, stays.port);
    const doomed = await openMysql(t, gone.address, gone.port);

    desired.state = { endpoints: [stays], groups: [group('rm-stay', ['127.0.0.0/8'])], engines: { 'rm-stay': 'MariaDB' } };
    await plane.reconcile({ instanceId: 'rm-gone' });
    assert.equal(await connectOutcome(gone.address, gone.port), 'ECONNREFUSED');
    assert.equal(await connectOutcome(gonePub.address, gonePub.port), 'ECONNREFUSED');
    await assert.rejects(mysqlSum(doomed));
    assert.equal(await mysqlSum(session), 2);
    assert.deepEqual(plane.live().map((l) => l.instanceId), ['rm-stay']);
  });

  it('close() ends every listener and session, and later reconciles do nothing', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = endpoint('rm-cl', 'rm-cl.mysql.rds.localrds.test', 'Private', '127.77.5.1', await pickPort('127.77.5.1'));
    desired.state = { endpoints: [e], groups: [group('rm-cl', ['127.0.0.0/8'])], engines: { 'rm-cl': 'MySQL' } };
    await plane.reconcile();
    const session = await openMysql(t, e.address, e.port);
    await plane.close();
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 0, sessions: 0, backendSockets: 0 });
    await assert.rejects(mysqlSum(session));
    await plane.reconcile();
    assert.equal(await connectOutcome(e.address, e.port), 'ECONNREFUSED');
    assert.deepEqual(plane.live(), []);
  });
});

describe('whitelist', () => {
  it('admits by source address, refuses without touching the backend, and applies changes at once', async (t) => {
    const { desired, plane } = makeWorld(t);
    const pub = endpoint('rm-wl', 'rm-wl.mysql.rds.localrds.test', 'Public', '127.77.6.1', await pickPort('127.77.6.1'));
    const wl = group('rm-wl', ['127.88.0.0/24']);
    desired.state = { endpoints: [pub], groups: [wl], engines: { 'rm-wl': 'MySQL' } };
    await plane.reconcile({ instanceId: 'rm-wl' });

    const admitted = await probe(pub.address, pub.port, '127.88.0.5');
    assert.equal(admitted.ended, 'greeting');
    assert.ok(isMysqlGreeting(admitted.data), 'MySQL greeting bytes');

    wl.ips = ['127.99.0.0/24'];
    await plane.reconcile({ instanceId: 'rm-wl' });
    const before = plane.stats().backendSockets;
    const refused = await probe(pub.address, pub.port, '127.88.0.5');
    assert.deepEqual([refused.connected, refused.ended, refused.data.length], [true, 'closed', 0]);
    assert.equal(plane.stats().backendSockets, before, 'a refused connection never opens a backend socket');
    assert.equal((await probe(pub.address, pub.port, '127.99.0.7')).ended, 'greeting');

    // The default whitelist of the real service: admits nobody, 127.0.0.1 included.
    wl.ips = ['127.0.0.1'];
    await plane.reconcile({ instanceId: 'rm-wl' });
    for (const source of ['127.0.0.1', '127.88.0.5']) {
      const result = await probe(pub.address, pub.port, source);
      assert.deepEqual([result.ended, result.data.length], ['closed', 0], source);
    }

    // A second group joins the union; a masked 127.0.0.1 does match.
    desired.state.groups = [wl, group('rm-wl', ['127.0.0.1/32'], 'app')];
    await plane.reconcile({ instanceId: 'rm-wl' });
    assert.equal(await mysqlSum(await openMysql(t, pub.address, pub.port)), 2);
  });

  it('a full reconcile pass updates whitelists too, and an instance without groups admits nobody', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = endpoint('rm-wl2', 'rm-wl2.mysql.rds.localrds.test', 'Private', '127.77.7.1', await pickPort('127.77.7.1'));
    desired.state = { endpoints: [e], groups: [], engines: { 'rm-wl2': 'MySQL' } };
    await plane.reconcile();
    assert.equal((await probe(e.address, e.port)).ended, 'closed');
    desired.state.groups = [group('rm-wl2', ['0.0.0.0/0'])];
    await plane.reconcile();
    assert.equal(await mysqlSum(await openMysql(t, e.address, e.port)), 2);
  });
});

describe('moves and renames', () => {
  it('a port move closes the old listener and its sessions, opens the new one, and spares the private endpoint', async (t) => {
    const { desired, plane } = makeWorld(t);
    const oldPort = await pickPort('127.77.8.1');
    const pub = endpoint('rm-mv', 'rm-mv.mysql.rds.localrds.test', 'Public', '127.77.8.1', oldPort);
    const priv = endpoint('rm-mv', 'rm-mvo.mysql.rds.localrds.test', 'Private', '127.77.8.2', await pickPort('127.77.8.2'));
    desired.state = { endpoints: [pub, priv], groups: [group('rm-mv', ['127.0.0.0/8'])], engines: { 'rm-mv': 'MySQL' } };
    await plane.reconcile({ instanceId: 'rm-mv' });
    const viaPublic = await openMysql(t, pub.address, oldPort);
    const viaPrivate = await openMysql(t, priv.address, priv.port);

    let newPort = await pickPort('127.77.8.1');
    while (newPort === oldPort) newPort = await pickPort('127.77.8.1');
    desired.state.endpoints = [{ ...pub, port: newPort }, priv];
    await plane.reconcile({ instanceId: 'rm-mv' });

    assert.equal(await connectOutcome(pub.address, oldPort), 'ECONNREFUSED');
    await assert.rejects(mysqlSum(viaPublic));
    assert.equal(await mysqlSum(viaPrivate), 2);
    assert.equal(await mysqlSum(await openMysql(t, pub.address, newPort)), 2);
    const publicState = plane.live().find((l) => l.ipType === 'Public');
    assert.deepEqual([publicState?.port, publicState?.listening], [newPort, true]);
  });

  it('a rename on the same address:port keeps the listener and its sessions', async (t) => {
    const { desired, plane } = makeWorld(t);
    const pub = endpoint('rm-rn', 'rm-rn.mysql.rds.localrds.test', 'Public', '127.77.9.1', await pickPort('127.77.9.1'));
    desired.state = { endpoints: [pub], groups: [group('rm-rn', ['127.0.0.0/8'])], engines: { 'rm-rn': 'MySQL' } };
    await plane.reconcile({ instanceId: 'rm-rn' });
    const session = await openMysql(t, pub.address, pub.port);

    desired.state.endpoints = [{ ...pub, connectionString: 'shop-db.mysql.rds.localrds.test' }];
    await plane.reconcile({ instanceId: 'rm-rn' });
    assert.equal(await mysqlSum(session), 2);
    assert.deepEqual(plane.live().map((l) => [l.connectionString, l.openSessions, l.listening]), [
      ['shop-db.mysql.rds.localrds.test', 1, true],
    ]);
    assert.equal(plane.stats().listeners, 1);
  });

  it('an engine change applies to the next connection', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = endpoint('rm-eng', 'rm-eng.rds.localrds.test', 'Private', '127.77.10.1', await pickPort('127.77.10.1'));
    desired.state = { endpoints: [e], groups: [group('rm-eng', ['127.0.0.0/8'])], engines: { 'rm-eng': 'MySQL' } };
    await plane.reconcile({ instanceId: 'rm-eng' });
    assert.equal(await mysqlSum(await openMysql(t, e.address, e.port)), 2);
    desired.state.engines = { 'rm-eng': 'PostgreSQL' };
    await plane.reconcile({ instanceId: 'rm-eng' });
    assert.equal(await pgSum(await openPg(t, e.address, e.port)), 2);
  });
});

describe('failures that must not crash', () => {
  it('no backend configured for the engine: accepted, then closed at once', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = endpoint('rm-sql', 'rm-sql.sqlserver.rds.localrds.test', 'Private', '127.77.11.1', await pickPort('127.77.11.1'));
    desired.state = { endpoints: [e], groups: [group('rm-sql', ['0.0.0.0/0'])], engines: { 'rm-sql': 'SQLServer' } };
    await plane.reconcile();
    const result = await probe(e.address, e.port);
    assert.deepEqual([result.connected, result.ended, result.data.length], [true, 'closed', 0]);
    assert.ok(result.msToEnd < 500, `closed after ${result.msToEnd} ms`);
    assert.equal(plane.stats().backendSockets, 0);
  });

  it('a backend that is down is answered with a MySQL ERR packet and leaks nothing', async (t) => {
    const deadPort = await pickPort('127.0.0.1');
    const { desired, plane } = makeWorld(t, { mysql: { host: '127.0.0.1', port: deadPort } });
    const e = endpoint('rm-dead', 'rm-dead.mysql.rds.localrds.test', 'Private', '127.77.12.1', await pickPort('127.77.12.1'));
    desired.state = { endpoints: [e], groups: [group('rm-dead', ['0.0.0.0/0'])], engines: { 'rm-dead': 'MySQL' } };
    await plane.reconcile();
    for (let i = 0; i < 5; i += 1) {
      const result = await probe(e.address, e.port);
      // In place of the greeting: an ERR packet (0xff) naming the unreachable server.
      assert.deepEqual([result.connected, result.ended, result.data[4]], [true, 'greeting', 0xff]);
      assert.match(result.data.toString('utf8'), /ECONNREFUSED/);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 0, backendSockets: 0 });
  });

  it('a client that resets mid-session does not disturb the listener', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = endpoint('rm-rst', 'rm-rst.mysql.rds.localrds.test', 'Private', '127.77.13.1', await pickPort('127.77.13.1'));
    desired.state = { endpoints: [e], groups: [group('rm-rst', ['0.0.0.0/0'])], engines: { 'rm-rst': 'MySQL' } };
    await plane.reconcile();
    for (let i = 0; i < 5; i += 1) {
      const socket = net.connect({ host: e.address, port: e.port });
      await new Promise((resolve) => socket.once('data', resolve));
      socket.resetAndDestroy();
    }
    assert.equal(await mysqlSum(await openMysql(t, e.address, e.port)), 2);
    const deadline = Date.now() + 2000;
    while (plane.stats().sessions > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 1, backendSockets: 1 });
  });
});

describe('resetSocket', () => {
  it('resets an open socket; one already ending, a Unix socket and a connect in flight are destroyed instead, without an error or a leak', async (t) => {
    const accepted: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      accepted.push(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    t.after(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    // How the socket ended here: 'closed', its errors, or 'never closed' (a leaked handle) after 2 s.
    const outcome = (s: net.Socket) => new Promise<string>((resolve) => {
      const seen: string[] = [];
      const timer = setTimeout(() => resolve(`never closed ${seen.join(',')}`), 2000);
      s.on('error', (e: NodeJS.ErrnoException) => seen.push(e.code ?? e.message));
      s.once('close', () => { clearTimeout(timer); resolve(seen.join(',') || 'closed'); });
    });
    const connected = async (): Promise<[net.Socket, net.Socket]> => {
      const before = accepted.length;
      const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      await new Promise((resolve) => c.once('connect', resolve));
      while (accepted.length === before) await new Promise((resolve) => setTimeout(resolve, 1));
      return [c, accepted[accepted.length - 1] as net.Socket];
    };

    // Open: the peer hears a reset; this side closes quietly.
    const [c1, s1] = await connected();
    const peer1 = new Promise<string>((resolve) => c1.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')));
    const here1 = outcome(s1);
    resetSocket(s1);
    assert.deepEqual([await peer1, await here1], ['ECONNRESET', 'closed']);

    // Ending (end() called, its shutdown under way): libuv would refuse the reset and Node leak the handle.
    const [c2, s2] = await connected();
    c2.on('error', () => undefined);
    const here2 = outcome(s2);
    s2.end();
    resetSocket(s2);
    assert.equal(await here2, 'closed');
    c2.destroy();

    // Connecting: Node would wait for the connect to finish before resetting.
    const c3 = net.connect({ port, host: '127.0.0.1' });
    const here3 = outcome(c3);
    resetSocket(c3);
    assert.equal(await here3, 'closed');

    // A Unix socket has no reset.
    const path = `/tmp/localrds-reset-${process.pid}.sock`;
    rmSync(path, { force: true });
    const unix = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => unix.listen(path, () => resolve()));
    t.after(() => unix.close());
    const c4 = net.connect({ path });
    await new Promise((resolve) => c4.once('connect', resolve));
    const here4 = outcome(c4);
    resetSocket(c4);
    assert.equal(await here4, 'closed');
  });
});

describe('reconcile', () => {
  it('overlapping calls end in the desired state, and another pass changes nothing', async (t) => {
    const { desired, plane, reports } = makeWorld(t);
    const endpoints: EndpointRecord[] = [];
    for (let i = 1; i <= 6; i += 1) {
      const address = `127.77.14.${i}`;
      endpoints.push(endpoint(`rm-ov${i % 3}`, `rm-ov${i}.mysql.rds.localrds.test`, 'Private', address, await pickPort(address)));
    }
    desired.state = {
      endpoints,
      groups: [0, 1, 2].map((n) => group(`rm-ov${n}`, ['127.0.0.0/8'])),
      engines: { 'rm-ov0': 'MySQL', 'rm-ov1': 'MySQL', 'rm-ov2': 'MySQL' },
    };
    await Promise.all([
      plane.reconcile(),
      plane.reconcile({ instanceId: 'rm-ov1' }),
      plane.reconcile(),
      plane.reconcile({ instanceId: 'rm-ov2' }),
      plane.reconcile({ instanceId: 'rm-ov0' }),
    ]);
    const names = (): string[] => plane.live().map((l) => l.connectionString).sort();
    assert.deepEqual(names(), endpoints.map((e) => e.connectionString).sort());
    assert.ok(plane.live().every((l) => l.listening));
    assert.deepEqual(reports, []);

    const first = endpoints[0]!;
    const session = await openMysql(t, first.address, first.port);
    await plane.reconcile();
    await plane.reconcile({ instanceId: first.instanceId });
    assert.equal(await mysqlSum(session), 2);
    assert.deepEqual(names(), endpoints.map((e) => e.connectionString).sort());
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 6, sessions: 1, backendSockets: 1 });
    assert.deepEqual(reports, []);
  });

  it('a load that fails rejects that reconcile and leaves the live state alone', async (t) => {
    let failing = false;
    const { desired, plane } = makeWorld(t, BACKENDS, (load) => async (scope) => {
      if (failing) throw new Error('store unavailable');
      return load(scope);
    });
    const e = endpoint('rm-lf', 'rm-lf.mysql.rds.localrds.test', 'Private', '127.77.15.1', await pickPort('127.77.15.1'));
    desired.state = { endpoints: [e], groups: [group('rm-lf', ['127.0.0.0/8'])], engines: { 'rm-lf': 'MySQL' } };
    await plane.reconcile();
    failing = true;
    desired.state.endpoints = [];
    await assert.rejects(plane.reconcile(), /store unavailable/);
    assert.equal(plane.live()[0]?.listening, true);
    failing = false;
    desired.state.endpoints = [e];
    await plane.reconcile();
    assert.equal(await mysqlSum(await openMysql(t, e.address, e.port)), 2);
  });
});
