// The load generator, run as its own process (pinned by the caller to the core the server does not use).
// Closed loop over N keep-alive TCP connections with a minimal HTTP/1.1 client: each connection sends one
// request, waits for the whole answer, records the round trip (from the request's write to its answer's last
// byte), sends the next. Signed modes build and sign every request afresh (new nonce, current date), since the
// servers refuse replays.
// Input: one JSON argument (LoadSpec). Output: one JSON line (LoadResult) on stdout.
import net from 'node:net';
import { signSharedKey, signV3, type Creds, type SignedRequest } from './lib/sign.js';
import { percentile } from './lib/stats.js';

export interface LoadSpec {
  host: string;
  port: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  target:
    | { kind: 'v3'; action: string; params: Record<string, string>; creds: Creds }
    | { kind: 'sharedkey'; container: string; query: Record<string, string> }
    | { kind: 'plain'; path: string };
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** status code (or 'socket') -> count, over the measured window. */
  statuses: Record<string, number>;
  firstErrorBody: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The generator's own CPU over the measured window, in % of one core. */
  cpuPercent: number;
  bodyBytes: number;
}

function build(spec: LoadSpec): () => SignedRequest {
  const host = `${spec.host}:${spec.port}`;
  const t = spec.target;
  if (t.kind === 'v3') return () => signV3({ host, action: t.action, params: t.params, creds: t.creds });
  if (t.kind === 'sharedkey') return () => signSharedKey({ host, method: 'GET', container: t.container, query: t.query });
  const fixed: SignedRequest = { method: 'GET', path: t.path, headers: { host }, body: '' };
  return () => fixed;
}

function serialize(r: SignedRequest): string {
  let s = `${r.method} ${r.path} HTTP/1.1\r\n`;
  for (const k in r.headers) s += `${k}: ${r.headers[k]}\r\n`;
  return s + `content-length: ${Buffer.byteLength(r.body)}\r\n\r\n${r.body}`;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Length of one complete response at the start of buf (headers + body), or -1 while incomplete. */
function responseLength(buf: Buffer): { total: number; status: number; bodyStart: number; close: boolean } | undefined {
  const end = buf.indexOf(CRLFCRLF);
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end).toLowerCase();
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection: *close/.test(head);
  const m = /\r\ncontent-length: *(\d+)/.exec(head);
  const bodyStart = end + 4;
  if (m) {
    const total = bodyStart + Number(m[1]);
    return buf.length >= total ? { total, status, bodyStart, close } : undefined;
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    let p = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', p, 'latin1');
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', p, lineEnd), 16);
      p = lineEnd + 2 + size + 2;
      if (p > buf.length) return undefined;
      if (size === 0) return { total: p, status, bodyStart, close };
    }
  }
  return { total: bodyStart, status, bodyStart, close };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const next = build(spec);
  const lat = new Float64Array(4_000_000);
  let n = 0;
  let errors = 0;
  let bodyBytes = 0;
  let firstErrorBody = '';
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  const measureFrom = t0 + spec.warmupMs;
  const stopAt = measureFrom + spec.durationMs;
  let cpuStart: NodeJS.CpuUsage | undefined;
  const warmupTimer = setTimeout(() => { cpuStart = process.cpuUsage(); }, spec.warmupMs);

  const connection = (): Promise<void> => new Promise((resolve) => {
    let socket: net.Socket;
    let buf: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const open = (): void => {
      buf = Buffer.alloc(0);
      socket = net.connect({ host: spec.host, port: spec.port, noDelay: true });
      socket.on('connect', fire);
      socket.on('data', onData);
      socket.on('error', () => undefined);
      socket.on('close', onClose);
    };
    const fire = (): void => {
      if (performance.now() >= stopAt) { socket.removeListener('close', onClose); socket.destroy(); resolve(); return; }
      // Built and signed before the clock starts: a round trip is the server's and the wire's, not the signer's
      // (the bare server's requests are built once; localrds's and Azurite's are signed afresh each time).
      const text = serialize(next());
      sentAt = performance.now();
      socket.write(text);
    };
    const onClose = (): void => {
      // A dropped connection mid-request is an error; reconnect while time remains.
      if (sentAt >= measureFrom) { errors += 1; statuses.socket = (statuses.socket ?? 0) + 1; }
      if (performance.now() < stopAt) setTimeout(open, 1); else resolve();
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const r = responseLength(buf);
      if (!r) return;
      const now = performance.now();
      if (sentAt >= measureFrom) {
        if (n < lat.length) lat[n] = now - sentAt;
        n += 1;
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        bodyBytes += r.total - r.bodyStart;
        if (r.status !== 200) {
          errors += 1;
          if (!firstErrorBody) firstErrorBody = buf.toString('utf8', 0, Math.min(r.total, 600));
        }
      }
      buf = buf.subarray(r.total);
      if (r.close) { socket.removeListener('close', onClose); socket.destroy(); if (performance.now() < stopAt) open(); else resolve(); return; }
      fire();
    };
    open();
  });

  await Promise.all(Array.from({ length: spec.connections }, connection));
  clearTimeout(warmupTimer);
  const cpu = process.cpuUsage(cpuStart);
  const wall = Math.max(1, performance.now() - measureFrom);
  const measured = lat.subarray(0, Math.min(n, lat.length)).sort();
  return {
    requests: n,
    errors,
    statuses,
    firstErrorBody,
    rps: n / (Math.min(wall, spec.durationMs) / 1000),
    p50Ms: percentile(measured, 0.5),
    p99Ms: percentile(measured, 0.99),
    maxMs: measured.length ? (measured[measured.length - 1] as number) : NaN,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    bodyBytes,
  };
}

if (process.argv[1]?.endsWith('loadgen.js') && process.argv[2]) {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  runLoad(spec).then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); }, (e: unknown) => {
    process.stderr.write(String(e) + '\n');
    process.exit(1);
  });
}
