// Section 2, writes: AllocateInstancePublicConnection + ReleaseInstancePublicConnection cycles per second with
// real listeners (each answer comes after the listener is bound or closed), on SQLite and on PostgreSQL,
// one client in sequence and 8 clients on 8 instances at once. Baseline: bench/bare-writes.ts, the floor.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { benchTempDir, startLocalrdsProcess, type LocalrdsProcess } from '../lib/localrds-process.js';
import { connectOutcome } from '../lib/net-util.js';
import { DIST_BENCH, SERVER_CORE, spawnPinned } from '../lib/proc.js';
import { call, createRunningInstance, RdsCallError, waitStatus } from '../lib/rds-client.js';
import { verdict, type Row, type Section } from '../lib/report.js';
import { fmt, summarize } from '../lib/stats.js';

export const PG_URL = process.env.LOCALRDS_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = 8;
const MAX_CYCLES = 4000;
const PARALLEL = 8;

interface LoopResult { times: number[]; errors: Map<string, number>; elapsedMs: number }

/** Allocate+Release until stopAt. A failed call is counted (by error code) and the loop goes on from a clean state. */
async function cycleLoop(s: LocalrdsProcess, id: string, stopAt: number, verify: boolean): Promise<LoopResult> {
  const times: number[] = [];
  const errors = new Map<string, number>();
  const started = performance.now();
  const fail = (action: string, e: unknown): void => {
    const code = e instanceof RdsCallError ? `${action} ${(/"Code":"([^"]+)"/.exec(e.body) ?? [])[1] ?? e.status}` : `${action} ${String(e).slice(0, 60)}`;
    errors.set(code, (errors.get(code) ?? 0) + 1);
  };
  for (let i = 0; i < MAX_CYCLES && performance.now() < stopAt; i++) {
    const t0 = performance.now();
    let cs: string;
    try {
      cs = String((await call(s, 'AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: `${id}-pub`, Port: '3306' })).ConnectionString);
    } catch (e) {
      fail('Allocate', e);
      // A failed Allocate may still have left an endpoint (it should not): release whatever is there.
      const ni = await call(s, 'DescribeDBInstanceNetInfo', { DBInstanceId: id }).catch(() => undefined);
      const pub = (ni?.DBInstanceNetInfos?.DBInstanceNetInfo as Array<{ IPType: string; ConnectionString: string }> | undefined)?.find((x) => x.IPType === 'Public');
      if (pub) await call(s, 'ReleaseInstancePublicConnection', { DBInstanceId: id, CurrentConnectionString: pub.ConnectionString }).catch(() => undefined);
      continue;
    }
    let where: { address: string; port: number } | undefined;
    if (verify && i === 0) {
      const ni = await call(s, 'DescribeDBInstanceNetInfo', { DBInstanceId: id });
      const e = (ni.DBInstanceNetInfos.DBInstanceNetInfo as Array<{ IPType: string; IPAddress: string; Port: string }>).find((x) => x.IPType === 'Public');
      if (!e || (await connectOutcome(e.IPAddress, Number(e.Port))) !== 'connected') throw new Error('public listener not accepting after Allocate');
      where = { address: e.IPAddress, port: Number(e.Port) };
    }
    let released = false;
    for (let attempt = 0; attempt < 3 && !released; attempt++) {
      try {
        await call(s, 'ReleaseInstancePublicConnection', { DBInstanceId: id, CurrentConnectionString: cs });
        released = true;
      } catch (e) {
        fail('Release', e);
        await waitStatus(s, id, 'Running').catch(() => undefined);
      }
    }
    if (!released) throw new Error(`could not release ${cs}: ${[...errors].map(([k, n]) => `${k} x${n}`).join(', ')}`);
    if (where && (await connectOutcome(where.address, where.port)) !== 'ECONNREFUSED') throw new Error('public listener still accepting after Release');
    times.push(performance.now() - t0);
  }
  return { times, errors, elapsedMs: performance.now() - started };
}

function errorsText(results: LoopResult[]): string {
  const all = new Map<string, number>();
  for (const r of results) for (const [k, n] of r.errors) all.set(k, (all.get(k) ?? 0) + n);
  return all.size === 0 ? '' : `; ERRORS: ${[...all].map(([k, n]) => `${k} x${n}`).join(', ')}`;
}

async function floor(kind: 'sqlite' | 'postgres', where: string): Promise<number> {
  const c = spawnPinned(SERVER_CORE, process.execPath, [join(DIST_BENCH, 'bare-writes.js'), kind, where, String(SECONDS * 1000)]);
  if ((await c.exited) !== 0) throw new Error(`bare-writes ${kind}: ${c.err()}`);
  const r = JSON.parse(c.out().trim()) as { cycles: number; seconds: number };
  return r.cycles / r.seconds;
}

async function measure(kind: 'sqlite' | 'postgres'): Promise<Row[]> {
  const schema = `localrds_bench_${randomBytes(4).toString('hex')}`;
  const s = await startLocalrdsProcess({
    db: kind === 'postgres' ? `${PG_URL}?schema=${schema}` : undefined, publicPool: '127.251.0.0/16', privatePool: '127.252.0.0/16',
  });
  let seqRun: LoopResult;
  let parRuns: LoopResult[];
  let parSeconds: number;
  try {
    const ids: string[] = [];
    for (let i = 0; i < PARALLEL; i++) ids.push(await createRunningInstance(s));
    seqRun = await cycleLoop(s, ids[0] as string, performance.now() + SECONDS * 1000, true);
    const t0 = performance.now();
    parRuns = await Promise.all(ids.map((id) => cycleLoop(s, id, t0 + SECONDS * 1000, false)));
    parSeconds = (performance.now() - t0) / 1000;
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; server log: ${s.loggedErrors()}`);
  } finally {
    await s.stop();
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`).finally(() => c.end());
    }
  }
  const base = await floor(kind, kind === 'sqlite' ? benchTempDir('floor') : PG_URL);
  const seq = seqRun.times;
  const par = parRuns.map((r) => r.times);
  const seqRate = seq.length / (seqRun.elapsedMs / 1000);
  const parRate = par.flat().length / parSeconds;
  const st = summarize(seq);
  const name = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  return [
    {
      figure: `${name}: cycles/s, 1 client`, value: fmt(seqRate), baseline: `floor ${fmt(base)}`, ratio: fmt(seqRate / base, 2), target: 'every call 200', verdict: verdict(seqRun.errors.size === 0),
      note: `cycle p50 ${fmt(st.p50)} ms, p99 ${fmt(st.p99)} ms over ${st.n} cycles${errorsText([seqRun])}`,
    },
    {
      figure: `${name}: cycles/s, ${PARALLEL} clients on ${PARALLEL} instances`, value: fmt(parRate), baseline: `floor ${fmt(base)} (1 client)`,
      ratio: fmt(parRate / base, 2), target: 'every call 200', verdict: verdict(parRuns.every((r) => r.errors.size === 0)),
      note: `cycle p50 ${fmt(summarize(par.flat()).p50)} ms, p99 ${fmt(summarize(par.flat()).p99)} ms${errorsText(parRuns)}`,
    },
  ];
}

export async function writesSection(): Promise<Section> {
  const rows = [...(await measure('sqlite')), ...(await measure('postgres'))];
  return {
    title: '2. Writes: Allocate + Release cycles',
    method: 'One cycle is a signed AllocateInstancePublicConnection followed by a signed ReleaseInstancePublicConnection; each answer '
      + 'comes once the listener is bound (or closed) and the instance is Running again. The first cycle checks that the listener accepts, then refuses.',
    rows,
    notes: [
      `Each point runs for ${SECONDS} s. The client is this process (core ${1 - SERVER_CORE}); localrds is pinned to core ${SERVER_CORE}. PostgreSQL runs in a schema of its own, dropped afterwards.`,
      'Floor (baseline): bench/bare-writes.ts on the same core does what a cycle cannot avoid: two durable single-row commits on the same engine '
      + '(SQLite WAL with synchronous=FULL like the store, or PostgreSQL SERIALIZABLE), one bind and one close; no HTTP, signatures, query builder or reconciler. '
      + 'The ratio says how much of a cycle is that floor.',
      'What a cycle costs beyond the floor (at the time of writing): each signed request writes its nonce to the nonce journal (SQLite) or commits it (PostgreSQL), then runs '
      + 'the handler\'s write transaction, a read of the desired state for the reconciler and a write transaction that settles the status: per cycle four durable '
      + 'commits (an fsync each on SQLite with synchronous=FULL, a WAL flush on PostgreSQL) and two nonce writes without one, against the floor\'s two durable commits, '
      + 'plus about 40 SQL statements through Kysely; the figure follows the disk\'s commit latency (see the probe below).',
      'The issue sets no speed target for this section; a cycle with a non-200 answer is counted as an error and marks the row missed.',
    ],
  };
}
