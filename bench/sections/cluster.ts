// Section 8, cluster (issue 13): two localrds nodes on one PostgreSQL schema (zones a and b), one instance placed
// on node B. (1) Release latency with 100 open sessions, the request sent to node A (cross-node: the change
// reaches B through PostgreSQL) next to the same release sent to B itself (the single-node path), cycle by cycle
// in turns. (2) API throughput of a V3-signed DescribeDBInstanceNetInfo (bench/loadgen.ts, as in section 1) with
// the connections spread over both nodes, against the same connections on node A alone.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalrdsProcess, type LocalrdsProcess } from '../lib/localrds-process.js';
import { DIST_BENCH, LOAD_CORE, SERVER_CORE, cpuMs, runLoadgen, spawnPinned, stop, waitForOutput, type MeasuredLoad } from '../lib/proc.js';
import { call, createRunningInstance } from '../lib/rds-client.js';
import { verdict, type Row, type Section } from '../lib/report.js';
import { fmt, median, summarize } from '../lib/stats.js';
import { measureRelease, openSessions } from './release.js';
import { GENERATOR_BOUND_PERCENT } from './api.js';
import { PG_URL } from './writes.js';

const CYCLES = 100;
const SESSIONS = 100;
const LEASE_MS = 10_000;
const RECONCILE_MS = 5000;
const CONNECTIONS = [16, 64];
const REPS = 3;
const WARMUP_MS = 700;
const DURATION_MS = 3000;
/**
 * Cross-node release against the same release on the owner, at p99: the owner is told through LISTEN/NOTIFY and
 * answers back the same way, a few round trips to PostgreSQL; were the change carried by the periodic reconcile
 * instead (RECONCILE_MS), the figure would be seconds. A ratio, as both sides swell alike on a loaded machine.
 */
const CROSS_P99_RATIO = 1.5;
const SPREAD_RATIO_TARGET = 0.9;

interface Sample { refusedMs: number; closedMs: number; answerMs: number }

async function node(name: 'a' | 'b', db: string, sinkPort: number): Promise<LocalrdsProcess> {
  const octet = name === 'a' ? 245 : 247;
  return startLocalrdsProcess({
    db, backends: [`mysql=127.0.0.1:${sinkPort}`], publicPool: `127.${octet}.0.0/16`, privatePool: `127.${octet + 1}.0.0/16`,
    extraArgs: ['--node-id', `bench-${name}`, '--zone', `cn-hangzhou-${name}`, '--lease-ms', String(LEASE_MS), '--reconcile-ms', String(RECONCILE_MS), '--quarantine-ms', '0'],
  });
}

