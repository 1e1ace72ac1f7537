// One localrds node of a cluster test: `node bin/localrds.js serve` (the built bundle) as a child process on a
// shared PostgreSQL store, read back from its banner (API port, DNS port, node line). Killed by its own pid only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './child-server.js';
import type { Creds } from './clients.js';

export interface NodeSpec {
  nodeId: string;
  zone?: string;
  /** postgres://...?schema=NAME (through a relay for a node the test will cut off). */
  db: string;
  publicPool: string;
  privatePool: string;
  leaseMs?: number;
  reconcileMs?: number;
  creds: Creds;
  /** Shared backends (ENGINE=HOST:PORT); default the machine's MariaDB for mysql. */
  backends?: string[];
  /** Leave out --node-id/--zone/--lease-ms/--reconcile-ms (a plain single-node localrds on the same store). */
  single?: boolean;
  extraArgs?: string[];
}

export interface ClusterNode {
  spec: NodeSpec;
  proc: ChildProcess;
  host: string;
  apiPort: number;
  dnsPort: number;
  /** host:port of the API, as the SDK helpers take it. */
  endpoint: string;
  /** The banner's `node` line (`NAME (zone Z)`), or '' when the banner has none. */
  nodeLine: string;
  dataDir: string;
  output(): string;
  alive(): boolean;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface Banner { apiHost: string; apiPort: number; dnsPort?: number; node?: string }

/** Parses the ready banner of `localrds serve`; undefined until `localrds is ready` and the endpoint line are there. */
export function parseBanner(out: string): Banner | undefined {
  const at = out.indexOf('localrds is ready');
  if (at < 0) return undefined;
  const text = out.slice(at);
  const ep = /^ {2}endpoint\s+([\d.]+):(\d+)\s/m.exec(text);
  if (!ep) return undefined;
  const dns = /^ {2}DNS\s+[\d.]+:(\d+) \(UDP and TCP\)/m.exec(text);
  const node = /^ {2}node\s+(.+)$/m.exec(text);
  return { apiHost: ep[1] as string, apiPort: Number(ep[2]), dnsPort: dns ? Number(dns[1]) : undefined, node: node?.[1]?.trim() };
}

export function serveArgs(s: NodeSpec, dataDir: string): string[] {
  return [
    BIN, 'serve', '--db', s.db,
    ...(s.single ? [] : ['--node-id', s.nodeId]),
    ...(!s.single && s.zone ? ['--zone', s.zone] : []),
    ...(!s.single && s.leaseMs !== undefined ? ['--lease-ms', String(s.leaseMs)] : []),
    ...(!s.single && s.reconcileMs !== undefined ? ['--reconcile-ms', String(s.reconcileMs)] : []),
    '--public-pool', s.publicPool, '--private-pool', s.privatePool, '--data-dir', dataDir,
    '--host', '127.0.0.1', '--port', '0', '--dns-port', '0', '--no-tls', '--log-level', 'warn', '--quarantine-ms', '0',
    ...(s.backends ?? ['mysql=127.0.0.1:3306']).flatMap((b) => ['--backend', b]),
    '--engines', 'none',
    ...(s.extraArgs ?? []),
  ];
}

export async function startNode(s: NodeSpec, timeoutMs = 60_000): Promise<ClusterNode> {
  const dataDir = mkdtempSync(join(tmpdir(), `localrds-${s.nodeId}-`));
  const proc = spawn(process.execPath, serveArgs(s, dataDir), {
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: s.creds.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: s.creds.accessKeySecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => { out += d.toString(); if (out.length > 1 << 20) out = out.slice(0, 4096) + out.slice(-65536); };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const deadline = Date.now() + timeoutMs;
  let banner: Banner | undefined;
  for (;;) {
    banner = parseBanner(out);
    // The banner is written in one piece; the DNS line is in it when --dns-port is given.
    if (banner && banner.dnsPort !== undefined) break;
    if (!alive()) { rmSync(dataDir, { recursive: true, force: true }); throw new Error(`node ${s.nodeId} exited before its banner: ${out.slice(-3000)}`); }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`node ${s.nodeId} printed no banner in ${timeoutMs} ms: ${out.slice(-3000)}`); }
    await new Promise((r) => setTimeout(r, 25));
  }
  const kill9 = async () => {
    if (!alive()) return;
    proc.kill('SIGKILL');
    await exited;
  };
  return {
    spec: s, proc, host: banner.apiHost, apiPort: banner.apiPort, dnsPort: banner.dnsPort as number,
    endpoint: `${banner.apiHost}:${banner.apiPort}`, nodeLine: banner.node ?? '', dataDir,
    output: () => out, alive, kill9,
    stop: async () => {
      if (alive()) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
