// Issue 13: failover and fencing with in-process nodes over one PostgreSQL schema, through the official SDK.
// A stopped node's shared-server endpoints move to a live node (same connection strings and ports, new addresses
// from the new node's pool, NetInfo and DNS follow); an expired node's per-instance instances show Unavailable
// until it returns; a node cut off from PostgreSQL (through a TCP relay this test controls) closes its listeners
// before its lease lapses, and serves again once it renews.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startLease } from '../src/cluster/lease.js';
import type { InstanceId } from '../src/domain/types.js';
import { rdsClient, req } from './helpers/clients.js';
import { inPool, newCluster, until, type Cluster } from './helpers/cluster.js';
import { PG_URL, type TestServer } from './helpers/localrds.js';
import { connectOutcome, greetingProtocol } from './helpers/ports.js';

const SHARED = { mysql: { host: '127.0.0.1', port: 3306 } };
const MYSQL = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0' };
type Net = Array<{ connectionString: string; IPAddress: string; IPType: string; port: string }>;

function api(s: TestServer) {
  const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
  return {
    create: async (over: Record<string, unknown> = {}) => (await c.createDBInstance(req('CreateDBInstance', { ...MYSQL, ...over }))).body.DBInstanceId as string,
    allocate: async (id: string, prefix: string, port = '3306') => (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: prefix, port }))).body.connectionString as string,
    net: async (id: string) => (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body.DBInstanceNetInfos.DBInstanceNetInfo as Net,
    attr: async (id: string) => (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0] as { DBInstanceStatus: string; lockReason: string },
  };
}

const ownerOf = async (s: TestServer, id: string) => (await s.store.read((r) => r.nodes.ownership([id])))[0]?.nodeId;

describe('failover of a stopped node (shared MySQL)', () => {
  const cluster: Cluster = newCluster();
  let n1: TestServer; let n2: TestServer;
  before(async () => {
    n1 = await cluster.start('node1', 1, { backends: SHARED });
    n2 = await cluster.start('node2', 2, { backends: SHARED });
  });
  after(async () => {
    await n1?.stop();
    await cluster.drop();
  });

  test('its endpoints move to the live node: same connection strings and ports, new addresses, NetInfo and DNS follow', async () => {
    const a = api(n1);
    let id = '';
    for (let i = 0; i < 3 && !id; i++) {
      const made = await a.create();
      if ((await ownerOf(n1, made)) === 'node2') id = made;
    }
    assert.ok(id, 'an instance placed on node 2');
    const cs = await a.allocate(id, `fo${Date.now() % 100000}`, '3308');
    const before = await a.net(id);
    assert.ok(before.every((e) => inPool(e.IPAddress, e.IPType === 'Public' ? `127.${cluster.block}.2.0/24` : `127.${cluster.block}.102.0/24`)));
    await n2.stop(); // graceful: state stopped, node 1 fails over at its next heartbeat
    const moved = await until(async () => {
      const now = await a.net(id);
      return now.every((e) => inPool(e.IPAddress, e.IPType === 'Public' ? `127.${cluster.block}.1.0/24` : `127.${cluster.block}.101.0/24`)) ? now : undefined;
    }, 1500 + 1000 + 3000, 'the endpoints to move to node 1');
    assert.deepEqual(moved.map((e) => [e.connectionString, e.port]).sort(), before.map((e) => [e.connectionString, e.port]).sort());
    assert.equal(await ownerOf(n1, id), 'node1');
    const pub = moved.find((e) => e.IPType === 'Public');
    assert.ok(pub && pub.connectionString === cs);
    // Node 1 listens there and proxies to the shared MariaDB; its DNS answers the new address.
    await until(() => n1.dataplane.live([id]).some((l) => l.connectionString === cs && l.listening), 3000, 'node 1 to listen');
    assert.equal(await greetingProtocol(pub.IPAddress, 3308), 10);
    const resolver = new Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([`127.0.0.1:${n1.dnsPort}`]);
    assert.deepEqual(await resolver.resolve4(cs), [pub.IPAddress]);
    await until(async () => (await a.attr(id)).DBInstanceStatus === 'Running', 3000, 'Running again');
  });
});

