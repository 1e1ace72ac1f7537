// A small V3-signed client for the setup and write steps of the benchmarks (node:http, keep-alive).
import http from 'node:http';
import { signV3, type Creds, type SignedRequest } from './sign.js';

export interface RdsTarget { host: string; port: number; creds: Creds }

export class RdsCallError extends Error {
  constructor(readonly action: string, readonly status: number, readonly body: string) {
    super(`${action}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function send(host: string, port: number, req: SignedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host, port, method: req.method, path: req.path, headers: req.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Calls an action and returns the parsed JSON answer; anything but 200 throws RdsCallError. */
export async function call(t: RdsTarget, action: string, params: Record<string, string> = {}): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const req = signV3({ host: `${t.host}:${t.port}`, action, params, creds: t.creds });
  const res = await send(t.host, t.port, req);
  if (res.status !== 200) throw new RdsCallError(action, res.status, res.body);
  return JSON.parse(res.body);
}

export function closeClientSockets(): void {
  agent.destroy();
}

/** Creates a MySQL instance whose whitelist admits 127.0.0.0/8 and waits until it is Running. */
export async function createRunningInstance(t: RdsTarget, extra: Record<string, string> = {}): Promise<string> {
  const out = await call(t, 'CreateDBInstance', {
    RegionId: 'cn-hangzhou', Engine: 'MySQL', EngineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
    DBInstanceStorage: '20', DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: '127.0.0.0/8', ...extra,
  });
  const id = String(out.DBInstanceId);
  await waitStatus(t, id, 'Running');
  return id;
}

export async function waitStatus(t: RdsTarget, id: string, status: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await call(t, 'DescribeDBInstanceAttribute', { DBInstanceId: id });
    if (a.Items?.DBInstanceAttribute?.[0]?.DBInstanceStatus === status) return;
    if (Date.now() > deadline) throw new Error(`${id} did not reach ${status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
