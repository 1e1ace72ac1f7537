// Section 5, scale: (a) DescribeDBInstances (PageSize 100) and DescribeDBInstanceNetInfo latency with 100, 10,000
// and 100,000 instances in the store, built directly through the store API; (b) memory of 10,000 public
// endpoints open on one node, per endpoint, against bare net.Servers.
import { join } from 'node:path';
import type { LoadSpec } from '../loadgen.js';
import { benchTempDir, startLocalrdsProcess, type LocalrdsProcess } from '../lib/localrds-process.js';
import { connectOutcome } from '../lib/net-util.js';
import { DIST_BENCH, SERVER_CORE, rssMb, runLoadgen, spawnPinned, stop, waitForOutput, type MeasuredLoad } from '../lib/proc.js';
import { call } from '../lib/rds-client.js';
import { verdict, type Row, type Section } from '../lib/report.js';
import { seedInstanceId, seedStore } from '../lib/seed-store.js';
import { fmt, median, sleep } from '../lib/stats.js';

const SIZES = [100, 10_000, 100_000];
const WITH_ENDPOINTS = 100;
const ENDPOINTS = 10_000;
const PRIVATE_POOL = '127.252.0.0/16';
const PUBLIC_POOL = '127.253.0.0/16';

async function latency(s: LocalrdsProcess, action: string, params: Record<string, string>): Promise<MeasuredLoad> {
  const spec: LoadSpec = { host: s.host, port: s.port, connections: 1, warmupMs: 500, durationMs: 3000, target: { kind: 'v3', action, params, creds: s.creds } };
  const r = await runLoadgen(spec, s.child.pid);
  if (r.errors > 0) throw new Error(`${action}: ${r.errors} errors: ${r.firstErrorBody.slice(0, 300)}`);
  return r;
}

async function settledRss(pid: number): Promise<number> {
  await sleep(3000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) { samples.push(rssMb(pid)); await sleep(200); }
  return median(samples);
}

