// The data plane's contract with the rest of the server.
// Handlers write desired endpoints to the store; after commit the pipeline calls reconcile() for the
// instance that changed and waits for it, so that an answer is only sent once the listeners match.

import type { EndpointRecord, SecurityIpGroup } from '../domain/types.js';

export interface ReconcileScope {
  /** Only this instance (and its account); omit for a full pass (start-up, periodic repair). */
  instanceId?: string;
}

export interface EndpointLiveState {
  connectionString: string;
  instanceId: string;
  ipType: 'Private' | 'Public';
  address: string;
  port: number;
  listening: boolean;
  openSessions: number;
  bindError: string;
}

/** Counters for leak checks: every number drops back once its listener or session is gone. */
export interface DataPlaneStats {
  listeners: number;
  sessions: number;
  backendSockets: number;
  /** Bytes read from clients (and sent on to backends), and bytes written to clients, over the process's life. */
  bytesFromClients: number;
  bytesToClients: number;
}

export interface DataPlane {
  reconcile(scope?: ReconcileScope): Promise<void>;
  /**
   * Closes (with their sessions) the listeners of scope that `state` no longer lists, and nothing else: the door
   * shut before a change commits. The reconcile() after the commit (or after a failed one) settles the rest.
   */
  closeUndesired(scope: ReconcileScope, state: DesiredState): Promise<void>;
  live(instanceIds?: string[]): EndpointLiveState[];
  close(): Promise<void>;
  /** Bound listening sockets, proxied sessions and open backend sockets right now. */
  stats(): DataPlaneStats;
}

export interface DesiredState {
  endpoints: EndpointRecord[];
  /** Whitelist groups of the instances in scope; an instance's whitelist is the union of its groups. */
  groups: SecurityIpGroup[];
  /** instanceId -> Engine ('MySQL' | 'PostgreSQL' | 'MariaDB' | 'SQLServer'). */
  engines: Record<string, string>;
  /**
   * instanceId -> where its connections go (the instance's own server), overriding the per-engine `backends`
   * option. Plain data, so that it can cross a thread or process boundary.
   */
  targets?: Record<string, BackendTarget>;
}

/**
 * Where an instance's connections go: its server on loopback, or a refusal that the client reads as a
 * protocol-level error (a MySQL ERR packet, a PostgreSQL ErrorResponse) carrying the reason, not a silent close.
 */
export type BackendTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'unavailable'; engine: string; reason: string };

export interface BackendAddress {
  host: string;
  port: number;
}

export interface DataPlaneLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface DataPlaneOptions {
  /** Desired state: the whole world when scope.instanceId is undefined, else only that instance (empty when it was deleted). */
  load(scope: ReconcileScope): Promise<DesiredState>;
  /** engine lower-cased ('mysql','postgresql','mariadb','sqlserver') -> backend server */
  backends: Record<string, BackendAddress>;
  /** Called when a listener cannot bind (error text) and again with '' once it binds. Must never throw into the data plane. */
  reportBindError(connectionString: string, error: string): Promise<void>;
  logger: DataPlaneLogger;
  /** How often failed binds are retried (ms), default 2000. */
  retryMs?: number;
  /** Where the counters live (default a plain object); the worker thread passes ones in shared memory. */
  counters?: DataPlaneStats;
  /** Called (synchronously, often) when what live() reports may have changed: a session or a bind. */
  onLiveChange?(): void;
  /** Called on every read that filled a session's buffer (bytes are streaming); must be cheap. */
  onBulkRead?(): void;
}

/** DataPlaneOptions of the data plane in its own thread: the same, plus how the worker is found. */
export type DataPlaneThreadOptions = Omit<DataPlaneOptions, 'counters' | 'onLiveChange'> & {
  /**
   * The worker thread's nice value while bytes stream and the API thread is busy, so that streams yield a
   * shared core to API calls (thread-governor.ts; default BUSY_API_NICE, or LOCALRDS_DATAPLANE_NICE from the
   * environment; 0 never changes the worker's priority).
   */
  nice?: number;
};
