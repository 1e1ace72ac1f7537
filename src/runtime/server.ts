// Assembles a running localrds: store, default account, data plane, settler, pipeline, HTTP(S) and DNS.
import pino from 'pino';
import { defaultServiceConfig, type ServiceConfig } from '../config.js';
import { createDataPlane } from '../dataplane/data-plane.js';
import { createThreadedDataPlane } from '../dataplane/threaded-data-plane.js';
import type { BackendAddress, DataPlane } from '../dataplane/types.js';
import type { InstanceId } from '../domain/types.js';
import { explorerRoute } from '../explorer/route.js';
import { startHttpServer, type AdminRoute } from '../http/server.js';
import { enginesCheck, healthRoute, storeCheck, type HealthCheck } from '../http/health.js';
import { createMetrics, type ServerStatesSource } from '../http/metrics.js';
import { loadOrCreateTls } from '../http/tls.js';
import { policyGate } from '../auth/policy.js';
import { throttleGate } from '../auth/throttle.js';
import { createPipeline, type Logger, type PipelineDeps } from '../pipeline.js';
import { openStore } from '../store/open-store.js';
import type { StateStore } from '../store/types.js';
import { defaultCredentials, ensureDefaultAccount, type Credentials } from './accounts.js';
import { desiredStateLoader, loadDesiredState } from './desired-state.js';
import { engineStateLoader } from './engine-state.js';
import { createInstanceEngines } from '../engines/instance-engines.js';
import type { InstanceEngines } from '../engines/types.js';
import { createSettler } from './settler.js';
import { probeBind } from './bind-probe.js';
import { relocateHeldEndpoints } from './relocate.js';

export interface LocalrdsOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  /** postgres://... to keep state in PostgreSQL. */
  db?: string;
  /** TLS on the API port: 'auto' (generated CA in the data dir, default), 'off', or files. */
  tls?: 'auto' | 'off' | { certFile: string; keyFile: string };
  /** Lower-cased engine -> backend database server. */
  backends?: Record<string, BackendAddress>;
  /** How each engine's instances are served, for the handlers' name checks. Default: what the engine reports. */
  engineMode?: PipelineDeps['engineMode'];
  service?: Partial<ServiceConfig>;
  /** Embedded DNS server port (UDP+TCP); undefined = off. */
  dnsPort?: number;
  dnsHost?: string;
  credentials?: Credentials;
  logger?: Logger;
  logLevel?: string;
  now?: () => number;
  /** Requests per second per account; beyond it Throttling.User. Undefined or 0: no limit. */
  rateLimit?: number;
  /** Running server parameters for DescribeParameters (the instance engines' parameters()); defaults when absent. */
  engineParameters?: PipelineDeps['engineParameters'];
  /** Extra pipeline gates (throttling, RAM) and HTTP routes (explorer) added by other modules. */
  gates?: PipelineDeps['gates'];
  routes?: AdminRoute[];
  /** Serve GET /metrics to every client address, not only loopback. */
  metricsPublic?: boolean;
  /** Instance servers by state for the metrics (InstanceEngines.servers()), when an engine plane runs. */
  servers?: ServerStatesSource;
  /** Engines and whether they can run (InstanceEngines.availability()): health is 503 while a needed one cannot. */
  engineAvailability?: () => Array<{ engine: string; mode: string; problem: string }>;
  /** More readiness checks for /_localrds/health (e.g. an engine the configuration needs). */
  healthChecks?: HealthCheck[];
  /**
   * Instance servers: 'auto' (default) runs a server per instance for every engine whose binaries are installed
   * and that has no --backend; 'none' keeps instances API-only (no server, connections refused with a reason).
   */
  engines?: 'auto' | 'none';
  /** false runs the data plane on the API's own event loop instead of its worker thread (default true). */
  dataplaneThread?: boolean;
  /** Admin logins of --backend servers (default root and postgres without a password). */
  backendAdmins?: Partial<Record<'postgresql' | 'mysql', { user: string; password: string }>>;
}

export interface RunningLocalrds {
  url: string;
  httpsUrl?: string;
  host: string;
  port: number;
  dnsPort?: number;
  caPath?: string;
  credentials: Credentials;
  config: ServiceConfig;
  store: StateStore;
  dataplane: DataPlane;
  engines: InstanceEngines;
  logger: Logger;
  close(): Promise<void>;
}

