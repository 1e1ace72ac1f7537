// GET /metrics: Prometheus text exposition (prom-client) of the API (requests by action and code, latency) and the
// planes (listeners, sessions and bytes through the data plane, instance servers by state). Each server has its
// own Registry, so that several localrds in one process (tests, the programmatic API) never mix their numbers.
// Unsigned, so only loopback clients may read it unless the operator opens it with --metrics-public.
// prom-client is loaded on the first API call or scrape, not at start-up: a server nobody calls does not pay for
// it (start time and idle memory); calls observed while it loads are kept and replayed into it.
import type { Registry } from 'prom-client';
import type { DataPlaneStats } from '../dataplane/types.js';
import type { AdminRoute } from './server.js';

/** The part of InstanceEngines.servers() the metric needs; optional until an engine plane is wired in. */
export type ServerStatesSource = () => Array<{ state: string }>;

export interface MetricsOptions {
  dataplane: { stats(): DataPlaneStats };
  /** Instance servers and their states; absent when no engine plane runs. */
  servers?: ServerStatesSource;
  /** Serve to every client address, not only loopback. */
  public?: boolean;
}

export interface Metrics {
  /** One finished API call: `action` is a catalogue name or 'unknown' (never raw input: label sets stay bounded). */
  observe(o: { action: string; code: string; seconds: number }): void;
  route: AdminRoute;
  /** The server's own prom-client Registry (loading prom-client if no call or scrape has yet). */
  registry(): Promise<Registry>;
}

/** The states InstanceServerState can take; each is exported (0 included) so dashboards see a stable series set. */
const SERVER_STATES = ['starting', 'running', 'stopped', 'failed'] as const;

export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

type Observation = { action: string; code: string; seconds: number };

export function createMetrics(o: MetricsOptions): Metrics {
  let observe: ((x: Observation) => void) | undefined;
  let loading: Promise<Registry> | undefined;
  const early: Observation[] = [];
  const load = (): Promise<Registry> => (loading ??= import('prom-client').then(({ default: client }) => {
    const r = build(client);
    observe = r.observe;
    for (const x of early.splice(0)) r.observe(x);
    return r.registry;
  }));

  const route: AdminRoute = async (req, res, url, peer) => {
    if (url.pathname !== '/metrics') return false;
    if (!o.public && !isLoopback(peer.address)) {
      // Not a secret, but not for the whole network either: the operator opts in with --metrics-public.
      res.statusCode = 403;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('metrics are served to loopback clients only; start localrds with --metrics-public to serve them to all\n');
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('allow', 'GET, HEAD');
      res.end();
      return true;
    }
    const registry = await load();
    const body = await registry.metrics();
    res.setHeader('content-type', registry.contentType);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
  return {
    observe: (x) => {
      if (observe) {
        observe(x);
        return;
      }
      // Bounded, in case prom-client could not be loaded (a broken install): metrics are lost, calls are not.
      if (early.length < 10_000) early.push(x);
      load().catch(() => undefined);
    },
    route,
    registry: load,
  };

  function build(client: typeof import('prom-client')): { registry: Registry; observe(x: Observation): void } {
    const registry = new client.Registry();
    // Counted here per call and handed to prom-client at each scrape (its collect hook): a call costs a Map
    // lookup, not prom-client's label hashing and validation. Label sets are bounded (catalogue names and codes).
    const counts = new Map<string, { labels: { action: string; code: string }; n: number }>();
    const requests = new client.Counter({
      name: 'localrds_api_requests_total', help: 'RDS API calls answered, by Action and result code (Success or the error code).',
      labelNames: ['action', 'code'] as const, registers: [registry],
      collect() {
        for (const c of counts.values()) {
          if (c.n === 0) continue;
          this.inc(c.labels, c.n);
          c.n = 0;
        }
      },
    });
    const latency = new client.Histogram({
      name: 'localrds_api_request_duration_seconds', help: 'Time from the parsed request to the encoded answer, data-plane wait included.',
      labelNames: ['action'] as const, registers: [registry],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    const latencyOf = new Map<string, { observe(seconds: number): void }>();
    const gauge = (name: string, help: string, read: (s: DataPlaneStats) => number) => new client.Gauge({
      name, help, registers: [registry],
      collect() { this.set(read(o.dataplane.stats())); },
    });
    gauge('localrds_dataplane_listeners', 'Endpoint listeners bound right now.', (s) => s.listeners);
    gauge('localrds_dataplane_sessions', 'Client sessions proxied right now.', (s) => s.sessions);
    gauge('localrds_dataplane_backend_sockets', 'Open sockets to database servers.', (s) => s.backendSockets);
    // The data plane keeps lifetime totals; a Counter fed their growth at each scrape keeps Prometheus' counter type.
    const total = (name: string, help: string, read: (s: DataPlaneStats) => number) => {
      let seen = 0;
      return new client.Counter({
        name, help, registers: [registry],
        collect() {
          const now = read(o.dataplane.stats());
          if (now > seen) this.inc(now - seen);
          seen = Math.max(seen, now);
        },
      });
    };
    total('localrds_dataplane_client_bytes_received_total', 'Bytes read from clients of the endpoints (and sent on to the servers).', (s) => s.bytesFromClients);
    total('localrds_dataplane_client_bytes_sent_total', 'Bytes written to clients of the endpoints.', (s) => s.bytesToClients);
    new client.Gauge({
      name: 'localrds_instance_servers', help: 'Instance database servers run by localrds, by state.',
      labelNames: ['state'] as const, registers: [registry],
      collect() {
        const counts = new Map<string, number>(SERVER_STATES.map((s) => [s, 0]));
        for (const s of o.servers?.() ?? []) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });

    return {
      registry,
      observe: ({ action, code, seconds }) => {
        const key = `${action}\n${code}`;
        let c = counts.get(key);
        if (c === undefined) counts.set(key, (c = { labels: { action, code }, n: 0 }));
        c.n++;
        let h = latencyOf.get(action);
        if (h === undefined) latencyOf.set(action, (h = latency.labels({ action })));
        h.observe(seconds);
      },
    };
  }
}
