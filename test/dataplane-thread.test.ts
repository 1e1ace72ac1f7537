// The data plane in its worker thread (threaded-data-plane.ts), as the server runs it: real sockets to the real
// MariaDB and PostgreSQL, the reconciler's guarantees across the thread boundary (a pass resolves only once its
// listeners are bound or closed with their sessions), bind reports back to this thread, shared counters and
// live snapshots. Addresses are random in 127.150-199.x.x.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createThreadedDataPlane } from '../src/dataplane/threaded-data-plane.js';
import { createStaticDesiredState, type StaticDesiredState } from '../src/dataplane/static-desired-state.js';
import type { DataPlane } from '../src/dataplane/types.js';
import type { AccountId, EndpointRecord, InstanceId, SecurityIpGroup } from '../src/domain/types.js';
import { connectOutcome, pickPort } from './helpers/ports.js';
import { socketCounts } from './helpers/socket-counts.js';

const subnet = `127.${randomInt(150, 200)}.${randomInt(0, 256)}`;
let nextHost = 1;

interface World {
  desired: StaticDesiredState;
  plane: DataPlane;
  reports: Array<[string, string]>;
  logs: string[];
}

function makeWorld(t: TestContext): World {
  const desired = createStaticDesiredState();
  const reports: Array<[string, string]> = [];
  const logs: string[] = [];
  const log = (o: object, msg?: string) => logs.push(`${msg ?? ''} ${JSON.stringify(o)}`);
  const plane = createThreadedDataPlane({
    load: desired.load,
    backends: { mysql: { host: '127.0.0.1', port: 3306 } },
    logger: { info: log, warn: log, error: log },
    retryMs: 100,
    async reportBindError(connectionString, error) {
      reports.push([connectionString, error]);
    },
  });
  t.after(() => plane.close());
  return { desired, plane, reports, logs };
}

async function endpointFor(instanceId: string): Promise<EndpointRecord> {
  const address = `${subnet}.${nextHost++}`;
  return {
    accountId: 'acc-th' as AccountId, instanceId: instanceId as InstanceId, connectionString: `${instanceId}.rds.localrds.test`,
    ipType: 'Public', address, port: await pickPort(address), createdAt: '2026-01-01T00:00:00Z', bindError: '',
  };
}