async function releaseCycle(owner: LocalrdsProcess, via: LocalrdsProcess, id: string): Promise<Sample> {
  const a = await call(owner, 'AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: `${id}-pub`, Port: '3306' });
  const ni = await call(owner, 'DescribeDBInstanceNetInfo', { DBInstanceId: id });
  const e = (ni.DBInstanceNetInfos.DBInstanceNetInfo as Array<{ IPType: string; IPAddress: string; Port: string }>).find((x) => x.IPType === 'Public');
  if (!e) throw new Error('no public endpoint after Allocate');
  const sessions = await openSessions(e.IPAddress, Number(e.Port), SESSIONS);
  // measureRelease gives up on sessions after 5 s and destroys them itself; count the ones the server closed first
  // (a close event comes from libuv, after this function resumes), so that a release that left sessions open
  // shows as missing instead of as the time of the last one that did close.
  let closedByServer = 0;
  for (const s of sessions) s.once('close', () => { closedByServer++; });
  const sample = await measureRelease(e.IPAddress, Number(e.Port), sessions,
    () => call(via, 'ReleaseInstancePublicConnection', { DBInstanceId: id, CurrentConnectionString: String(a.ConnectionString) }));
  return closedByServer === SESSIONS ? sample : { ...sample, closedMs: NaN };
}

function releaseRows(cross: Sample[], local: Sample[]): Row[] {
  const figures: Array<[keyof Sample, string, boolean]> = [
    ['refusedMs', 'Cross-node release: request -> new connections refused on the owner', true],
    ['closedMs', 'Cross-node release: request -> last of 100 sessions closed', true],
    ['answerMs', 'Cross-node release: request -> API answer', false],
  ];
  return figures.map(([key, label, targeted]) => {
    const c = summarize(cross.map((s) => s[key]).filter(Number.isFinite));
    const l = summarize(local.map((s) => s[key]).filter(Number.isFinite));
    const missing = cross.filter((s) => !Number.isFinite(s[key])).length;
    return {
      figure: `${label}, p50 / p99 (ms)`, value: `${fmt(c.p50)} / ${fmt(c.p99)}`, baseline: `single-node (on the owner) ${fmt(l.p50)} / ${fmt(l.p99)}`,
      ratio: `${fmt(c.p99 / l.p99, 3)}x single-node p99`, target: targeted ? `<= ${CROSS_P99_RATIO}x single-node p99` : '-',
      verdict: targeted ? verdict(missing === 0 && c.p99 <= l.p99 * CROSS_P99_RATIO) : 'n/a',
      note: `max ${fmt(c.max)} ms (single-node max ${fmt(l.max)} ms)${missing ? `; ${missing} of ${CYCLES} never observed within 5 s` : ''}`
        + (key === 'refusedMs' ? `; the single-node path is section 4's figure on PostgreSQL instead of SQLite` : ''),
    };
  });
}

interface SpreadRun { rps: number; p50Ms: number; p99Ms: number; errors: number; serverCpu: string; genCpu: number; pgCpu: number; cpuPerRequestMs: number }

/** The pid of the PostgreSQL server listening on 127.0.0.1:5432 (the store), from /proc/net/tcp and the fds. */
function storePostmaster(): number | undefined {
  const inodes = new Set(readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(':1538') && f[3] === '0A').map((f) => f[9]));
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]); } catch { return false; } })) return Number(pid);
    } catch { /* not ours to read, or gone */ }
  }
  return undefined;
}

/** CPU ms so far of the store's postmaster and each of its children (backends, WAL writer, ...), by pid. */
function postgresCpu(postmaster: number | undefined): Map<number, number> {
  const out = new Map<number, number>();
  if (postmaster === undefined) return out;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (pid === postmaster || ppid === postmaster) out.set(pid, cpuMs(pid));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** CPU between two samples; a process that ended in between is left out (so this is a floor). */
function cpuBetween(a: Map<number, number>, b: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of b) total += ms - (a.get(pid) ?? 0);
  return total;
}

/** Runs the loads at once and adds PostgreSQL's CPU over the whole run (warm-up included), in % of one core. */
async function measured(postmaster: number | undefined, loads: Array<() => Promise<MeasuredLoad>>): Promise<SpreadRun> {
  const cpu0 = postgresCpu(postmaster);
  const t0 = performance.now();
  const rs = await Promise.all(loads.map((f) => f()));
  return { ...asRun(rs), pgCpu: postmaster === undefined ? NaN : (cpuBetween(cpu0, postgresCpu(postmaster)) / (performance.now() - t0)) * 100 };
}

function asRun(rs: MeasuredLoad[]): Omit<SpreadRun, 'pgCpu'> {
  const rps = rs.reduce((n, r) => n + r.rps, 0);
  return {
    rps,
    // Both nodes together: CPU % of one core over the window, per request answered, in ms.
    cpuPerRequestMs: (rs.reduce((n, r) => n + (r.serverCpuPercent ?? NaN), 0) * 10) / rps,
    // Each generator reports its own percentiles; the worse of them stands for the run.
    p50Ms: Math.max(...rs.map((r) => r.p50Ms)), p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    serverCpu: rs.map((r) => `${fmt(r.serverCpuPercent ?? NaN)}%`).join(' + '),
    genCpu: rs.reduce((n, r) => n + r.cpuPercent, 0),
  };
}