export async function scaleSection(): Promise<Section> {
  const rows: Row[] = [];
  const notes: string[] = [];
  type Point = { n: number; list: MeasuredLoad; last: MeasuredLoad; cursor: MeasuredLoad; net: MeasuredLoad; seedS: number; startS: number };
  const points: Point[] = [];
  for (const n of SIZES) {
    const dataDir = benchTempDir(`scale-${n}`);
    // The first 100 instances (the first page) and the last one (the NetInfo target) get a private endpoint.
    const { seconds: seedS } = await seedStore({
      dataDir, instances: n, publicPool: PUBLIC_POOL, privatePool: PRIVATE_POOL,
      endpointFor: (i) => (i < WITH_ENDPOINTS || i === n - 1 ? 'Private' : undefined),
    });
    const t0 = performance.now();
    const s = await startLocalrdsProcess({ dataDir, publicPool: PUBLIC_POOL, privatePool: PRIVATE_POOL });
    const startS = (performance.now() - t0) / 1000;
    try {
      const page = await call(s, 'DescribeDBInstances', { RegionId: 'cn-hangzhou', PageSize: '100' });
      if (page.TotalRecordCount !== n || page.Items.DBInstance.length !== Math.min(100, n)) throw new Error(`DescribeDBInstances saw ${page.TotalRecordCount} instances, expected ${n}`);
      const list = await latency(s, 'DescribeDBInstances', { RegionId: 'cn-hangzhou', PageSize: '100' });
      const last = await latency(s, 'DescribeDBInstances', { RegionId: 'cn-hangzhou', PageSize: '100', PageNumber: String(Math.ceil(n / 100)) });
      // Cursor paging to the same last page. The token is built the way the handler builds it (the seq after which
      // to continue; a fresh store numbers instances 1..n); the check below fails loudly if that ever changes.
      const token = `a1c0ffee${(n - 100).toString(16).padStart(16, '0')}`;
      const deep = await call(s, 'DescribeDBInstances', { RegionId: 'cn-hangzhou', MaxResults: '100', NextToken: token });
      if (deep.Items.DBInstance.length !== 100 || deep.Items.DBInstance[99]?.DBInstanceId !== seedInstanceId(n - 1)) throw new Error('NextToken format changed: fix bench/sections/scale.ts');
      const cursor = await latency(s, 'DescribeDBInstances', { RegionId: 'cn-hangzhou', MaxResults: '100', NextToken: token });
      const net = await latency(s, 'DescribeDBInstanceNetInfo', { DBInstanceId: seedInstanceId(n - 1) });
      points.push({ n, list, last, cursor, net, seedS, startS });
    } finally {
      await s.stop();
    }
  }
  const base = points[0] as Point;
  for (const p of points.slice(1)) {
    for (const [label, get] of [
      ['DescribeDBInstances, PageSize 100, page 1', (x: Point) => x.list],
      ['DescribeDBInstances, PageSize 100, last page', (x: Point) => x.last],
      ['DescribeDBInstances, MaxResults 100 + NextToken, last page', (x: Point) => x.cursor],
      ['DescribeDBInstanceNetInfo', (x: Point) => x.net],
    ] as const) {
      const v = get(p);
      const b = get(base);
      const ratio = v.p50Ms / b.p50Ms;
      rows.push({
        figure: `${label}, ${p.n.toLocaleString('en-US')} instances, p50 / p99 (ms)`, value: `${fmt(v.p50Ms)} / ${fmt(v.p99Ms)}`,
        baseline: `${base.n} instances: ${fmt(b.p50Ms)} / ${fmt(b.p99Ms)}`, ratio: `${fmt(ratio, 3)} (p50)`, target: '<= 2 (flat within 2x)',
        verdict: verdict(ratio <= 2), note: `${fmt(v.rps)} req/s at 1 connection`,
      });
    }
  }
  notes.push(
    `Stores built with the store API in transactions of 2,000 rows (seconds to seed: ${points.map((p) => `${p.n.toLocaleString('en-US')}: ${fmt(p.seedS)}`).join(', ')}); `
    + `server start on them (to ready): ${points.map((p) => `${p.n.toLocaleString('en-US')}: ${fmt(p.startS)} s`).join(', ')}.`,
    `Only the first ${WITH_ENDPOINTS} instances and the NetInfo target carry an endpoint row (each would otherwise be a listener; this machine allows ${'20,000'} open files per process). `
    + 'Latencies are V3-signed calls at 1 connection, 3 s each, so each includes the signature check and the nonce write.',
    'Paging (migration 005): PageNumber/PageSize reads per-block counts (one row per account, region and 1024 seq values) for TotalRecordCount and to find '
    + 'the block of the page\'s first row, then skips fewer than 1024 entries of an (account_id, region_id, seq) index; MaxResults/NextToken seeks by seq.',
  );

  // (b) 10,000 public endpoints, each a listener, against the same store without endpoint rows.
  const memory = async (withEndpoints: boolean): Promise<{ rss: number; startS: number }> => {
    const dataDir = benchTempDir(`mem-${withEndpoints ? 'on' : 'off'}`);
    await seedStore({ dataDir, instances: ENDPOINTS, publicPool: PUBLIC_POOL, privatePool: PRIVATE_POOL, endpointFor: () => (withEndpoints ? 'Public' : undefined) });
    const t0 = performance.now();
    const s = await startLocalrdsProcess({ dataDir, publicPool: PUBLIC_POOL, privatePool: PRIVATE_POOL });
    const startS = (performance.now() - t0) / 1000;
    try {
      if (withEndpoints) {
        const ni = await call(s, 'DescribeDBInstanceNetInfo', { DBInstanceId: seedInstanceId(ENDPOINTS - 1) });
        const e = ni.DBInstanceNetInfos.DBInstanceNetInfo[0] as { IPAddress: string; Port: string };
        if ((await connectOutcome(e.IPAddress, Number(e.Port))) !== 'connected') throw new Error('endpoint of the last instance is not listening');
      }
      return { rss: await settledRss(s.child.pid), startS };
    } finally {
      await s.stop();
    }
  };
  const off = await memory(false);
  const on = await memory(true);
  const bareRss = async (count: number): Promise<number> => {
    const c = spawnPinned(SERVER_CORE, process.execPath, [join(DIST_BENCH, 'bare-server.js'), 'listeners', String(count), '127.253.0.1']);
    try {
      await waitForOutput(c, /ready/, 120_000);
      return await settledRss(c.pid);
    } finally {
      await stop(c);
    }
  };
  const bare0 = await bareRss(0);
  const bareN = await bareRss(ENDPOINTS);
  const perEndpointKb = ((on.rss - off.rss) * 1024) / ENDPOINTS;
  const bareKb = ((bareN - bare0) * 1024) / ENDPOINTS;
  rows.push(
    {
      figure: `${ENDPOINTS.toLocaleString('en-US')} public endpoints open: total RSS (MB)`, value: fmt(on.rss), baseline: `same store, no endpoints: ${fmt(off.rss)}`,
      ratio: fmt(on.rss / off.rss, 3), target: '-', verdict: 'n/a', note: `start to ready with ${ENDPOINTS.toLocaleString('en-US')} binds: ${fmt(on.startS)} s (without: ${fmt(off.startS)} s)`,
    },
    {
      figure: 'Memory per endpoint (KB, RSS delta / count)', value: fmt(perEndpointKb), baseline: `bare net.Server: ${fmt(bareKb)}`,
      ratio: fmt(perEndpointKb / bareKb, 3), target: '-', verdict: 'n/a', note: `bare: ${fmt(bareN)} MB with ${ENDPOINTS.toLocaleString('en-US')} listeners, ${fmt(bare0)} MB with none`,
    },
  );
  notes.push('Memory: RSS of the server process 3 s after it is ready, median of 5 samples. The store for (b) holds 10,000 instances; in one run each has one public endpoint (a listener), in the other none.');
  return {
    title: '5. Scale',
    method: 'Read latency against store size, and the memory of many open endpoints.',
    rows, notes,
  };
}
