// Races: 64 concurrent clients (the official SDK, one client each) race Allocate, Release,
// ModifyDBInstanceConnectionString, ModifySecurityIps and DeleteDBInstance on the same few instances, on SQLite
// and on PostgreSQL. Afterwards: every request got a success or a catalogued error (never InternalError); the
// rows keep their invariants (one internal and at most one public endpoint per instance, no address or connection
// string held twice, no lease without its endpoint); the data plane serves exactly the stored endpoints, with
// their whitelists, and every address:port it ever served but no longer should refuses; every change is audited.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../src/errors/codes.js';
import { openapiCore, rdsClient, rdsModule, req, type Creds } from './helpers/clients.js';
import {
  assertListenersMatch, assertStoreInvariants, dropSchema, hardeningPools, pgSchema, readPostgres, readSqlite, startGreeter, waitRunning, type Rows,
} from './helpers/hardening-state.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';

const CLIENTS = 64;
const OPS_PER_CLIENT = 5;
const INSTANCES = 4;
const ROUNDS = 2;

type Op = 'allocate' | 'release' | 'modify' | 'security' | 'describe' | 'delete';
const WEIGHTS: Array<[Op, number]> = [['allocate', 4], ['release', 4], ['modify', 3], ['security', 3], ['describe', 2]];
// Deletes race the rest only at the end of each client's run (1 in 16), or the instances would be gone at once.
const pickOp = (n: number): Op => {
  if (n === OPS_PER_CLIENT - 1 && Math.random() < 1 / 16) return 'delete';
  let r = Math.random() * WEIGHTS.reduce((n, [, w]) => n + w, 0);
  for (const [op, w] of WEIGHTS) if ((r -= w) < 0) return op;
  return 'describe';
};
const any = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

interface Outcome { op: Op; instanceId: string; ok: boolean; ms: number; code?: string; status?: number; errorClass?: string; requestId?: string }

/** The SDK's default timeouts (5 s connect, 3 s read) would fail requests queued behind 63 others on a busy 2-core CI box; the race reports latency instead. */
function racer(endpoint: string, c: Creds): ReturnType<typeof rdsClient> {
  return new rdsModule.default(new openapiCore.$OpenApiUtil.Config({
    accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint, protocol: 'http', readTimeout: 60_000, connectTimeout: 60_000,
  }));
}

