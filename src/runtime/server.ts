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
import { desiredStateLoader, loadDesiredState, NOTHING_DESIRED } from './desired-state.js';
import { engineStateLoader } from './engine-state.js';
import { createInstanceEngines } from '../engines/instance-engines.js';
import type { InstanceEngines } from '../engines/types.js';
import { createSettler } from './settler.js';
import { probeBind } from './bind-probe.js';
import { relocateHeldEndpoints } from './relocate.js';
import type { OwnedFilter } from './desired-state.js';
import { openNodeRuntime, type NodeHooks, type NodeRuntime } from '../cluster/node-runtime.js';

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
  /** This node's id among the nodes sharing the store (--node-id; default `local`). */
  nodeId?: string;
  /** The ZoneId this node serves (--zone); undefined: any zone. */
  zoneId?: string;
  /** Lease of the node in the store (--lease-ms, default 10000); heartbeat every leaseMs/4. */
  leaseMs?: number;
  /** Period of the full reconcile that backs up the change notifications (--reconcile-ms, default 5000). */
  reconcileMs?: number;
  /** How long a change made through this node waits for the owner node's confirmation (default 5000 ms). */
  applyWaitMs?: number;
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
  /** This node (issue 13): its id, zone, and whether it is fenced (lease not renewed in time: serves nothing). */
  node: { id: string; zoneId: string; fenced(): boolean; clustered: boolean };
  close(): Promise<void>;
}

