// Data-plane client, run as its own process on the load core: for each target (direct, HAProxy, localrds) it
// reads a large result (throughput) and runs SELECT 1 back to back (round trip), interleaving the targets
// rep by rep so that drift on a shared machine hits them alike. Input: one JSON argument. Output: one JSON line.
import { RawMysql } from './lib/mysql-raw.js';
import { summarize } from './lib/stats.js';

export interface DbClientSpec {
  targets: Array<{ name: string; host: string; port: number }>;
  reps: number;
  bigQuery: string;
  latencyQueries: number;
  connects: number;
}

export interface DbTargetResult {
  name: string;
  mbPerSecond: number[];
  bytes: number;
  latency: { p50: number; p99: number; max: number; n: number };
  connect: { p50: number; p99: number; max: number; n: number };
  /** Client CPU while reading the big results, % of one core. */
  clientCpuPercent: number;
}

async function run(spec: DbClientSpec): Promise<DbTargetResult[]> {
  const out = new Map<string, { mb: number[]; bytes: number; lat: number[]; conn: number[]; cpuMs: number; wallMs: number }>();
  for (const t of spec.targets) out.set(t.name, { mb: [], bytes: 0, lat: [], conn: [], cpuMs: 0, wallMs: 0 });
  for (let rep = 0; rep < spec.reps; rep++) {
    for (const t of spec.targets) {
      const acc = out.get(t.name)!;
      const c = await RawMysql.connect({ host: t.host, port: t.port });
      try {
        await c.query('SELECT 1'); // warm the session
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await c.query(spec.bigQuery);
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        acc.cpuMs += (cpu.user + cpu.system) / 1000;
        acc.wallMs += ms;
        acc.bytes = r.bytes;
        acc.mb.push(r.bytes / 1e6 / (ms / 1000));
        const perRep = Math.ceil(spec.latencyQueries / spec.reps);
        for (let i = 0; i < perRep; i++) {
          const a = performance.now();
          await c.query('SELECT 1');
          acc.lat.push(performance.now() - a);
        }
      } finally {
        c.close();
      }
      for (let i = 0; i < Math.ceil(spec.connects / spec.reps); i++) {
        const a = performance.now();
        const k = await RawMysql.connect({ host: t.host, port: t.port });
        acc.conn.push(performance.now() - a);
        k.close();
      }
    }
  }
  return spec.targets.map((t) => {
    const acc = out.get(t.name)!;
    return {
      name: t.name, mbPerSecond: acc.mb, bytes: acc.bytes, latency: summarize(acc.lat), connect: summarize(acc.conn),
      clientCpuPercent: (acc.cpuMs / acc.wallMs) * 100,
    };
  });
}

if (process.argv[1]?.endsWith('db-client.js') && process.argv[2]) {
  run(JSON.parse(process.argv[2]) as DbClientSpec).then((r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  }, (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
