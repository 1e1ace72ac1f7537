// `localrds serve`: parse flags (and LOCALRDS_* environment), start the server, stop cleanly on SIGINT/SIGTERM.
import { mustCidr } from '../config.js';
import { startLocalrds, type LocalrdsOptions } from '../runtime/server.js';
import type { BackendAddress } from '../dataplane/types.js';
import type { EngineAvailability } from '../engines/types.js';
import { strictParse, UsageError } from './usage.js';

export const SERVE_HELP = `localrds serve [options]
  --host ADDR            API address (default 127.0.0.1)
  --port N               API port, HTTP and HTTPS on the same port (default 8484)
  --data-dir DIR         state and generated TLS files (default ./.localrds)
  --db URL               keep state in PostgreSQL (postgres://...) instead of SQLite
  --tls-cert FILE --tls-key FILE   serve HTTPS with these instead of the generated certificate
  --no-tls               plain HTTP only
  --backend ENGINE=HOST:PORT       one shared server for an engine (mysql, mariadb, postgresql, sqlserver) instead of a
                         server per instance; repeatable (env LOCALRDS_BACKENDS="mysql=127.0.0.1:3306,postgresql=127.0.0.1:5432");
                         localrds logs in as root / postgres (env LOCALRDS_MYSQL_BACKEND_USER/_PASSWORD,
                         LOCALRDS_POSTGRESQL_BACKEND_USER/_PASSWORD) to apply accounts and databases there
  --engines auto|none    auto (default): a real server per instance where the binaries exist; none: API-only
                         instances with no server at all (env LOCALRDS_ENGINES)
  --max-instances N      at most N instances with a server of their own; past it CreateDBInstance answers
                         InsufficientResourceCapacity (default 0: no bound; env LOCALRDS_MAX_INSTANCES)
  --public-pool CIDR     public addresses (default 127.64.0.0/16)
  --private-pool CIDR    internal addresses (default 127.32.0.0/16)
  --domain NAME          connection-string domain (default rds.aliyuncs.com)
  --quarantine-ms N      how long a released address stays out of the pool (default 60000)
  --create-ms N          how long an instance stays Creating (default 0: until its listener is up)
  --net-change-ms N      how long DBInstanceNetTypeChanging lasts (default 0: until the listeners match)
  --spec-change-ms N     how long DBInstanceClassChanging lasts after ModifyDBInstanceSpec (default 0)
  --dns-port N           serve DNS (UDP and TCP) for connection strings on this port (default off)
  --rate-limit N         requests per second per account, beyond it Throttling.User (default 0: no limit)
  --metrics-public       serve GET /metrics to every address, not only loopback (env LOCALRDS_METRICS_PUBLIC=1)
  --node-id NAME         this node's id among the nodes sharing one --db PostgreSQL (default local; env LOCALRDS_NODE_ID)
  --zone ZONE            the ZoneId this node serves; CreateDBInstance places an instance on a node of its ZoneId
                         (default: any zone; env LOCALRDS_ZONE)
  --lease-ms N           the node's lease in the store, renewed every N/4 ms; a node that cannot renew it closes
                         every listener before it lapses (default 10000; env LOCALRDS_LEASE_MS)
  --reconcile-ms N       full reconcile period behind the change notifications (default 5000; env LOCALRDS_RECONCILE_MS)
  --log-level LEVEL      pino level (default info)
  --help                 this text`;

export function parseBackends(specs: string[]): Record<string, BackendAddress> {
  const out: Record<string, BackendAddress> = {};
  for (const spec of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)=(.+):(\d+)$/.exec(spec);
    if (!m) throw new UsageError(`--backend takes ENGINE=HOST:PORT, got "${spec}"`, SERVE_HELP);
    out[(m[1] as string).toLowerCase()] = { host: m[2] as string, port: Number(m[3]) };
  }
  return out;
}

