// Crashes: `localrds serve` runs as a child process under a mixed workload of hand-signed requests and is killed
// with SIGKILL at random moments, then restarted on the same data dir, at least 20 times per run. After each
// restart: every change it acknowledged (200) is there and audited; a change in flight when it died is either
// wholly there or wholly absent; no half-done state shows (endpoint without its address lease, instance without
// its internal endpoint or whitelist, leaked leases); every stored endpoint accepts connections as its whitelist
// says and every address:port served before and no longer stored refuses. LOCALRDS_KILL_POINTS sets the count.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, kill9, startChild, type Child } from './helpers/child-server.js';
import { assertListenersMatch, assertStoreInvariants, hardeningPools, readSqlite, startGreeter, type Rows } from './helpers/hardening-state.js';
import { v1Get } from './helpers/sign.js';

const KILL_POINTS = Number(process.env.LOCALRDS_KILL_POINTS ?? 20);
const WORKERS = 6;
const DOMAIN = 'mysql.rds.aliyuncs.com';
const CREDS = { accessKeyId: 'LTAI5tCrashTestKey0001', accessKeySecret: 'crashTestSecret0123456789abcdef' };

/** What one instance looks like through the rows: the comparison unit of the model. */
interface Shape { id: string; priv: string; pub: string | null; whitelist: string }

interface Pending {
  kind: 'create' | 'allocate' | 'release' | 'modify' | 'security' | 'delete';
  /** The shape if the request took effect (undefined: the instance is gone), by instance id; for create, its private name. */
  id: string;
  after: Shape | undefined;
}

interface Worker {
  n: number;
  counter: number;
  /** Acknowledged state of the instances this worker owns (no other worker touches them). */
  owned: Map<string, Shape>;
  pending: Pending | undefined;
}

