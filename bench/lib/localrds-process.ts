// Starts `localrds serve` (the real CLI) as a child pinned to the server core, and reads its port back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SERVER_CORE, spawnPinned, stop, waitForOutput, type Child } from './proc.js';
import type { Creds } from './sign.js';
import type { RdsTarget } from './rds-client.js';

export const BENCH_CREDS: Creds = { accessKeyId: 'LTAI5tBenchKey000000001', accessKeySecret: 'benchSecretNotForProduction0001' };

export interface LocalrdsProcess extends RdsTarget {
  child: Child;
  dataDir: string;
  stop(): Promise<void>;
  /** The server's last logged errors (pino JSON lines at level error), for failure messages. */
  loggedErrors(): string;
}

const tempDirs: string[] = [];

export function benchTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `localrds-bench-${name}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes every temp dir the benchmark made (stores of up to 100,000 instances add up over runs). */
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function startLocalrdsProcess(o: {
  dataDir?: string; db?: string; backends?: string[]; publicPool?: string; privatePool?: string;
  extraArgs?: string[]; nodeArgs?: string[];
  /** Another tree's bin/localrds.js, to compare a baseline build side by side. */
  bin?: string;
} = {}): Promise<LocalrdsProcess> {
  const dataDir = o.dataDir ?? benchTempDir('server');
  const args = [
    ...(o.nodeArgs ?? []), o.bin ?? join(ROOT, 'bin', 'localrds.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--no-tls',
    '--data-dir', dataDir, '--log-level', 'warn',
    '--public-pool', o.publicPool ?? '127.64.0.0/16', '--private-pool', o.privatePool ?? '127.32.0.0/16',
    ...(o.db ? ['--db', o.db] : []),
    ...(o.backends ?? []).flatMap((b) => ['--backend', b]),
    // The API and data-plane sections measure localrds itself: instances stay API-only unless a section asks.
    ...((o.extraArgs ?? []).includes('--engines') ? [] : ['--engines', 'none']),
    ...(o.extraArgs ?? []),
  ];
  const child = spawnPinned(SERVER_CORE, process.execPath, args, {
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_CREDS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_CREDS.accessKeySecret },
  });
  const m = await waitForOutput(child, /endpoint\s+127\.0\.0\.1:(\d+)/, 120_000);
  return { child, dataDir, host: '127.0.0.1', port: Number(m[1]), creds: BENCH_CREDS, stop: () => stop(child),
    loggedErrors: () => child.out().split('\n').filter((l) => /"level":(50|60)/.test(l)).slice(-3).join('\n').slice(0, 2000),
  };
}
