// Runs `localrds serve` as a child process (for kill -9 tests) and waits for /_localrds/health.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { send } from './sign.js';

export const BIN = fileURLToPath(new URL('../../../bin/localrds.js', import.meta.url));

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Child { proc: ChildProcess; endpoint: string; output(): string }

export async function startChild(args: string[], env: Record<string, string>, port: number): Promise<Child> {
  let out = '';
  // API-only unless the test asks for instance servers: a killed child would otherwise leave them running.
  const engines = args.includes('--engines') ? [] : ['--engines', 'none'];
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--no-tls', '--log-level', 'warn', ...engines, ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const endpoint = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`localrds exited: ${out}`);
    try {
      if ((await send(endpoint, { path: '/_localrds/health' })).status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`localrds did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, endpoint, output: () => out };
}

export async function kill9(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const exited = new Promise((r) => c.proc.once('exit', r));
  c.proc.kill('SIGKILL');
  await exited;
}
