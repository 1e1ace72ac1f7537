// One endpoint's listening socket: bind (and keep retrying a failed bind), admit or refuse each connection by
// the instance's current whitelist, proxy admitted ones to the engine's backend, and track their sessions so
// that closing the endpoint also ends every session accepted through it.

import net from 'node:net';
import type { EndpointRecord, IpType } from '../domain/types.js';
import { resetSocket, startProxySession, type ProxySession } from './proxy-session.js';
import { refuseConnection, refusalProtocol } from './refusal.js';
import { normaliseRemoteAddress } from './whitelist.js';
import type { BackendTarget, DataPlaneLogger, DataPlaneStats } from './types.js';

/** How an instance's connections are handled right now; looked up per connection so changes apply at once. */
export interface InstanceRoute {
  admits(remoteAddress: string): boolean;
  /** Where admitted connections go; `unavailable` is answered with the engine's own error carrying the reason. */
  target: BackendTarget;
  /** The instance's engine, lower-cased; decides the protocol of a refusal. */
  engine: string;
}

export interface EndpointListenerOptions {
  endpoint: EndpointRecord;
  route(instanceId: string): InstanceRoute | undefined;
  retryMs: number;
  /** Shared with DataPlane.stats(); this listener counts its bound socket and its sessions there. */
  counters: DataPlaneStats;
  logger: DataPlaneLogger;
  /** Never throws; the data plane wraps the caller's callback. */
  reportBindError(connectionString: string, error: string): void;
  /** What live() shows of this listener changed (a session came or went, a bind succeeded or failed). */
  changed?(): void;
  /** Most simultaneous connections on this endpoint; more are closed at once (default MAX_CONNECTIONS_PER_ENDPOINT). */
  maxConnections?: number;
  /** Passed to each session: called on reads that filled their buffer. */
  onBulkRead?(): void;
}

/** What DescribeDBInstanceAttribute reports as MaxConnections; also bounds the sockets one endpoint can hold. */
export const MAX_CONNECTIONS_PER_ENDPOINT = 2000;

export interface EndpointListener {
  readonly instanceId: string;
  readonly address: string;
  readonly port: number;
  readonly connectionString: string;
  readonly ipType: IpType;
  readonly listening: boolean;
  readonly bindError: string;
  readonly sessionCount: number;
  /** close() was called: the listener is done for, whatever a pass still holding it thinks. */
  readonly closed: boolean;
  /** First bind attempt; resolves once it bound or failed (a failure schedules retries). */
  start(): Promise<void>;
  /** Takes the desired record's name and type, and re-reports the bind state if the store disagrees. */
  sync(endpoint: EndpointRecord): void;
  /** Stops listening and destroys every session; resolves when all of their sockets have closed. */
  close(): Promise<void>;
}

function closeServer(server: net.Server, counters: DataPlaneStats): Promise<void> {
  counters.listeners -= 1;
  return new Promise((resolve) => server.close(() => resolve()));
}