export async function startLocalrds(opts: LocalrdsOptions = {}): Promise<RunningLocalrds> {
  const logger: Logger = opts.logger ?? pino({ level: opts.logLevel ?? 'info', redact: ['secret', 'signature', 'password', '*.secret'] });
  const now = opts.now ?? Date.now;
  const dataDir = opts.dataDir ?? './.localrds';
  const config = defaultServiceConfig(opts.service);
  const store = await openStore({ dataDir, db: opts.db });
  const credentials = opts.credentials ?? defaultCredentials();
  await ensureDefaultAccount(store, credentials);

  // The instance engine first: servers are adopted or started (and their accounts applied) before the data
  // plane routes connections to them.
  const engines = await createInstanceEngines({
    dataDir, backends: opts.backends ?? {}, engines: opts.engines, sharedAdmin: opts.backendAdmins,
    load: engineStateLoader(store), logger,
    // A new instance's server came up (or failed): route its connections there, then settle Creating.
    onStarted: async (id) => {
      await dataplane.reconcile({ instanceId: id });
      await settler.settle(id as InstanceId);
    },
  });
  config.serverEngines = engines.availability().filter((a) => a.mode === 'per-instance').map((a) => a.engine);
  await engines.reconcile().catch((e: unknown) => logger.error({ err: String(e) }, 'instance engine: start-up reconcile incomplete'));

  const settler = createSettler({
    store, now, logger,
    // The data plane is created just below; settle() only runs after it exists.
    isLive: (id, eps) => {
      if (!engines.ready(id)) return false;
      const live = dataplane.live([id]);
      return live.length === eps.length && eps.every((e) => live.some((l) => l.connectionString === e.connectionString && l.listening && l.address === e.address && l.port === e.port));
    },
  });
  // Its own thread by default, so that proxied bytes and API calls do not wait for each other.
  const dataplane = (opts.dataplaneThread === false ? createDataPlane : createThreadedDataPlane)({
    load: desiredStateLoader(store, (id) => engines.target(id)),
    backends: opts.backends ?? {},
    logger,
    reportBindError: async (cs, error) => {
      try {
        await store.tx((r) => r.endpoints.setBindError(cs, error));
        if (error === '') {
          const ep = await store.read((r) => r.endpoints.getByConnectionString(cs));
          if (ep) await settler.settle(ep.instanceId);
        }
      } catch (e) {
        logger.error({ connectionString: cs, err: String(e) }, 'could not record bind state');
      }
    },
  });
  await dataplane.reconcile();
  await settler.resume();

  // Modes are fixed at start-up; in shared mode account and database names are server-wide (handlers check them).
  const engineModes = new Map(engines.availability().map((a) => [a.engine, a.mode]));
  const metrics = createMetrics({ dataplane, servers: opts.servers ?? (() => engines.servers()), public: opts.metricsPublic });
  const pipeline = createPipeline({
    store, config, logger, now,
    observe: metrics.observe,
    probe: probeBind,
    // What the instance engine really does per engine (a --backend is shared; no binaries or --engines none: none).
    engineMode: opts.engineMode ?? ((engine) => engineModes.get(engine) ?? 'none'),
    engineParameters: opts.engineParameters ?? ((id, names) => engines.parameters(id, names)),
    baseUrl: (raw) => `${raw.scheme ?? 'http'}://${raw.headers.host ?? 'localhost'}`,
    afterCommit: async (ids: InstanceId[], effects) => {
      let failure: unknown;
      for (const id of ids) {
        // The server first (a 200 means it already has the change), then the listeners that lead to it.
        try {
          await engines.reconcile({ instanceId: id });
          if (effects.restart.includes(id)) await engines.restart(id);
        } catch (e) {
          failure ??= e;
          logger.error({ instanceId: id, err: e instanceof Error ? e.message : String(e) }, 'instance engine reconcile failed');
        }
        await dataplane.reconcile({ instanceId: id });
        await relocateHeldEndpoints({ store, dataplane, config, probe: probeBind, now, instanceId: id });
        await settler.settle(id);
      }
      if (failure !== undefined) throw failure;
    },
    beforeCommit: async (ids, repos) => {
      for (const id of ids) await dataplane.closeUndesired({ instanceId: id }, await loadDesiredState(repos, { instanceId: id }));
    },
    // Throttle first (cheap, protects the store), then the key's RAM policy, then whatever the caller added.
    gates: [...(opts.rateLimit ? [throttleGate({ ratePerSecond: opts.rateLimit, now })] : []), policyGate({ store, logger }), ...(opts.gates ?? [])],
  });

  const tls = opts.tls === 'off' ? undefined
    : await loadOrCreateTls({ dataDir, ...(typeof opts.tls === 'object' ? opts.tls : {}), hosts: opts.host ? [opts.host] : [] });
  const health = healthRoute({
    // A primary-key probe: a round trip to the store that reads nothing of size.
    checks: [
      storeCheck(() => store.read((r) => r.accounts.getKey(credentials.accessKeyId))),
      enginesCheck(opts.engineAvailability ?? (() => engines.availability())),
      ...(opts.healthChecks ?? []),
    ],
  });
  const http = await startHttpServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 8484,
    tls,
    pipeline,
    hostId: config.hostId,
    routes: [health, metrics.route, explorerRoute({ store, dataplane, servers: () => engines.servers(), now, hostId: config.hostId, logger }), ...(opts.routes ?? [])],
    onError: (o, msg) => logger.error(o, msg),
  });
  let dns: Awaited<ReturnType<typeof import('../dataplane/dns-server.js').startDnsServer>> | undefined;
  if (opts.dnsPort !== undefined) {
    // Loaded only when DNS is on (dns-packet is not needed otherwise).
    const { startDnsServer } = await import('../dataplane/dns-server.js');
    dns = await startDnsServer({
      host: opts.dnsHost ?? opts.host ?? '127.0.0.1',
      port: opts.dnsPort,
      resolve: async (name) => (await store.read((r) => r.endpoints.getByConnectionString(name.toLowerCase())))?.address,
    });
  }
  const hostForUrl = http.host.includes(':') ? `[${http.host}]` : http.host;
  return {
    url: `http://${hostForUrl}:${http.port}`,
    httpsUrl: tls ? `https://${hostForUrl}:${http.port}` : undefined,
    host: http.host,
    port: http.port,
    dnsPort: dns?.port,
    caPath: tls?.caPath,
    credentials, config, store, dataplane, engines, logger,
    close: async () => {
      settler.close();
      await http.close();
      await dns?.close();
      await dataplane.close();
      await engines.close();
      await store.close();
    },
  };
}
