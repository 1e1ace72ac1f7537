// Section 3, data plane: a 100 MB result and SELECT 1 round trips through the public endpoint of a localrds
// instance, directly to MariaDB, and through HAProxy (Debian's, TCP mode, one thread) to the same MariaDB.
// Proxies on SERVER_CORE; the client (bench/db-client.ts, a raw protocol reader) on LOAD_CORE; MariaDB unpinned.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DbClientSpec, DbTargetResult } from '../db-client.js';
import { benchTempDir, startLocalrdsProcess } from '../lib/localrds-process.js';
import { freePort } from '../lib/net-util.js';
import { cpuMs, DIST_BENCH, LOAD_CORE, SERVER_CORE, runLoadgen, spawnPinned, stop, type Child, type MeasuredLoad } from '../lib/proc.js';
import type { LoadSpec } from '../loadgen.js';
import { call, createRunningInstance } from '../lib/rds-client.js';
import { verdict, type Row, type Section } from '../lib/report.js';
import { fmt, median, sleep } from '../lib/stats.js';
import { RawMysql } from '../lib/mysql-raw.js';

export const MARIADB = { host: '127.0.0.1', port: 3306 };
const REPS = 7;
// SELECT 1 round trips per path, spread over the reps: 2,000 a rep, so that the p50s compared (tens of µs apart)
// are steadier than their difference (with 429 a rep, a proxy's added p50 moved by 20 to 30 µs between runs).
const LATENCY_QUERIES = 14_000;
// Connect + login per path, 200 a rep: with 70 in all the p99 was the second-worst sample, and one stall on the
// shared core moved localrds's ratio to HAProxy between 0.7x and 3.4x from run to run.
const CONNECTS = 1400;
/** The API row: connections of the signed-call load, and how long each measurement runs. */
const API_CONNECTIONS = 16;
const API_MS = 3000;
// Rows stored once in a database the benchmark owns (and drops): read from the buffer pool, MariaDB serves them
// several times faster than it can compute REPEAT() rows, so the paths, not the row source, are what is measured.
const BENCH_DB = 'localrds_bench';
const BIG_QUERY = `SELECT b FROM ${BENCH_DB}.blobs`;

async function withMariadb<T>(fn: (c: RawMysql) => Promise<T>): Promise<T> {
  const c = await RawMysql.connect(MARIADB);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

async function createBlobs(): Promise<void> {
  await withMariadb(async (c) => {
    await c.query(`CREATE DATABASE IF NOT EXISTS ${BENCH_DB}`);
    await c.query(`DROP TABLE IF EXISTS ${BENCH_DB}.blobs`);
    await c.query(`CREATE TABLE ${BENCH_DB}.blobs (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB`);
    await c.query(`INSERT INTO ${BENCH_DB}.blobs SELECT seq, REPEAT('x', 1048576) FROM test.seq_1_to_100`);
    await c.query(BIG_QUERY); // into the buffer pool
  });
}

async function startHaproxy(): Promise<{ child: Child; port: number }> {
  const dir = benchTempDir('haproxy');
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'global', '  nbthread 1', '  maxconn 4000',
    'defaults', '  mode tcp', '  timeout connect 5s', '  timeout client 120s', '  timeout server 120s',
    'listen mariadb', `  bind 127.0.0.1:${port}`, `  server db ${MARIADB.host}:${MARIADB.port}`, '',
  ].join('\n'));
  const child = spawnPinned(SERVER_CORE, 'haproxy', ['-f', cfg, '-db']);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await RawMysql.connect({ host: '127.0.0.1', port })).close();
      return { child, port };
    } catch (e) {
      if (Date.now() > deadline || child.proc.exitCode !== null) throw new Error(`haproxy did not come up: ${String(e)} ${child.err()}`);
      await sleep(20);
    }
  }
}