export function createEndpointListener(opts: EndpointListenerOptions): EndpointListener {
  const { logger, counters } = opts;
  const { instanceId, address, port } = opts.endpoint;
  let connectionString = opts.endpoint.connectionString;
  let ipType = opts.endpoint.ipType;
  let server: net.Server | undefined;
  let bindError = '';
  // What the store last heard from us (starts as what it holds), so each change is reported exactly once.
  let reported = opts.endpoint.bindError;
  let attempted = false;
  let closing = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let attemptInFlight: Promise<void> | undefined;
  const sessions = new Set<ProxySession>();
  let lastDropLog = 0;

  const context = (): object => ({ connectionString, instanceId, address, port });

  const changed = opts.changed ?? ((): void => undefined);
  const report = (error: string): void => {
    changed();
    if (reported === error) return;
    reported = error;
    opts.reportBindError(connectionString, error);
  };

  const onConnection = (client: net.Socket): void => {
    // Refused sockets may still see a reset from the client; without a handler that would be uncaught.
    client.on('error', () => undefined);
    const route = closing ? undefined : opts.route(instanceId);
    const remote = client.remoteAddress ? normaliseRemoteAddress(client.remoteAddress) : undefined;
    if (!route || remote === undefined || !route.admits(remote)) {
      logger.info({ ...context(), remote }, 'connection refused by whitelist');
      client.destroy();
      return;
    }
    const { target } = route;
    if (target.kind === 'unavailable') {
      logger.info({ ...context(), remote, reason: target.reason }, 'instance server unavailable; connection refused');
      refuse(client, refusalProtocol(target.engine), target.reason);
      return;
    }
    const session = startProxySession({
      client,
      backend: target,
      refusal: refusalProtocol(route.engine),
      counters,
      logger,
      context: context(),
      onBulkRead: opts.onBulkRead,
    });
    sessions.add(session);
    changed();
    void session.closed.then(() => {
      sessions.delete(session);
      changed();
    });
  };

  // A refusal is a session too, so that closing the endpoint also ends a client still sending its startup.
  const refuse = (client: net.Socket, protocol: ReturnType<typeof refusalProtocol>, reason: string): void => {
    counters.sessions += 1;
    // Accepted paused; a PostgreSQL refusal reads the startup message first.
    client.resume();
    const closed = refuseConnection(client, protocol, reason).then(() => {
      counters.sessions -= 1;
      counters.bytesFromClients += client.bytesRead;
      counters.bytesToClients += client.bytesWritten;
    });
    const session: ProxySession = {
      closed,
      cutClient() {
        resetSocket(client);
      },
      async destroy() {
        resetSocket(client);
        await closed;
      },
    };
    sessions.add(session);
    changed();
    void closed.then(() => {
      sessions.delete(session);
      changed();
    });
  };

  // A bind attempt has not settled yet (start() or a retry).
  let binding = false;
  const attempt = (): Promise<void> => {
    binding = true;
    return new Promise<void>((settle) => {
      const resolve = (): void => {
        binding = false;
        settle();
      };
      // Paused: a proxied client's handle moves to a socket that reads into its session's buffer
      // (user-buffer-socket.ts), which only works before anything was read.
      const candidate = net.createServer({ pauseOnConnect: true }, onConnection);
      candidate.maxConnections = opts.maxConnections ?? MAX_CONNECTIONS_PER_ENDPOINT;
      candidate.on('drop', () => {
        // At most one line a second: a flood of refused connections must not flood the log too.
        if (Date.now() - lastDropLog < 1000) return;
        lastDropLog = Date.now();
        logger.warn({ ...context(), maxConnections: candidate.maxConnections }, 'connection limit reached; connection closed');
      });
      const onError = (err: NodeJS.ErrnoException): void => {
        candidate.removeListener('listening', onListening);
        attempted = true;
        if (bindError !== err.message) logger.warn({ ...context(), err: err.message }, 'cannot bind endpoint');
        bindError = err.message;
        report(bindError);
        if (!closing) {
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            attemptInFlight = attempt();
          }, opts.retryMs);
          // The API server keeps the process alive; a retry alone should not.
          retryTimer.unref();
        }
        resolve();
      };
      const onListening = (): void => {
        candidate.removeListener('error', onError);
        // After a successful bind, errors come from accept() (EMFILE and the like): log, never crash.
        candidate.on('error', (err) => logger.error({ ...context(), err: err.message }, 'listener error'));
        attempted = true;
        counters.listeners += 1;
        if (closing) {
          void closeServer(candidate, counters).then(resolve);
          return;
        }
        server = candidate;
        if (bindError !== '') logger.info(context(), 'endpoint bound after retry');
        bindError = '';
        report('');
        resolve();
      };
      candidate.once('error', onError);
      candidate.once('listening', onListening);
      // exclusive: a cluster worker must own its socket rather than share the primary's.
      candidate.listen({ host: address, port, exclusive: true });
    });
  };

  return {
    instanceId,
    address,
    port,
    get connectionString() {
      return connectionString;
    },
    get ipType() {
      return ipType;
    },
    get listening() {
      return server !== undefined;
    },
    get bindError() {
      return bindError;
    },
    get sessionCount() {
      return sessions.size;
    },
    get closed() {
      return closing;
    },
    start(): Promise<void> {
      attemptInFlight = attempt();
      return attemptInFlight;
    },
    sync(endpoint: EndpointRecord): void {
      if (endpoint.connectionString !== connectionString) {
        logger.info({ ...context(), newConnectionString: endpoint.connectionString }, 'endpoint renamed');
      }
      connectionString = endpoint.connectionString;
      ipType = endpoint.ipType;
      reported = endpoint.bindError;
      if (attempted) report(bindError);
    },
    async close(): Promise<void> {
      closing = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      // A bind in flight finishes first; onListening sees `closing` and closes what it bound. Without one the
      // teardown below runs in the same turn as the call (a release's message to the worker), not a turn later.
      if (binding) await attemptInFlight;
      const bound = server;
      server = undefined;
      // close() shuts the listening socket at once (new connects are refused); its callback waits for the
      // accepted sockets, which the session teardown below ends.
      const serverClosed = bound ? closeServer(bound, counters) : Promise.resolve();
      const doomed = [...sessions];
      for (const session of doomed) session.cutClient();
      await Promise.all(doomed.map((session) => session.destroy()));
      await serverClosed;
    },
  };
}
