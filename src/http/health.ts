// GET /_localrds/health: ready means able to serve calls. 200 {"status":"ok"} when every check passes; 503
// {"status":"unavailable","reasons":[...]} while one fails (the store cannot be reached, an engine it needs is
// missing), so that a orchestrator or a test's wait loop does not route calls to a server that can only fail them.
import type { AdminRoute } from './server.js';

/** A readiness check: resolves to '' when fine, else the reason (no secrets: it is served unsigned). */
export type HealthCheck = () => Promise<string>;

export interface HealthOptions {
  checks: HealthCheck[];
  /** A check that takes longer than this counts as failing (a store that hangs is as bad as one that refuses). */
  timeoutMs?: number;
}

export const HEALTH_PATH = '/_localrds/health';

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs); });
  try {
    return await Promise.race([check().catch((e: unknown) => (e instanceof Error ? e.message : String(e)) || 'failed'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoute(o: HealthOptions): AdminRoute {
  const timeoutMs = o.timeoutMs ?? 2_000;
  return async (_req, res, url) => {
    if (url.pathname !== HEALTH_PATH) return false;
    const reasons = (await Promise.all(o.checks.map((c) => runCheck(c, timeoutMs)))).filter((r) => r !== '');
    res.statusCode = reasons.length === 0 ? 200 : 503;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify(reasons.length === 0 ? { status: 'ok' } : { status: 'unavailable', reasons }));
    return true;
  };
}

/** The store answers a primary-key probe. */
export function storeCheck(probe: () => Promise<unknown>): HealthCheck {
  return async () => {
    try {
      await probe();
      return '';
    } catch (e) {
      return `store unreachable: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
}

/** Engines the configuration needs but cannot run (EngineAvailability.problem of a per-instance engine). */
export function enginesCheck(availability: () => Array<{ engine: string; mode: string; problem: string }>): HealthCheck {
  return async () => availability()
    .filter((a) => a.mode !== 'none' && a.problem !== '')
    .map((a) => `engine ${a.engine} unavailable: ${a.problem}`)
    .join('; ');
}