export async function dataPlaneSection(): Promise<Section> {
  const rds = await startLocalrdsProcess({ backends: [`mysql=${MARIADB.host}:${MARIADB.port}`], publicPool: '127.251.0.0/16', privatePool: '127.252.0.0/16' });
  let haproxy: { child: Child; port: number } | undefined;
  try {
    await createBlobs();
    haproxy = await startHaproxy();
    const id = await createRunningInstance(rds);
    await call(rds, 'AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: `${id}-pub`, Port: '3306' });
    const net = await call(rds, 'DescribeDBInstanceNetInfo', { DBInstanceId: id });
    const pub = (net.DBInstanceNetInfos.DBInstanceNetInfo as Array<{ IPType: string; IPAddress: string; Port: string }>).find((e) => e.IPType === 'Public');
    if (!pub) throw new Error('no public endpoint');
    const spec: DbClientSpec = {
      targets: [
        { name: 'direct', ...MARIADB },
        { name: 'haproxy', host: '127.0.0.1', port: haproxy.port },
        { name: 'localrds', host: pub.IPAddress, port: Number(pub.Port) },
      ],
      reps: REPS, bigQuery: BIG_QUERY, latencyQueries: LATENCY_QUERIES, connects: CONNECTS,
    };
    const cpu0 = { rds: cpuMs(rds.child.pid), hap: cpuMs(haproxy.child.pid) };
    const client = spawnPinned(LOAD_CORE, process.execPath, [join(DIST_BENCH, 'db-client.js'), JSON.stringify(spec)]);
    const code = await client.exited;
    if (code !== 0) throw new Error(`db client failed: ${client.err().slice(-2000)}`);
    const cpuUsed = { rds: cpuMs(rds.child.pid) - cpu0.rds, hap: cpuMs(haproxy.child.pid) - cpu0.hap };
    const results = JSON.parse(client.out().trim().split('\n').pop() as string) as DbTargetResult[];
    const by = (n: string) => results.find((r) => r.name === n) as DbTargetResult;
    const direct = by('direct');
    const hap = by('haproxy');
    const local = by('localrds');
    const mb = (r: DbTargetResult) => median(r.mbPerSecond);
    const addedLocal = local.latency.p50 - direct.latency.p50;
    const addedHap = hap.latency.p50 - direct.latency.p50;
    const addedLocal99 = local.latency.p99 - direct.latency.p99;
    const addedHap99 = hap.latency.p99 - direct.latency.p99;
    const totalBytes = local.bytes * REPS;

    // The API while bytes stream: signed calls idle, then while 100 MB results stream back to back through the
    // public endpoint (a second client on the load core), idle again; the two idle runs bound the noise.
    const apiSpec: LoadSpec = {
      host: rds.host, port: rds.port, connections: API_CONNECTIONS, warmupMs: 500, durationMs: API_MS,
      target: { kind: 'v3', action: 'DescribeDBInstanceNetInfo', params: { DBInstanceId: id }, creds: rds.creds },
    };
    const idleBefore = await runLoadgen(apiSpec, rds.child.pid);
    const streamer = spawnPinned(LOAD_CORE, process.execPath, [join(DIST_BENCH, 'db-client.js'), JSON.stringify({
      targets: [{ name: 'localrds', host: pub.IPAddress, port: Number(pub.Port) }], reps: 400, bigQuery: BIG_QUERY, latencyQueries: 0, connects: 0,
    } satisfies DbClientSpec)]);
    let busy: MeasuredLoad;
    try {
      await sleep(300); // the first result is on its way
      busy = await runLoadgen(apiSpec, rds.child.pid);
    } finally {
      streamer.proc.kill('SIGKILL');
      await streamer.exited.catch(() => undefined);
    }
    const idleAfter = await runLoadgen(apiSpec, rds.child.pid);
    const idleRps = median([idleBefore.rps, idleAfter.rps]);
    const rows: Row[] = [
      {
        figure: 'Throughput, 100 MB result (MB/s, median of 7)', value: fmt(mb(local)), baseline: `direct ${fmt(mb(direct))}`,
        ratio: fmt(mb(local) / mb(direct), 3), target: '>= 0.95 of direct', verdict: verdict(mb(local) / mb(direct) >= 0.95),
        note: `runs: localrds ${local.mbPerSecond.map((v) => fmt(v)).join(', ')}; direct ${direct.mbPerSecond.map((v) => fmt(v)).join(', ')}`,
      },
      {
        figure: 'Throughput vs HAProxy (MB/s)', value: fmt(mb(local)), baseline: `HAProxy ${fmt(mb(hap))}`,
        ratio: fmt(mb(local) / mb(hap), 3), target: '>= HAProxy', verdict: verdict(mb(local) >= mb(hap)),
        note: `HAProxy runs: ${hap.mbPerSecond.map((v) => fmt(v)).join(', ')}`,
      },
      {
        figure: 'SELECT 1 round trip p50 / p99 (ms)', value: `${fmt(local.latency.p50)} / ${fmt(local.latency.p99)}`,
        baseline: `direct ${fmt(direct.latency.p50)} / ${fmt(direct.latency.p99)}; HAProxy ${fmt(hap.latency.p50)} / ${fmt(hap.latency.p99)}`,
        ratio: `${fmt(local.latency.p50 / direct.latency.p50, 3)}x direct p50`, target: '-', verdict: 'n/a',
        note: `${local.latency.n} queries per path`,
      },
      {
        figure: 'Added latency p50 (ms, vs direct)', value: fmt(addedLocal), baseline: `HAProxy adds ${fmt(addedHap)}`,
        ratio: addedHap > 0 ? fmt(addedLocal / addedHap, 3) : '-', target: '<= HAProxy + 0.010', verdict: verdict(addedLocal <= addedHap + 0.010),
        note: `p99: localrds adds ${fmt(addedLocal99)}, HAProxy adds ${fmt(addedHap99)}`,
      },
      {
        figure: 'Connect + login p50 / p99 (ms)', value: `${fmt(local.connect.p50)} / ${fmt(local.connect.p99)}`,
        baseline: `direct ${fmt(direct.connect.p50)} / ${fmt(direct.connect.p99)}; HAProxy ${fmt(hap.connect.p50)} / ${fmt(hap.connect.p99)}`,
        ratio: `${fmt(local.connect.p99 / hap.connect.p99, 3)}x HAProxy p99`, target: 'p99 <= 2x HAProxy', verdict: verdict(local.connect.p99 <= 2 * hap.connect.p99),
        note: 'includes the whitelist check on accept and the backend connect',
      },
      {
        figure: `API req/s (V3 DescribeDBInstanceNetInfo, ${API_CONNECTIONS} conn) while 100 MB results stream through the public endpoint`,
        value: fmt(busy.rps), baseline: `idle ${fmt(idleRps)}`, ratio: fmt(busy.rps / idleRps, 3), target: '>= 0.8 of idle',
        verdict: verdict(busy.rps / idleRps >= 0.8 && busy.errors === 0),
        note: `idle before ${fmt(idleBefore.rps)}, after ${fmt(idleAfter.rps)}; p50 ${fmt(busy.p50Ms)} ms while streaming vs ${fmt(idleBefore.p50Ms)} idle; `
          + `server CPU ${fmt(busy.serverCpuPercent ?? NaN)}% while streaming${busy.errors ? `; ${busy.errors} errors` : ''}`,
      },
      {
        figure: 'Proxy CPU per 100 MB (ms)', value: fmt((cpuUsed.rds / totalBytes) * 1e8), baseline: `HAProxy ${fmt((cpuUsed.hap / totalBytes) * 1e8)}`,
        ratio: fmt(cpuUsed.rds / cpuUsed.hap, 3), target: '-', verdict: 'n/a',
        note: 'whole process CPU over the run (big reads, SELECT 1s, connects) divided by the bytes of the big reads',
      },
    ];
    return {
      title: '3. Data plane: public endpoint vs direct vs HAProxy',
      method: `\`${BIG_QUERY}\` (100 stored rows of 1 MiB, ${fmt(local.bytes / 1e6)} MB on the wire) and \`SELECT 1\` through three paths to the same MariaDB: `
        + 'directly, through HAProxy (TCP mode, `nbthread 1`, generated config), and through the public endpoint of a localrds MySQL instance.',
      rows,
      notes: [
        `Client: bench/db-client.ts on core ${LOAD_CORE}, a raw protocol reader (bench/lib/mysql-raw.ts) that walks packet headers and never decodes rows; `
        + `client CPU while reading: direct ${fmt(direct.clientCpuPercent)}%, HAProxy ${fmt(hap.clientCpuPercent)}%, localrds ${fmt(local.clientCpuPercent)}% of a core.`,
        `HAProxy and localrds are pinned to core ${SERVER_CORE}; MariaDB is a system service, not pinned, and shares both cores with them; the rows are stored in a table of its own database (\`${BENCH_DB}\`, dropped afterwards) and read from the buffer pool.`,
        `The paths take turns rep by rep (${REPS} reps), each rep on a fresh connection; ${Math.ceil(LATENCY_QUERIES / REPS)} SELECT 1 and ${Math.ceil(CONNECTS / REPS)} connects (connect + login, then close) per rep per path.`,
        'The localrds path (at the time of writing): the data plane runs in its own worker thread; each session reads both sockets into buffers of its own '
        + '(128 KiB from the backend, 64 KiB from the client: no allocation and no Readable machinery per read) and writes each read on at once, pausing a reader only while '
        + 'the other socket has not taken its write; a connection opening or closing sends the API thread no message (session counts are in shared memory). '
        + 'Both threads share the one pinned core with the API: while bytes stream and the API thread is busy, the worker runs at nice 12 (src/dataplane/thread-governor.ts), '
        + 'back at nice 0 once the API is quiet.',
        `API row: bench/loadgen.ts at ${API_CONNECTIONS} connections for ${API_MS / 1000} s, idle, then while a second db-client streams the 100 MB query back to back through the public endpoint, then idle again; both clients on core ${LOAD_CORE}.`,
      ],
    };
  } finally {
    if (haproxy) await stop(haproxy.child);
    await rds.stop();
    await withMariadb((c) => c.query(`DROP DATABASE IF EXISTS ${BENCH_DB}`)).catch(() => undefined);
  }
}