const openAll = (instanceId: string): SecurityIpGroup => ({
  accountId: 'acc-th' as AccountId, instanceId: instanceId as InstanceId, name: 'default', attribute: '', ips: ['0.0.0.0/0'], whitelistNetworkType: 'MIX',
});

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('the data plane in its worker thread', () => {
  it('proxies mysql2 and pg, counts in shared memory, and a release resolves only once its sessions are gone', async (t) => {
    const { desired, plane } = makeWorld(t);
    const my = await endpointFor('rm-th');
    const pgs = await endpointFor('pgm-th');
    desired.state = {
      endpoints: [my, pgs], groups: [openAll('rm-th'), openAll('pgm-th')],
      engines: { 'rm-th': 'MySQL', 'pgm-th': 'PostgreSQL' },
      targets: { 'pgm-th': { kind: 'tcp', host: '127.0.0.1', port: 5432 } },
    };
    await plane.reconcile();
    assert.deepEqual(plane.live().map((l) => [l.connectionString, l.listening]).sort(), [[pgs.connectionString, true], [my.connectionString, true]].sort());

    const c = await mysql.createConnection({ host: my.address, port: my.port, user: 'root' });
    c.on('error', () => undefined);
    const [rows] = await c.query<mysql.RowDataPacket[]>("SELECT REPEAT('x', 300000) AS big");
    assert.equal(String(rows[0]?.big).length, 300_000, 'a result larger than one read buffer arrives whole');
    const p = new pg.Client({ host: pgs.address, port: pgs.port, user: 'postgres', database: 'postgres' });
    p.on('error', () => undefined);
    await p.connect();
    assert.equal((await p.query<{ r: number }>('SELECT 1+1 AS r')).rows[0]?.r, 2);
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 2, sessions: 2, backendSockets: 2 });
    await until(() => plane.live(['rm-th'])[0]?.openSessions === 1);

    // Release the MySQL endpoint: when reconcile resolves, its listener refuses and its session is gone (cut
    // with a reset: the client hears ECONNRESET, not a clean end).
    desired.state.endpoints = [pgs];
    const clientClosed = new Promise<string | undefined>((resolve) => c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
    await plane.reconcile({ instanceId: 'rm-th' });
    assert.equal(plane.stats().sessions, 1, 'the released endpoint has no session left');
    assert.deepEqual(plane.live(['rm-th']), []);
    assert.equal(await connectOutcome(my.address, my.port), 'ECONNREFUSED');
    assert.equal(await clientClosed, 'ECONNRESET');
    await p.end();
    await until(() => plane.stats().sessions === 0);
    assert.ok(plane.stats().bytesToClients > 300_000, 'bytes sent to clients are counted');
    c.destroy();
  });

  it('a failed bind is reported through this thread, retried, and reported again once bound', async (t) => {
    const { desired, plane, reports } = makeWorld(t);
    const e = await endpointFor('rm-bind');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(e.port, e.address, () => resolve()));
    desired.state = { endpoints: [e], groups: [openAll('rm-bind')], engines: { 'rm-bind': 'MySQL' } };
    await plane.reconcile();
    // reconcile() waited for the report: it is recorded, and live() already shows the failure.
    assert.deepEqual(reports.map(([, err]) => /EADDRINUSE/.test(err)), [true]);
    assert.deepEqual([plane.live()[0]?.listening, /EADDRINUSE/.test(plane.live()[0]?.bindError ?? '')], [false, true]);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await until(() => reports.length === 2);
    assert.deepEqual(reports[1], [e.connectionString, '']);
    assert.equal(plane.live()[0]?.listening, true, 'the snapshot arrives with the report');
  });

  it('closeUndesired shuts a door before the commit; a reconcile on the unchanged store (a failed commit) reopens it', async (t) => {
    const { desired, plane } = makeWorld(t);
    const a = await endpointFor('rm-early');
    const b = await endpointFor('rm-early');
    b.connectionString = 'rm-early-b.rds.localrds.test';
    desired.state = { endpoints: [a, b], groups: [openAll('rm-early')], engines: { 'rm-early': 'MySQL' } };
    await plane.reconcile();
    const session = await mysql.createConnection({ host: a.address, port: a.port, user: 'root' });
    const ended = new Promise<string | undefined>((resolve) => session.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
    // What the transaction would commit: a gone, b kept. Only a closes, with its session, at once.
    await plane.closeUndesired({ instanceId: 'rm-early' }, { ...desired.state, endpoints: [b] });
    assert.equal(await connectOutcome(a.address, a.port), 'ECONNREFUSED');
    assert.equal(await connectOutcome(b.address, b.port), 'connected');
    assert.equal(await ended, 'ECONNRESET');
    // The commit failed: the store still lists a, and the reconcile that follows opens it again.
    await plane.reconcile({ instanceId: 'rm-early' });
    assert.equal(await connectOutcome(a.address, a.port), 'connected');
    assert.deepEqual(plane.live().map((l) => l.listening), [true, true]);
    session.destroy();
  });

  it('a release cuts every session with a reset, both ways, and refuses new connections at once', async (t) => {
    const { desired, plane } = makeWorld(t);
    // A backend of the test's own, which greets and holds each connection and records how it ended.
    const ends: string[] = [];
    const sink = net.createServer((s) => {
      s.on('error', (e: NodeJS.ErrnoException) => ends.push(e.code ?? e.message));
      s.on('end', () => ends.push('end'));
      s.write('G');
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()));
    t.after(() => sink.close());
    const e = await endpointFor('rm-rst');
    desired.state = {
      endpoints: [e], groups: [openAll('rm-rst')], engines: { 'rm-rst': 'MySQL' },
      targets: { 'rm-rst': { kind: 'tcp', host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port } },
    };
    await plane.reconcile();
    const clients = await Promise.all(Array.from({ length: 5 }, () => new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: e.address, port: e.port });
      s.once('data', () => resolve(s));
      s.once('error', reject);
    })));
    const seen = clients.map((s) => new Promise<string>((resolve) => {
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      s.once('end', () => resolve('end'));
    }));
    await until(() => plane.stats().sessions === 5);
    // The release's early door (inside its transaction): when it resolves, nothing of the endpoint is left.
    await plane.closeUndesired({ instanceId: 'rm-rst' }, { ...desired.state, endpoints: [] });
    assert.equal(await connectOutcome(e.address, e.port), 'ECONNREFUSED');
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 0, sessions: 0, backendSockets: 0 });
    assert.deepEqual(await Promise.all(seen), Array(5).fill('ECONNRESET'), 'each client hears a reset, not a clean end');
    await until(() => ends.length === 5);
    assert.deepEqual(ends, Array(5).fill('ECONNRESET'), 'and so does the backend');
  });

  it('close() ends every listener and the worker; later calls do nothing', async (t) => {
    const { desired, plane } = makeWorld(t);
    const e = await endpointFor('rm-close');
    desired.state = { endpoints: [e], groups: [openAll('rm-close')], engines: { 'rm-close': 'MySQL' } };
    await plane.reconcile();
    assert.equal(await connectOutcome(e.address, e.port), 'connected');
    await plane.close();
    assert.equal(await connectOutcome(e.address, e.port), 'ECONNREFUSED');
    assert.deepEqual(plane.live(), []);
    await plane.reconcile();
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 0, sessions: 0, backendSockets: 0 });
  });
});
