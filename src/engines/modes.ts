// Which mode serves each engine: a shared --backend server when one is given, none when instances are kept
// API-only (--engines none), else a server per instance whenever this machine has the binaries.
import type { Engine } from '../domain/types.js';
import { ENGINES } from '../domain/types.js';
import type { EngineDriver } from './driver.js';
import { mysqlDriver } from './mysql/driver.js';
import { postgresDriver } from './postgresql/driver.js';
import type { EngineMode } from './types.js';

export interface ResolvedEngine {
  engine: Engine;
  mode: EngineMode;
  driver?: EngineDriver;
  /** Why the engine has no server ('' when it has one). */
  problem: string;
}

export interface ModeOptions {
  /** Lower-cased engine -> shared server (--backend). */
  backends: Record<string, { host: string; port: number }>;
  /** 'auto' (default): per-instance servers where binaries exist; 'none': API-only instances. */
  engines?: 'auto' | 'none';
  /** For tests: drivers to use instead of the real ones. */
  drivers?: Partial<Record<'postgresql' | 'mysql', EngineDriver>>;
}

export function driverFamily(engine: Engine): 'postgresql' | 'mysql' | undefined {
  if (engine === 'PostgreSQL') return 'postgresql';
  if (engine === 'MySQL' || engine === 'MariaDB') return 'mysql';
  return undefined;
}

export function resolveEngines(opts: ModeOptions): ResolvedEngine[] {
  const drivers: Partial<Record<'postgresql' | 'mysql', EngineDriver>> = {};
  const driverFor = (family: 'postgresql' | 'mysql') =>
    (drivers[family] ??= opts.drivers?.[family] ?? (family === 'postgresql' ? postgresDriver() : mysqlDriver()));
  return ENGINES.map((engine): ResolvedEngine => {
    const family = driverFamily(engine);
    const shared = opts.backends[engine.toLowerCase()];
    if (shared) return { engine, mode: { kind: 'shared', host: shared.host, port: shared.port }, driver: family ? driverFor(family) : undefined, problem: '' };
    if (!family) return { engine, mode: { kind: 'none' }, problem: `localrds cannot run ${engine} servers; give --backend ${engine.toLowerCase()}=HOST:PORT to use your own` };
    if (opts.engines === 'none') return { engine, mode: { kind: 'none' }, problem: 'API-only (--engines none): instances have no database server' };
    const driver = driverFor(family);
    const { builds, problem } = driver.builds();
    if (builds.length === 0) return { engine, mode: { kind: 'none' }, problem };
    return { engine, mode: { kind: 'per-instance' }, driver, problem: '' };
  });
}