function medianOf(runs: SpreadRun[]): SpreadRun {
  const sorted = [...runs].sort((x, y) => x.rps - y.rps);
  const m = sorted[Math.floor(sorted.length / 2)] as SpreadRun;
  return { ...m, errors: runs.reduce((n, r) => n + r.errors, 0) };
}

async function throughputRows(a: LocalrdsProcess, b: LocalrdsProcess, id: string): Promise<Row[]> {
  const spec = (t: LocalrdsProcess, connections: number) => ({
    host: t.host, port: t.port, connections, warmupMs: WARMUP_MS, durationMs: DURATION_MS,
    target: { kind: 'v3' as const, action: 'DescribeDBInstanceNetInfo', params: { DBInstanceId: id }, creds: t.creds },
  });
  const pm = storePostmaster();
  const one = new Map<number, SpreadRun[]>();
  const two = new Map<number, SpreadRun[]>();
  // One node with half the connections: what each node of the pair sees, to tell batching from coordination.
  const half = new Map<number, SpreadRun[]>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const c of CONNECTIONS) {
      one.set(c, [...(one.get(c) ?? []), await measured(pm, [() => runLoadgen(spec(a, c), a.child.pid)])]);
      const both = await measured(pm, [() => runLoadgen(spec(a, c / 2), a.child.pid), () => runLoadgen(spec(b, c / 2), b.child.pid)]);
      two.set(c, [...(two.get(c) ?? []), both]);
      half.set(c, [...(half.get(c) ?? []), await measured(pm, [() => runLoadgen(spec(a, c / 2), a.child.pid)])]);
    }
  }
  return CONNECTIONS.map((c) => {
    const o = medianOf(one.get(c) ?? []);
    const t = medianOf(two.get(c) ?? []);
    const h = medianOf(half.get(c) ?? []);
    const ratio = t.rps / o.rps;
    const bound = (r: SpreadRun) => (r.genCpu >= GENERATOR_BOUND_PERCENT ? ', generator-bound' : '');
    return {
      figure: `req/s, ${c} conn spread over 2 nodes, vs ${c} conn on 1 node`, value: fmt(t.rps), baseline: fmt(o.rps), ratio: fmt(ratio, 2),
      target: `>= ${SPREAD_RATIO_TARGET}`, verdict: verdict(t.errors === 0 && o.errors === 0 && ratio >= SPREAD_RATIO_TARGET),
      note: `localrds CPU per request ${fmt(t.cpuPerRequestMs)} ms on 2 nodes, ${fmt(o.cpuPerRequestMs)} ms on 1, `
        + `${fmt(h.cpuPerRequestMs)} ms on 1 node with ${c / 2} conn (${fmt(h.rps)} req/s). `
        + `2 nodes: p50 / p99 ${fmt(t.p50Ms)} / ${fmt(t.p99Ms)} ms, server CPU ${t.serverCpu}, PostgreSQL CPU ${fmt(t.pgCpu)}%, generators ${fmt(t.genCpu)}%${bound(t)}; `
        + `1 node: p50 / p99 ${fmt(o.p50Ms)} / ${fmt(o.p99Ms)} ms, server CPU ${o.serverCpu}, PostgreSQL CPU ${fmt(o.pgCpu)}%, generator ${fmt(o.genCpu)}%${bound(o)}; `
        + `runs 2 nodes ${(two.get(c) ?? []).map((r) => fmt(r.rps)).join(', ')}, 1 node ${(one.get(c) ?? []).map((r) => fmt(r.rps)).join(', ')}`
        + (t.errors + o.errors ? `; ${t.errors + o.errors} non-200` : ''),
    };
  });
}

