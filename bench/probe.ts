// Environment probes, run as a pinned child before each section, because the machine may be shared:
//   cpu MS          spins for MS and prints the share of the core it actually got (100 = the core was free)
//   fsync DIR MS    single-row SQLite commits (WAL, synchronous=FULL, as the store) for MS: p50/p99 in ms
// Prints one JSON line.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { percentile } from './lib/stats.js';

const [mode, a, b] = process.argv.slice(2);
if (mode === 'cpu') {
  const ms = Number(a);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let x = 0;
  while (performance.now() - t0 < ms) x += Math.sqrt(x + 1);
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ percent: ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100, x: x > 0 }) + '\n');
} else if (mode === 'fsync') {
  const db = new BetterSqlite3(join(a as string, 'probe.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table if not exists t (k integer primary key, v text)');
  const ins = db.prepare('insert into t (v) values (?)');
  const lat: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < Number(b)) {
    const s = performance.now();
    db.exec('begin immediate');
    ins.run('x');
    db.exec('commit');
    lat.push(performance.now() - s);
  }
  db.close();
  lat.sort((p, q) => p - q);
  process.stdout.write(JSON.stringify({ p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), n: lat.length }) + '\n');
} else {
  process.stderr.write('usage: probe.js cpu MS | fsync DIR MS\n');
  process.exit(2);
}