export function serveOptions(argv: string[], env: NodeJS.ProcessEnv): LocalrdsOptions {
  const v = strictParse(argv, {
      host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' }, db: { type: 'string' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'no-tls': { type: 'boolean' },
      backend: { type: 'string', multiple: true }, 'public-pool': { type: 'string' }, 'private-pool': { type: 'string' },
      domain: { type: 'string' }, 'quarantine-ms': { type: 'string' }, 'create-ms': { type: 'string' }, 'net-change-ms': { type: 'string' }, 'spec-change-ms': { type: 'string' },
      'dns-port': { type: 'string' }, 'log-level': { type: 'string' }, 'rate-limit': { type: 'string' },
      'metrics-public': { type: 'boolean' }, engines: { type: 'string' }, 'max-instances': { type: 'string' },
      'node-id': { type: 'string' }, zone: { type: 'string' }, 'lease-ms': { type: 'string' }, 'reconcile-ms': { type: 'string' },
  }, SERVE_HELP).values as Record<string, string | undefined> & { backend?: string[]; 'no-tls'?: boolean; 'metrics-public'?: boolean };
  const num = (s: string | undefined, name: string) => {
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s)) throw new UsageError(`--${name} takes a whole number`, SERVE_HELP);
    return Number(s);
  };
  const service: LocalrdsOptions['service'] = {};
  const cidr = (s: string, name: string) => {
    try { return mustCidr(s); } catch (e) { throw new UsageError(`--${name}: ${e instanceof Error ? e.message : String(e)}`, SERVE_HELP); }
  };
  if (v['public-pool'] ?? env.LOCALRDS_PUBLIC_POOL) service.publicPool = cidr((v['public-pool'] ?? env.LOCALRDS_PUBLIC_POOL) as string, 'public-pool');
  if (v['private-pool'] ?? env.LOCALRDS_PRIVATE_POOL) service.privatePool = cidr((v['private-pool'] ?? env.LOCALRDS_PRIVATE_POOL) as string, 'private-pool');
  if (v.domain) service.domain = v.domain;
  const q = num(v['quarantine-ms'], 'quarantine-ms'); if (q !== undefined) service.quarantineMs = q;
  const c = num(v['create-ms'], 'create-ms'); if (c !== undefined) service.createMs = c;
  const n = num(v['net-change-ms'], 'net-change-ms'); if (n !== undefined) service.netChangeMs = n;
  const sc = num(v['spec-change-ms'], 'spec-change-ms'); if (sc !== undefined) service.specChangeMs = sc;
  const mi = num(v['max-instances'] ?? env.LOCALRDS_MAX_INSTANCES, 'max-instances'); if (mi !== undefined) service.maxInstances = mi;
  const engines = v.engines ?? env.LOCALRDS_ENGINES ?? 'auto';
  if (engines !== 'auto' && engines !== 'none') throw new UsageError('--engines takes auto or none', SERVE_HELP);
  const backendAdmins: LocalrdsOptions['backendAdmins'] = {};
  for (const family of ['mysql', 'postgresql'] as const) {
    const user = env[`LOCALRDS_${family.toUpperCase()}_BACKEND_USER`];
    const password = env[`LOCALRDS_${family.toUpperCase()}_BACKEND_PASSWORD`];
    if (user !== undefined || password !== undefined) backendAdmins[family] = { user: user ?? (family === 'mysql' ? 'root' : 'postgres'), password: password ?? '' };
  }
  const nodeId = v['node-id'] ?? env.LOCALRDS_NODE_ID;
  if (nodeId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(nodeId)) throw new UsageError('--node-id takes 1-63 letters, digits, dots, dashes or underscores', SERVE_HELP);
  const leaseMs = num(v['lease-ms'] ?? env.LOCALRDS_LEASE_MS, 'lease-ms');
  if (leaseMs !== undefined && leaseMs < 100) throw new UsageError('--lease-ms takes at least 100', SERVE_HELP);
  const reconcileMs = num(v['reconcile-ms'] ?? env.LOCALRDS_RECONCILE_MS, 'reconcile-ms');
  if (reconcileMs !== undefined && reconcileMs < 100) throw new UsageError('--reconcile-ms takes at least 100', SERVE_HELP);
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together', SERVE_HELP);
  return {
    host: v.host ?? env.LOCALRDS_HOST,
    port: num(v.port ?? env.LOCALRDS_PORT, 'port') ?? 8484,
    dataDir: v['data-dir'] ?? env.LOCALRDS_DATA_DIR,
    db: v.db ?? env.LOCALRDS_DB,
    tls: v['no-tls'] ? 'off' : v['tls-cert'] && v['tls-key'] ? { certFile: v['tls-cert'], keyFile: v['tls-key'] } : 'auto',
    backends: parseBackends([...(env.LOCALRDS_BACKENDS ? [env.LOCALRDS_BACKENDS] : []), ...(v.backend ?? [])]),
    service,
    dnsPort: num(v['dns-port'] ?? env.LOCALRDS_DNS_PORT, 'dns-port'),
    logLevel: v['log-level'] ?? env.LOCALRDS_LOG_LEVEL,
    rateLimit: num(v['rate-limit'] ?? env.LOCALRDS_RATE_LIMIT, 'rate-limit'),
    metricsPublic: v['metrics-public'] === true || env.LOCALRDS_METRICS_PUBLIC === '1',
    engines,
    backendAdmins,
    nodeId,
    zoneId: v.zone ?? env.LOCALRDS_ZONE ?? undefined,
    leaseMs,
    reconcileMs,
  };
}

/** One banner line per engine: which server really runs for its instances, or why none does and how to fix it. */
export function engineLines(avail: EngineAvailability[]): string[] {
  return avail.map((a, i) => {
    const what = a.mode === 'per-instance' ? `a server per instance: ${a.server}`
      : a.mode === 'shared' ? `${a.server} (accounts and databases are server-wide there)`
      : `no server (${a.problem}); connections are refused with that reason`;
    return `  ${i === 0 ? 'engines' : '       '}      ${a.engine.padEnd(11)} ${what}`;
  });
}

export async function serve(argv: string[]): Promise<void> {
  // Help wins over everything else on the line, as users add it to a command that failed.
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SERVE_HELP + '\n');
    return;
  }
  const opts = serveOptions(argv, process.env);
  const rds = await startLocalrds(opts);
  const lines = [
    `localrds is ready`,
    `  endpoint     ${rds.host}:${rds.port}  (HTTP${rds.httpsUrl ? ' and HTTPS' : ''} on the same port)`,
    `  AccessKey    ${rds.credentials.accessKeyId}`,
    `  Secret       ${rds.credentials.accessKeySecret === process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ? '(from ALIBABA_CLOUD_ACCESS_KEY_SECRET)' : rds.credentials.accessKeySecret}`,
    rds.caPath ? `  TLS CA       ${rds.caPath}   (export NODE_EXTRA_CA_CERTS=${rds.caPath})` : '',
    ...engineLines(rds.engines.availability()),
    rds.dnsPort ? `  DNS          ${rds.host}:${rds.dnsPort} (UDP and TCP)` : '',
    `  node         ${rds.node.id} (zone ${rds.node.zoneId || 'any'})`,
    `  explorer     ${rds.url}/explorer`,
    `  health       ${rds.url}/_localrds/health`,
    `  metrics      ${rds.url}/metrics${opts.metricsPublic ? '' : '  (loopback clients only; --metrics-public to open)'}`,
  ].filter(Boolean);
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    rds.logger.info({ signal: sig }, 'stopping');
    rds.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