export async function clusterSection(): Promise<Section> {
  const schema = `localrds_bench_cluster_${randomBytes(4).toString('hex')}`;
  const db = `${PG_URL}?schema=${schema}`;
  const sink = spawnPinned(LOAD_CORE, process.execPath, [join(DIST_BENCH, 'bare-server.js'), 'sink']);
  const procs: LocalrdsProcess[] = [];
  try {
    const sinkPort = Number((await waitForOutput(sink, /ready (\d+)/))[1]);
    // A first, alone: it creates the schema; then B.
    const a = await node('a', db, sinkPort);
    procs.push(a);
    const b = await node('b', db, sinkPort);
    procs.push(b);
    const cross: Sample[] = [];
    const local: Sample[] = [];
    let id = '';
    try {
      // Created through A, placed by zone on B.
      id = await createRunningInstance(a, { ZoneId: 'cn-hangzhou-b' });
      const ni = await call(b, 'DescribeDBInstanceNetInfo', { DBInstanceId: id });
      const priv = String(ni.DBInstanceNetInfos.DBInstanceNetInfo[0]?.IPAddress ?? '');
      if (!priv.startsWith('127.248.')) throw new Error(`the instance's endpoint ${priv} is not from node B's pool (127.248.0.0/16): placement by zone did not happen`);
      for (let i = 0; i < CYCLES; i++) {
        cross.push(await releaseCycle(b, a, id));
        local.push(await releaseCycle(b, b, id));
      }
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; node A log: ${a.loggedErrors()}; node B log: ${b.loggedErrors()}`);
    }
    const rows = [...releaseRows(cross, local), ...(await throughputRows(a, b, id))];
    const answer = { cross: median(cross.map((s) => s.answerMs)), local: median(local.map((s) => s.answerMs)) };
    return {
      title: '8. Cluster: two nodes on one PostgreSQL',
      method: `Two \`localrds serve --db postgres://…?schema=… --node-id … --zone …\` processes (lease ${LEASE_MS / 1000} s, reconcile ${RECONCILE_MS / 1000} s), `
        + 'one instance created through node A in zone b, so placed on node B. Release: '
        + `${CYCLES} cycles each of Allocate (on B), ${SESSIONS} sessions through the public endpoint, then ReleaseInstancePublicConnection sent to A (cross-node) `
        + 'or to B (single-node path, the baseline), in turns; timed as in section 4 (the prober and the sessions watch the owner\'s listener). '
        + `Throughput: DescribeDBInstanceNetInfo V3-signed by bench/loadgen.ts, N connections on A alone against N/2 on A plus N/2 on B at once (two generators), and N/2 on A alone, ${REPS} repetitions of ${DURATION_MS / 1000} s in turns, median shown.`,
      rows,
      notes: [
        `Both nodes are pinned to core ${SERVER_CORE}, the generators, sessions and prober to core ${LOAD_CORE}, and PostgreSQL (the shared store) is not pinned: `
        + 'on this 2-core machine two nodes share one core, so the throughput row shows what spreading the calls over nodes costs (coordination, a second process), '
        + 'not the gain of a second machine; the target asks that it costs little.',
        `The cross-node path adds, per release, the NOTIFY from A's commit to B, B's reconcile of the instance and B's confirmation back to A; median answer ${fmt(answer.cross)} ms cross-node, ${fmt(answer.local)} ms on the owner.`,
        'What spreading changes per request: each node commits the nonces of one event-loop turn in one statement, so the same load over two nodes '
        + 'makes batches about half as large and about twice as many nonce commits; and two processes (each with its data-plane thread) take turns on '
        + 'one core. One node with half the connections (measured in the same turns) shows the first effect alone. The notes give localrds CPU per request (both nodes summed) and PostgreSQL\'s CPU (the store\'s server on port 5432 and its children; backends that ended during a run are left out), in % of one core, to tell '
        + 'which of the two a run paid for.',
        `Backend: bench/bare-server.ts sink (greets and holds each session), as in section 4. PostgreSQL schema ${schema}, dropped afterwards.`,
      ],
    };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await stop(sink);
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists "${schema}" cascade`).finally(() => c.end());
  }
}