let dataDir: string;
let greeter: Awaited<ReturnType<typeof startGreeter>>;
let pools: string[];
const debug = (m: string) => { if (process.env.LOCALRDS_TEST_DEBUG) process.stderr.write(`${new Date().toISOString()} ${m}\n`); };
const acknowledged: Array<{ requestId: string; action: string }> = [];
const everUsed = new Set<string>();

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'localrds-crash-'));
  greeter = await startGreeter();
  const p = hardeningPools();
  pools = ['--public-pool', p.publicPool.text, '--private-pool', p.privatePool.text];
});
after(async () => {
  await greeter.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<Child> {
  return startChild(['--data-dir', dataDir, ...pools, '--quarantine-ms', '0', '--backend', `mysql=127.0.0.1:${greeter.port}`],
    { ALIBABA_CLOUD_ACCESS_KEY_ID: CREDS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: CREDS.accessKeySecret }, await freePort());
}

const WHITELISTS = ['0.0.0.0/0', '127.0.0.1', '10.0.0.1', '127.0.0.1/32,10.0.0.0/8'];

function shapeOf(rows: Rows, id: string): Shape | undefined {
  if (!rows.instances.some((i) => i.id === id)) return undefined;
  const eps = rows.endpoints.filter((e) => e.instance_id === id);
  const fmt = (e: Rows['endpoints'][number] | undefined) => (e ? `${e.connection_string}:${e.port}` : null);
  return {
    id,
    priv: fmt(eps.find((e) => e.ip_type === 'Private')) as string,
    pub: fmt(eps.find((e) => e.ip_type === 'Public')),
    whitelist: rows.groups.find((g) => g.instance_id === id && g.name === 'default')?.ips ?? '',
  };
}

/** One request of the workload for this worker, chosen from its model; resolves when answered, rejects if the server died. */
async function step(endpoint: string, w: Worker): Promise<void> {
  const c = ++w.counter;
  const tag = `w${w.n}-${String(c).padStart(5, '0')}`;
  const ids = [...w.owned.keys()];
  const id = ids[randomInt(Math.max(1, ids.length))];
  const cur = id === undefined ? undefined : w.owned.get(id);
  const r = Math.random();
  let params: Record<string, string>;
  let pending: Pending;
  if (cur === undefined || (ids.length < 3 && r < 0.25)) {
    const wl = WHITELISTS[randomInt(WHITELISTS.length)] as string;
    params = {
      Action: 'CreateDBInstance', RegionId: 'cn-hangzhou', Engine: 'MySQL', EngineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
      DBInstanceStorage: '20', DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: wl, ConnectionString: `${tag}-ins`,
    };
    pending = { kind: 'create', id: `${tag}-ins.${DOMAIN}`, after: { id: '', priv: `${tag}-ins.${DOMAIN}:3306`, pub: null, whitelist: wl } };
  } else if (r < 0.1) {
    params = { Action: 'DeleteDBInstance', DBInstanceId: cur.id };
    pending = { kind: 'delete', id: cur.id, after: undefined };
  } else if (r < 0.4) {
    const wl = WHITELISTS[randomInt(WHITELISTS.length)] as string;
    params = { Action: 'ModifySecurityIps', DBInstanceId: cur.id, SecurityIps: wl, DBInstanceIPArrayName: 'default' };
    pending = { kind: 'security', id: cur.id, after: { ...cur, whitelist: wl } };
  } else if (r < 0.6) {
    const target = cur.pub !== null && Math.random() < 0.5 ? cur.pub : cur.priv;
    const port = 3300 + randomInt(50);
    params = { Action: 'ModifyDBInstanceConnectionString', DBInstanceId: cur.id, CurrentConnectionString: target.slice(0, target.lastIndexOf(':')), ConnectionStringPrefix: `${tag}-mod`, Port: String(port) };
    const next = `${tag}-mod.${DOMAIN}:${port}`;
    pending = { kind: 'modify', id: cur.id, after: target === cur.pub ? { ...cur, pub: next } : { ...cur, priv: next } };
  } else if (cur.pub === null) {
    const port = 3300 + randomInt(50);
    params = { Action: 'AllocateInstancePublicConnection', DBInstanceId: cur.id, ConnectionStringPrefix: `${tag}-pub`, Port: String(port) };
    pending = { kind: 'allocate', id: cur.id, after: { ...cur, pub: `${tag}-pub.${DOMAIN}:${port}` } };
  } else {
    params = { Action: 'ReleaseInstancePublicConnection', DBInstanceId: cur.id, CurrentConnectionString: cur.pub.slice(0, cur.pub.lastIndexOf(':')) };
    pending = { kind: 'release', id: cur.id, after: { ...cur, pub: null } };
  }
  w.pending = pending;
  const a = await v1Get(endpoint, CREDS, params); // rejects when the server dies mid-request: the outcome is then unknown
  w.pending = undefined;
  assert.ok(a.status === 200 || (a.status >= 400 && a.status < 500), `${params.Action}: ${a.status} ${a.text}`);
  assert.notEqual(a.json?.Code, 'InternalError', a.text);
  if (a.status !== 200) return; // a catalogued refusal changes nothing (checked against the rows at the next restart)
  acknowledged.push({ requestId: String(a.json?.RequestId), action: params.Action as string });
  if (pending.kind === 'create') {
    const newId = String(a.json?.DBInstanceId);
    w.owned.set(newId, { ...(pending.after as Shape), id: newId });
  } else if (pending.after === undefined) {
    w.owned.delete(pending.id);
  } else {
    w.owned.set(pending.id, pending.after);
  }
}

test(`SIGKILL at ${KILL_POINTS} random moments of a mixed workload: acknowledged changes survive, none half-done, listeners = store`, { timeout: 170_000 }, async (t) => {
  const workers: Worker[] = Array.from({ length: WORKERS }, (_, n) => ({ n, counter: 0, owned: new Map(), pending: undefined }));
  let inDoubt = 0;
  let inDoubtApplied = 0;
  let requests = 0;
  let probed = 0;
  for (let kill = 0; kill <= KILL_POINTS; kill++) {
    const child = await start();
    const ctx = `[restart ${kill}]`;
    debug(`${ctx} up at ${child.endpoint}`);
    try {
      // ---- verify what the previous life left behind ----
      const rows = readSqlite(dataDir);
      assertStoreInvariants(rows, ctx);
      for (const w of workers) {
        const p = w.pending;
        w.pending = undefined;
        if (p) inDoubt++;
        if (p?.kind === 'create') {
          // The id was never seen; the instance is found by its internal name, complete or not at all.
          const ep = rows.endpoints.find((e) => e.connection_string === p.id);
          if (ep) {
            inDoubtApplied++;
            const shape = shapeOf(rows, ep.instance_id) as Shape;
            assert.deepEqual(shape, { ...(p.after as Shape), id: ep.instance_id }, `${ctx} in-doubt create of ${p.id}`);
            w.owned.set(ep.instance_id, shape);
          }
        }
        for (const [id, want] of w.owned) {
          const got = shapeOf(rows, id);
          if (p && p.kind !== 'create' && p.id === id) {
            // In flight when the server died: all of it or none of it.
            const ok = JSON.stringify(got) === JSON.stringify(want) || JSON.stringify(got) === JSON.stringify(p.after);
            assert.ok(ok, `${ctx} in-doubt ${p.kind} of ${id}: ${JSON.stringify(got)} is neither ${JSON.stringify(want)} nor ${JSON.stringify(p.after)}`);
            if (JSON.stringify(got) !== JSON.stringify(want)) inDoubtApplied++;
            if (got) w.owned.set(id, got); else w.owned.delete(id);
          } else {
            assert.deepEqual(got, want, `${ctx} acknowledged state of ${id}`);
          }
        }
      }
      // Nothing the workers do not know about (other than what they know is in doubt) exists.
      const ownedIds = new Set(workers.flatMap((w) => [...w.owned.keys()]));
      for (const i of rows.instances) assert.ok(ownedIds.has(i.id), `${ctx} unexpected instance ${i.id}`);
      for (const i of rows.instances) assert.equal(i.status, 'Running', `${ctx} ${i.id} settled after restart`);
      const audited = new Map(rows.audit.map((a) => [a.request_id, a.result]));
      for (const a of acknowledged) assert.equal(audited.get(a.requestId), 'Success', `${ctx} ${a.action} ${a.requestId} audited`);
      // The API agrees with the rows.
      for (const i of rows.instances) {
        const a = await v1Get(child.endpoint, CREDS, { Action: 'DescribeDBInstanceNetInfo', DBInstanceId: i.id });
        const got = (a.json?.DBInstanceNetInfos as { DBInstanceNetInfo: Array<{ ConnectionString: string; IPAddress: string; Port: string }> }).DBInstanceNetInfo
          .map((e) => `${e.ConnectionString} ${e.IPAddress}:${e.Port}`).sort();
        assert.deepEqual(got, rows.endpoints.filter((e) => e.instance_id === i.id).map((e) => `${e.connection_string} ${e.address}:${e.port}`).sort(), `${ctx} NetInfo of ${i.id}`);
      }
      debug(`${ctx} rows checked`);
      probed += await assertListenersMatch(rows, everUsed, ctx);
      debug(`${ctx} listeners checked`);
      for (const e of rows.endpoints) everUsed.add(`${e.address}:${e.port}`);
      if (kill === KILL_POINTS) break;

      // ---- a mixed workload, killed at a random moment ----
      let stop = false;
      const runs = workers.map(async (w) => {
        while (!stop) {
          requests++;
          try {
            await step(child.endpoint, w);
          } catch (e) {
            if (w.pending) return; // the server died under this request
            throw e;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 80 + randomInt(400)));
      stop = true;
      await kill9(child);
      debug(`${ctx} killed`);
      await Promise.all(runs);
      debug(`${ctx} workers stopped`);
    } finally {
      // kill9 waits for 'exit', which a child already killed has emitted (exitCode stays null, signalCode is set).
      if (child.proc.exitCode === null && child.proc.signalCode === null) await kill9(child);
    }
  }
  t.diagnostic(`${KILL_POINTS} kill points survived; ${requests} requests, ${acknowledged.length} acknowledged changes, all present and audited; `
    + `${inDoubt} requests in flight at a kill (${inDoubtApplied} had committed, the rest left no trace); ${probed} sockets probed`);
  assert.ok(inDoubt >= KILL_POINTS / 2, `kills should land during writes (${inDoubt} in doubt)`);
});