export async function startLocalrds(opts: LocalrdsOptions = {}): Promise<RunningLocalrds> {
  const logger: Logger = opts.logger ?? pino({ level: opts.logLevel ?? 'info', redact: ['secret', 'signature', 'password', '*.secret'] });
  const now = opts.now ?? Date.now;
  const dataDir = opts.dataDir ?? './.localrds';
  const nodeId = opts.nodeId ?? 'local';
  const config = defaultServiceConfig({ ...opts.service, nodeId });
  const store = await openStore({ dataDir, db: opts.db });
  config.clustered = store.kind === 'postgres';
  const credentials = opts.credentials ?? defaultCredentials();
  await ensureDefaultAccount(store, credentials);
  // Engine modes are known once the engines resolved them; the registration is completed in node.start.
  const modesFor = (mode: string) => engines.availability().filter((a) => a.mode === mode).map((a) => a.engine);

  // The instance engine first: servers are adopted or started (and their accounts applied) before the data
  // plane routes connections to them.
  let node: NodeRuntime | undefined;
  const owned: OwnedFilter = (r, ids) => (node ? node.owned(r, ids) : Promise.resolve(new Set(ids)));
  const engines = await createInstanceEngines({
    dataDir, backends: opts.backends ?? {}, engines: opts.engines, sharedAdmin: opts.backendAdmins,
    load: engineStateLoader(store, config.clustered ? owned : undefined), logger,
    servedElsewhere: async (id) => config.clustered
      && (await store.read((r) => r.nodes.ownership([id]))).some((o) => o.nodeId !== null && o.nodeId !== nodeId),
    // A new instance's server came up (or failed): route its connections there, then settle Creating.
    onStarted: async (id) => {
      await dataplane.reconcile({ instanceId: id });
      await settler.settle(id as InstanceId);
    },
  });
  config.serverEngines = modesFor('per-instance');
  // Registered before the first reconcile, so that the loaders know what this node owns (unowned rows: claimed).
  node = await openNodeRuntime({
    store, db: opts.db, logger, now, quarantineMs: config.quarantineMs,
    leaseMs: opts.leaseMs, reconcileMs: opts.reconcileMs, applyWaitMs: opts.applyWaitMs,
    registration: {
      nodeId, zoneId: opts.zoneId ?? '', publicPool: config.publicPool.text, privatePool: config.privatePool.text,
      sharedEngines: modesFor('shared'), serverEngines: modesFor('per-instance'),
    },
  });
  const self = node;
  await engines.reconcile().catch((e: unknown) => logger.error({ err: String(e) }, 'instance engine: start-up reconcile incomplete'));

  const settler = createSettler({
    store, now, logger,
    owned: config.clustered ? (ids) => self.ownedNow(ids) : undefined,
    // The data plane is created just below; settle() only runs after it exists.
    isLive: (id, eps) => {
      if (!engines.ready(id)) return false;
      const live = dataplane.live([id]);
      return live.length === eps.length && eps.every((e) => live.some((l) => l.connectionString === e.connectionString && l.listening && l.address === e.address && l.port === e.port));
    },
  });
  // Its own thread by default, so that proxied bytes and API calls do not wait for each other.
  const dataplane = (opts.dataplaneThread === false ? createDataPlane : createThreadedDataPlane)({
    load: desiredStateLoader(store, (id) => engines.target(id), config.clustered ? { owned, fenced: () => self.fenced() } : {}),
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
    // Own instances here; another node's are applied by that node, and the answer waits for its confirmation.
    afterCommit: (ids: InstanceId[], effects) => self.afterCommit(ids, effects.restart),
    beforeCommit: async (ids, repos) => {
      await self.beforeCommit(ids, repos);
      for (const id of ids) {
        await dataplane.closeUndesired({ instanceId: id }, self.fenced() ? NOTHING_DESIRED
          : await loadDesiredState(repos, { instanceId: id }, undefined, config.clustered ? owned : undefined));
      }
    },
    // Throttle first (cheap, protects the store), then the key's RAM policy, then whatever the caller added.
    gates: [...(opts.rateLimit ? [throttleGate({ ratePerSecond: opts.rateLimit, now })] : []), policyGate({ store, logger }), ...(opts.gates ?? [])],
  });

  /** The local path of one instance's change: the server first (a 200 means it has the change), then its listeners. */
  const applyLocal = async (id: InstanceId, restart: boolean): Promise<void> => {
    let failure: unknown;
    try {
      await engines.reconcile({ instanceId: id });
      if (restart) await engines.restart(id);
    } catch (e) {
      failure = e;
      logger.error({ instanceId: id, err: e instanceof Error ? e.message : String(e) }, 'instance engine reconcile failed');
    }
    await dataplane.reconcile({ instanceId: id });
    await relocateHeldEndpoints({ store, dataplane, config, probe: probeBind, now, instanceId: id });
    await settler.settle(id);
    if (failure !== undefined) throw failure;
  };
  const hooks: NodeHooks = {
    applyLocal,
    fullReconcile: async () => {
      await engines.reconcile().catch((e: unknown) => logger.warn({ err: String(e) }, 'instance engine: full reconcile incomplete'));
      await dataplane.reconcile();
      await settler.resume();
    },
    shutAll: () => dataplane.reconcile(),
    serves: (id) => dataplane.live([id]).length > 0 || engines.servers().some((x) => x.instanceId === id),
    load: () => {
      const live = dataplane.live();
      return { instances: new Set(live.map((l) => l.instanceId)).size, endpoints: live.filter((l) => l.listening).length, sessions: dataplane.stats().sessions };
    },
  };
  self.attach(hooks);
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
    routes: [health, metrics.route, explorerRoute({ store, dataplane, servers: () => engines.servers(), now, hostId: config.hostId, logger, nodeId }), ...(opts.routes ?? [])],
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
  await self.start(hooks, `http://${hostForUrl}:${http.port}`);
  return {
    url: `http://${hostForUrl}:${http.port}`,
    httpsUrl: tls ? `https://${hostForUrl}:${http.port}` : undefined,
    host: http.host,
    port: http.port,
    dnsPort: dns?.port,
    caPath: tls?.caPath,
    credentials, config, store, dataplane, engines, logger,
    node: { id: nodeId, zoneId: opts.zoneId ?? '', fenced: () => self.fenced(), clustered: config.clustered },
    close: async () => {
      await self.halt();
      settler.close();
      await http.close();
      await dns?.close();
      await dataplane.close();
      // The listeners are shut: other nodes may take its endpoints over at once.
      await self.close();
      await engines.close();
      await store.close();
    },
  };
}
