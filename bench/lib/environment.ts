// What the machine looked like right before a section: load average, the share of each core a spinning process
// actually gets (other tenants' work shows here), and the latency of a durable SQLite commit on the temp disk.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchTempDir } from './localrds-process.js';
import { DIST_BENCH, LOAD_CORE, SERVER_CORE, spawnPinned } from './proc.js';
import { fmt } from './stats.js';

async function probe(core: number, args: string[]): Promise<Record<string, number>> {
  const c = spawnPinned(core, process.execPath, [join(DIST_BENCH, 'probe.js'), ...args]);
  if ((await c.exited) !== 0) throw new Error(`probe ${args[0]}: ${c.err()}`);
  return JSON.parse(c.out().trim()) as Record<string, number>;
}

export async function environmentNote(): Promise<string> {
  const [l1] = loadavg();
  const cpu0 = await probe(SERVER_CORE, ['cpu', '500']);
  const cpu1 = await probe(LOAD_CORE, ['cpu', '500']);
  const fs = await probe(SERVER_CORE, ['fsync', benchTempDir('probe'), '700']);
  return `Machine right before this section: load average (1 min) ${fmt(l1 ?? NaN)}; a spinning process got ${fmt(cpu0.percent ?? NaN)}% of core ${SERVER_CORE} `
    + `and ${fmt(cpu1.percent ?? NaN)}% of core ${LOAD_CORE}; a durable SQLite commit (WAL, synchronous=FULL) took p50 ${fmt(fs.p50 ?? NaN)} ms, p99 ${fmt(fs.p99 ?? NaN)} ms.`;
}