async function race(s: TestServer, kind: string, round: number, everUsed: Set<string>): Promise<Outcome[]> {
  const admin = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
  const ids: string[] = [];
  const known = new Map<string, Set<string>>();
  for (let i = 0; i < INSTANCES; i++) {
    const r = await admin.createDBInstance(req('CreateDBInstance', {
      regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20,
      DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0', connectionString: `race${round}-inst${i}-${kind}`,
    }));
    ids.push(r.body.DBInstanceId);
    known.set(r.body.DBInstanceId, new Set([r.body.connectionString]));
  }
  for (const id of ids) await waitRunning(s.endpoint, s.credentials, id);
  // Names shared by every client, so that they collide on purpose.
  const publicPrefixes = ['racepub-a', 'racepub-b', 'racepub-c'].map((p) => `${p}${round}`);
  const modifyPrefixes = ['racemod-aaa', 'racemod-bbb', 'racemod-ccc'].map((p) => `${p}${round}`);
  const remember = (id: string, cs: string) => known.get(id)?.add(cs);
  const outcomes: Outcome[] = [];

  // Sample the live listeners while the race runs: every address:port served at some point must refuse later
  // unless the store still holds it.
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const l of s.dataplane.live()) if (l.listening) everUsed.add(`${l.address}:${l.port}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const client = racer(s.endpoint, s.credentials);
    for (let n = 0; n < OPS_PER_CLIENT; n++) {
      const op = pickOp(n);
      const id = any(ids);
      const names = [...(known.get(id) ?? [])];
      // Mostly aim a release at a public name (the internal one is refused with AtLeastOneNetTypeExists).
      const publicNames = names.filter((cs) => cs.startsWith('racepub') || cs.startsWith('racemod'));
      const t0 = Date.now();
      try {
        let body: { requestId?: string; connectionString?: string; DBInstanceNetInfos?: { DBInstanceNetInfo: Array<{ connectionString: string; IPAddress: string; port: string }> } };
        switch (op) {
          case 'allocate': {
            body = (await client.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', {
              DBInstanceId: id, connectionStringPrefix: any(publicPrefixes), port: String(any([3306, 3307])),
            }))).body;
            if (body.connectionString) remember(id, body.connectionString);
            break;
          }
          case 'release':
            body = (await client.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: id, currentConnectionString: any(publicNames.length > 0 && Math.random() < 0.8 ? publicNames : names) }))).body;
            break;
          case 'modify': {
            const cs = any(names);
            const prefix = any(modifyPrefixes);
            body = (await client.modifyDBInstanceConnectionString(req('ModifyDBInstanceConnectionString', {
              DBInstanceId: id, currentConnectionString: cs, connectionStringPrefix: prefix, port: String(any([3306, 3308, 4000])),
            }))).body;
            remember(id, `${prefix}${cs.slice(cs.indexOf('.'))}`);
            break;
          }
          case 'security':
            body = (await client.modifySecurityIps(req('ModifySecurityIps', {
              DBInstanceId: id, securityIps: any(['0.0.0.0/0', '127.0.0.1', '10.0.0.1', '127.0.0.1/32,10.0.0.0/8']),
              DBInstanceIPArrayName: any(['default', 'race_two']), modifyMode: any(['Cover', 'Append', 'Delete']),
            }))).body;
            break;
          case 'describe':
            body = (await client.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body;
            for (const e of body.DBInstanceNetInfos?.DBInstanceNetInfo ?? []) {
              remember(id, e.connectionString);
              everUsed.add(`${e.IPAddress}:${e.port}`);
            }
            break;
          case 'delete':
            body = (await client.deleteDBInstance(req('DeleteDBInstance', { DBInstanceId: id }))).body;
            break;
        }
        outcomes.push({ op, instanceId: id, ok: true, ms: Date.now() - t0, requestId: body.requestId });
      } catch (e) {
        const err = e as { name?: string; code?: string; statusCode?: number; data?: { RequestId?: string } };
        if (err.code === undefined) throw e; // not an API answer at all: a transport failure is a test failure
        outcomes.push({ op, instanceId: id, ok: false, ms: Date.now() - t0, code: err.code, status: err.statusCode, errorClass: err.name, requestId: err.data?.RequestId });
      }
    }
  }));
  sampling = false;
  await sampler;
  return outcomes;
}

async function rowsOf(s: TestServer, schema: string | undefined): Promise<Rows> {
  return schema ? readPostgres(schema) : readSqlite(s.dataDir);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`${CLIENTS} SDK clients race the network operations on ${kind}: nothing lost, nothing held twice, data plane = store`, { timeout: 120_000 }, async (t) => {
    const greeter = await startGreeter();
    const pgs = kind === 'postgres' ? pgSchema('hardening_race') : undefined;
    const s = await startTestServer({ db: pgs?.url, backends: { mysql: { host: '127.0.0.1', port: greeter.port } }, service: hardeningPools() });
    const everUsed = new Set<string>();
    let requests = 0;
    let successes = 0;
    let probed = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const ctx = `[${kind} round ${round}]`;
        const outcomes = await race(s, kind, round, everUsed);
        requests += outcomes.length;
        successes += outcomes.filter((o) => o.ok).length;

        // 1. Every answer is a success or a catalogued client error with the catalogue's status.
        for (const o of outcomes.filter((x) => !x.ok)) {
          assert.ok(Object.prototype.hasOwnProperty.call(ERROR_CODES, o.code as string), `${ctx} uncatalogued ${o.code}`);
          assert.notEqual(o.code, 'InternalError', `${ctx} ${o.op} got InternalError`);
          assert.equal(o.status, ERROR_CODES[o.code as ErrorCode].status, `${ctx} ${o.code} status`);
          assert.equal(o.errorClass, 'ClientError', `${ctx} ${o.code} is a client error`);
        }
        const byCode = new Map<string, number>();
        for (const o of outcomes) byCode.set(o.ok ? `${o.op}:ok` : `${o.op}:${o.code}`, (byCode.get(o.ok ? `${o.op}:ok` : `${o.op}:${o.code}`) ?? 0) + 1);
        t.diagnostic(`${ctx} ${outcomes.length} requests: ${[...byCode].sort().map(([k, n]) => `${k}=${n}`).join(' ')}`);
        const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
        t.diagnostic(`${ctx} latency ms p50 ${ms[Math.floor(ms.length / 2)]} p99 ${ms[Math.floor(ms.length * 0.99)]} max ${ms[ms.length - 1]}`);
        for (const op of ['allocate', 'release', 'modify', 'security'] as const) {
          assert.ok(outcomes.some((o) => o.op === op && o.ok), `${ctx} at least one ${op} succeeded (the race exercised it)`);
        }

        // 2. The rows keep their invariants, and every instance has settled.
        const rows = await rowsOf(s, pgs?.schema);
        assertStoreInvariants(rows, ctx);
        for (const i of rows.instances) assert.equal(i.status, 'Running', `${ctx} ${i.id} settled`);

        // 3. The API shows exactly the rows.
        const admin = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
        for (const i of rows.instances) {
          const net = (await admin.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: i.id }))).body.DBInstanceNetInfos.DBInstanceNetInfo as
            Array<{ connectionString: string; IPAddress: string; IPType: string; port: string }>;
          const want = rows.endpoints.filter((e) => e.instance_id === i.id).map((e) => `${e.connection_string} ${e.address}:${e.port} ${e.ip_type}`).sort();
          assert.deepEqual(net.map((e) => `${e.connectionString} ${e.IPAddress}:${e.port} ${e.IPType}`).sort(), want, `${ctx} NetInfo of ${i.id}`);
        }

        // 4. The data plane holds exactly the stored endpoints, all bound, and the sockets behave accordingly.
        const live = s.dataplane.live().map((l) => `${l.connectionString} ${l.address}:${l.port} ${l.ipType} ${l.listening} ${l.bindError}`).sort();
        assert.deepEqual(live, rows.endpoints.map((e) => `${e.connection_string} ${e.address}:${e.port} ${e.ip_type} true `).sort(), `${ctx} live() = store`);
        assert.equal(s.dataplane.stats().listeners, rows.endpoints.length, `${ctx} stats().listeners`);
        probed += await assertListenersMatch(rows, everUsed, ctx);

        // 5. Every mutating call is in the audit, with its result.
        const audit = new Map(rows.audit.map((a) => [a.request_id, a]));
        for (const o of outcomes.filter((x) => x.op !== 'describe')) {
          assert.ok(o.requestId, `${ctx} ${o.op} answer carries a RequestId`);
          const a = audit.get(o.requestId as string);
          assert.ok(a, `${ctx} ${o.op} ${o.requestId} audited`);
          assert.equal(a.result, o.ok ? 'Success' : o.code, `${ctx} audit result of ${o.requestId}`);
          assert.equal(a.instance_id, o.instanceId);
        }
      }
      t.diagnostic(`${kind}: ${requests} racing requests (${successes} succeeded) in ${ROUNDS} rounds of ${CLIENTS} clients; ${probed} sockets probed`);
    } finally {
      await s.stop();
      await greeter.close();
      if (pgs) await dropSchema(pgs.schema);
    }
  });
}
