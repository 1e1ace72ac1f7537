// The server parameters localrds lists per engine (DescribeParameters, DescribeParameterTemplates), with each
// engine's documented built-in default. The running value comes from the instance's server when one runs
// (PipelineDeps.engineParameters); these defaults answer when none does. Terraform reads `default_time_zone`
// (MySQL) and `timezone` (PostgreSQL) from the running parameters on every refresh.
import type { Engine } from './types.js';

export interface ParameterSpec {
  name: string;
  /** The server variable behind the RDS name, when they differ (MySQL's default_time_zone is time_zone). */
  variable?: string;
  /** The engine's built-in default (server documentation), by engine version where it differs. */
  default: (version: string) => string;
  description: string;
  /** Allowed values as DescribeParameterTemplates shows them, e.g. [1-100000] or [ON|OFF]. */
  checking: string;
  /** A change needs a restart to take effect. */
  restart: boolean;
}

const fixed = (v: string) => () => v;

const MYSQL: readonly ParameterSpec[] = [
  { name: 'default_time_zone', variable: 'time_zone', default: fixed('SYSTEM'), description: 'Time zone of the server (the time_zone system variable).', checking: '[SYSTEM|+00:00|+08:00|...]', restart: true },
  { name: 'character_set_server', default: (v) => (v === '8.0' ? 'utf8mb4' : 'latin1'), description: 'Default character set of new databases.', checking: '[utf8|latin1|gbk|utf8mb4]', restart: true },
  { name: 'lower_case_table_names', default: fixed('0'), description: 'How table names are stored and compared (0: as given, case-sensitive).', checking: '[0|1]', restart: true },
  { name: 'max_connections', default: fixed('151'), description: 'Most client connections at once.', checking: '[1-100000]', restart: false },
  { name: 'wait_timeout', default: fixed('28800'), description: 'Seconds an idle non-interactive connection is kept.', checking: '[1-31536000]', restart: false },
  { name: 'interactive_timeout', default: fixed('28800'), description: 'Seconds an idle interactive connection is kept.', checking: '[10-86400]', restart: false },
  { name: 'long_query_time', default: fixed('10.000000'), description: 'Seconds after which a statement counts as slow.', checking: '[0.1-31536000]', restart: false },
];

const POSTGRESQL: readonly ParameterSpec[] = [
  { name: 'timezone', default: fixed('GMT'), description: 'Time zone for displaying and interpreting time stamps.', checking: '[GMT|UTC|PRC|Asia/Shanghai|...]', restart: false },
  { name: 'max_connections', default: fixed('100'), description: 'Most concurrent connections.', checking: '[25-262143]', restart: true },
  // Values as pg_settings.setting has them: shared_buffers in 8 kB pages, work_mem in kB.
  { name: 'shared_buffers', default: fixed('16384'), description: 'Memory for shared buffers, in 8 kB pages.', checking: '[16-1073741823]', restart: true },
  { name: 'work_mem', default: fixed('4096'), description: 'Memory per sort or hash before spilling to disk, in kB.', checking: '[64-2147483647]', restart: false },
  { name: 'statement_timeout', default: fixed('0'), description: 'Milliseconds a statement may run (0: no limit).', checking: '[0-2147483647]', restart: false },
  { name: 'log_min_duration_statement', default: fixed('-1'), description: 'Milliseconds after which a statement is logged (-1: never).', checking: '[-1-2147483647]', restart: false },
];

export const ENGINE_PARAMETERS: Record<Engine, readonly ParameterSpec[]> = {
  MySQL: MYSQL,
  // MariaDB shares the names and defaults localrds lists, but for the character set (latin1 in 10.3 and 10.6).
  MariaDB: MYSQL.map((p) => (p.name === 'character_set_server' ? { ...p, default: fixed('latin1') } : p)),
  PostgreSQL: POSTGRESQL,
  // No SQL Server server runs in localrds, so it lists no parameters rather than invented ones.
  SQLServer: [],
};

/** The server variable to ask for each RDS parameter name. */
export function serverVariable(engine: Engine, name: string): string {
  return ENGINE_PARAMETERS[engine].find((p) => p.name === name)?.variable ?? name;
}

/** The documented default of each named parameter the engine lists (others are left out). */
export function engineDefaults(engine: Engine, names: string[], version = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ENGINE_PARAMETERS[engine]) if (names.includes(p.name)) out[p.name] = p.default(version);
  return out;
}
