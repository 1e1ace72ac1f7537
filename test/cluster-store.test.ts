// Issue 13: the nodes part of the store (migration 006, NodeRepo) on both dialects: leases by the database's
// clock, rejoin after expiry, ownership and generations, and what `localrds nodes` shows of a single SQLite node.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BACKENDS } from './store-fixtures/backends.js';
import { account, iid, instance } from './store-fixtures/records.js';
import { startTestServer } from './helpers/localrds.js';

const REG = { apiUrl: 'http://127.0.0.1:1', zoneId: '', publicPool: '127.70.0.0/24', privatePool: '127.71.0.0/24', sharedEngines: ['MySQL'], serverEngines: [] as string[] };

for (const b of BACKENDS) {
  describe(`nodes store: ${b.name}`, () => {
    test('register, renew by the database clock, lapse, rejoin with a new epoch', async () => {
      const iso = await b.isolate();
      try {
        const s = iso.store;
        const epoch = await s.tx((r) => r.nodes.register({ nodeId: 'n1', ...REG }, 60_000));
        assert.equal(epoch, 1);
        const [row, now] = await s.read(async (r) => [await r.nodes.get('n1'), await r.nodes.dbNow()] as const);
        assert.ok(row && row.state === 'live' && row.leaseUntilMs > now && row.leaseUntilMs <= now + 60_000);
        assert.deepEqual(row.sharedEngines, ['MySQL']);
        assert.deepEqual(row.serverEngines, []);
        // A lease of 1 ms lapses by the database's clock; renewals of a node marked expired are refused.
        await s.tx((r) => r.nodes.register({ nodeId: 'n2', ...REG }, 1));
        await new Promise((res) => setTimeout(res, 20));
        assert.deepEqual((await s.read((r) => r.nodes.listLapsed())).map((n) => n.nodeId), ['n2']);
        await s.tx((r) => r.nodes.setState('n2', 'expired'));
        assert.equal(await s.tx((r) => r.nodes.renew('n2', 60_000, { instances: 0, endpoints: 0, sessions: 0 })), undefined);
        const renewed = await s.tx((r) => r.nodes.renew('n1', 60_000, { instances: 3, endpoints: 4, sessions: 5 }));
        assert.equal(renewed?.sessions, 5);
        assert.equal(await s.tx((r) => r.nodes.register({ nodeId: 'n2', ...REG }, 60_000)), 2, 'rejoin: epoch + 1');
        assert.equal((await s.read((r) => r.nodes.get('n2')))?.state, 'live');
      } finally {
        await iso.dispose();
      }
    });

    test('owners, claiming unowned rows, generations that only move forward', async () => {
      const iso = await b.isolate();
      try {
        const s = iso.store;
        await s.tx(async (r) => {
          await r.accounts.createAccount(account('a1'));
          await r.instances.insert(instance('a1', 'rm-one'));
          await r.instances.insert(instance('a1', 'rm-two'));
        });
        assert.deepEqual((await s.read((r) => r.nodes.ownership(['rm-one', 'rm-two', 'rm-none']))).map((o) => o.nodeId), [null, null]);
        assert.equal(await s.tx((r) => r.nodes.claimUnowned('n1')), 2);
        await s.tx((r) => r.nodes.setOwner(iid('rm-two'), 'n2'));
        assert.deepEqual([...(await s.read((r) => r.nodes.countByNode())).entries()].sort(), [['n1', 1], ['n2', 1]]);
        assert.deepEqual((await s.read((r) => r.nodes.ownedBy('n2'))).map((o) => o.instanceId), ['rm-two']);
        const bumped = await s.tx((r) => r.nodes.bump(['rm-one', 'rm-two', 'rm-none']));
        assert.deepEqual(bumped.map((o) => [o.instanceId, o.generation, o.nodeId]).sort(), [['rm-one', 1, 'n1'], ['rm-two', 1, 'n2']]);
        await s.tx((r) => r.nodes.bump(['rm-two']));
        await s.tx((r) => r.nodes.setApplied('rm-two', 2));
        await s.tx((r) => r.nodes.setApplied('rm-two', 1));
        const [two] = await s.read((r) => r.nodes.ownership(['rm-two']));
        assert.deepEqual([two?.generation, two?.appliedGeneration], [2, 2]);
      } finally {
        await iso.dispose();
      }
    });
  });
}

test('a single SQLite node registers as `local` and `localrds nodes` lists it live, then stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-nodes-'));
  const s = await startTestServer({ keepDataDir: dir });
  const nodes = async () => JSON.parse((await promisify(execFile)(process.execPath, ['bin/localrds.js', 'nodes', '--data-dir', s.dataDir, '--json'])).stdout) as { Nodes: Array<{ NodeId: string; State: string; ApiUrl: string; LeaseRemainingMs: number; EndpointList: unknown[] }> };
  try {
    assert.equal(s.node.id, 'local');
    assert.equal(s.node.clustered, false);
    const { Nodes } = await nodes();
    assert.deepEqual(Nodes.map((n) => [n.NodeId, n.State, n.ApiUrl]), [['local', 'live', s.url]]);
    assert.ok((Nodes[0]?.LeaseRemainingMs ?? 0) > 0);
    await s.stop();
    assert.deepEqual((await nodes()).Nodes.map((n) => [n.NodeId, n.State, n.LeaseRemainingMs]), [['local', 'stopped', 0]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