describe('an expired node', () => {
  const cluster: Cluster = newCluster();
  let n1: TestServer;
  before(async () => { n1 = await cluster.start('node1', 1, { backends: SHARED }); });
  after(async () => {
    await n1?.stop();
    await cluster.drop();
  });

  /** A node row whose lease lapses at once, owning a fresh instance (as if it had died holding it). */
  async function ghost(nodeId: string, index: number, modes: { sharedEngines: string[]; serverEngines: string[] }): Promise<string> {
    const id = await api(n1).create();
    await n1.store.tx(async (r) => {
      await r.nodes.register({ nodeId, apiUrl: '', zoneId: '', publicPool: `127.${cluster.block}.${index}.0/24`, privatePool: `127.${cluster.block}.${100 + index}.0/24`, ...modes }, 1);
      await r.nodes.setOwner(id as InstanceId, nodeId);
    });
    return id;
  }

  test('shared-server instances move; per-instance ones show Unavailable until their node returns; `localrds nodes --json` shows it', async () => {
    const movable = await ghost('ghost-shared', 7, { sharedEngines: ['MySQL'], serverEngines: [] });
    const stuck = await ghost('ghost-own', 8, { sharedEngines: [], serverEngines: ['MySQL'] });
    await until(async () => (await ownerOf(n1, movable)) === 'node1', 4000, 'the shared-server instance to move to node 1');
    const net1 = await api(n1).net(movable);
    assert.ok(net1.every((e) => inPool(e.IPAddress, `127.${cluster.block}.101.0/24`)), 'a new internal address from node 1');
    const attr = await until(async () => { const x = await api(n1).attr(stuck); return x.DBInstanceStatus === 'Unavailable' ? x : undefined; }, 4000, 'Unavailable');
    assert.match(attr.lockReason, /ghost-own/);

    const { stdout } = await promisify(execFile)(process.execPath, ['bin/localrds.js', 'nodes', '--db', cluster.url, '--json']);
    const nodes = (JSON.parse(stdout) as { Nodes: Array<{ NodeId: string; State: string; Instances: number; LeaseRemainingMs: number; EndpointList: Array<{ DBInstanceId: string; Address: string; Port: number; ConnectionString: string }>; ApiUrl: string }> }).Nodes;
    const byId = new Map(nodes.map((n) => [n.NodeId, n]));
    assert.equal(byId.get('ghost-own')?.State, 'expired');
    assert.equal(byId.get('ghost-shared')?.State, 'expired');
    assert.equal(byId.get('node1')?.State, 'live');
    assert.ok((byId.get('node1')?.LeaseRemainingMs ?? 0) > 0);
    assert.equal(byId.get('node1')?.ApiUrl, n1.url);
    assert.ok(byId.get('node1')?.EndpointList.some((e) => e.DBInstanceId === movable && e.Address === net1[0]?.IPAddress));
    assert.equal(byId.get('ghost-own')?.Instances, 1);

    // The node comes back (here with a shared server: nothing of the instance was lost) and settles it.
    const back = await cluster.start('ghost-own', 8, { backends: SHARED });
    try {
      await until(async () => (await api(n1).attr(stuck)).DBInstanceStatus === 'Running', 5000, 'Running after the node returned');
    } finally {
      await back.stop();
    }
  });
});

describe('fencing', () => {
  test('the lease fences before its deadline when renewals fail, and unfences on the next renewal', async () => {
    let failing = false;
    let fencedAt = 0;
    let unfenced = 0;
    let lastOk = performance.now();
    const lease = startLease({
      leaseMs: 600,
      renew: async () => {
        const sent = performance.now();
        if (failing) throw new Error('store unreachable');
        lastOk = sent;
      },
      onFence: async () => { fencedAt = performance.now(); },
      onUnfence: async () => { unfenced += 1; },
      logger: { warn() {}, error() {} },
    });
    try {
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(lease.fenced(), false, 'renewals succeed: not fenced');
      failing = true;
      await until(() => lease.fenced(), 2000, 'fenced');
      assert.ok(fencedAt - lastOk < 600, `fenced ${Math.round(fencedAt - lastOk)} ms after the last renewal sent, inside the 600 ms lease`);
      failing = false;
      await until(() => !lease.fenced(), 2000, 'unfenced');
      assert.equal(unfenced, 1);
    } finally {
      lease.stop();
    }
  });

  test('a node cut off from PostgreSQL closes its listeners before its lease lapses, and serves again after it rejoins', async () => {
    const cluster = newCluster();
    // A relay this test controls between node D and PostgreSQL.
    const pgPort = Number(new URL(PG_URL).port || 5432);
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((c) => {
      const u = net.connect({ host: '127.0.0.1', port: pgPort });
      sockets.add(c); sockets.add(u);
      c.pipe(u); u.pipe(c);
      const end = () => { c.destroy(); u.destroy(); sockets.delete(c); sockets.delete(u); };
      c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayPort = (relay.address() as net.AddressInfo).port;
    const n1 = await cluster.start('node1', 1, { backends: SHARED });
    const dUrl = cluster.url.replace(`:${pgPort}/`, `:${relayPort}/`);
    const d = await cluster.start('node-d', 4, { db: dUrl, zoneId: 'cn-hangzhou-d' });
    try {
      const id = await api(n1).create({ zoneId: 'cn-hangzhou-d' });
      assert.equal(await ownerOf(n1, id), 'node-d');
      const [internal] = await api(n1).net(id);
      assert.ok(internal);
      await until(() => d.dataplane.live([id]).some((l) => l.listening), 3000, 'node D to listen');
      assert.equal(await connectOutcome(internal.IPAddress, Number(internal.port)), 'connected');

      relay.close();
      for (const s of sockets) s.destroy();
      const cut = performance.now();
      await until(() => d.node.fenced(), 3000, 'node D to fence');
      await until(() => !d.dataplane.live().some((l) => l.listening), 2000, 'node D to close its listeners');
      const closedAfter = performance.now() - cut;
      assert.equal(await connectOutcome(internal.IPAddress, Number(internal.port)), 'ECONNREFUSED');
      // By the database's clock the lease has not lapsed yet at this point: nobody could have taken over.
      const row = await n1.store.read(async (r) => ({ node: await r.nodes.get('node-d'), now: await r.nodes.dbNow() }));
      assert.ok(row.node && row.node.leaseUntilMs > row.now, `closed ${Math.round(closedAfter)} ms after the cut, ${row.node ? row.node.leaseUntilMs - row.now : 0} ms before the lease lapsed`);

      // Its per-instance-less instance (no shared MySQL on D: it cannot move to node 1) waits for it.
      await until(async () => (await api(n1).attr(id)).DBInstanceStatus === 'Unavailable', 5000, 'Unavailable');
      await new Promise<void>((r) => relay.listen(relayPort, '127.0.0.1', () => r()));
      await until(() => !d.node.fenced() && d.dataplane.live([id]).some((l) => l.listening), 8000, 'node D to serve again');
      await until(async () => (await api(n1).attr(id)).DBInstanceStatus === 'Running', 5000, 'Running again');
    } finally {
      await n1.stop();
      await d.stop();
      relay.close();
      for (const s of sockets) s.destroy();
      await cluster.drop();
    }
  });
});
