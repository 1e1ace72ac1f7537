// The instance engine: makes database servers match the store, as the data plane does for listeners.
// Per instance (per-instance mode): a server started from a copy of the engine build's template data directory,
// its own admin secret, then the store's accounts, databases and grants applied through an admin session.
// Shared mode applies the same to the --backend server; API-only mode runs nothing. Reconciles of one instance
// run one at a time; a full pass (start-up) adopts servers a killed localrds left running, starts the others,
// and removes the directories of instances the store no longer has.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BackendTarget } from '../dataplane/types.js';
import type { Engine } from '../domain/types.js';
import { ADMIN_SECRET_FILE, readOrCreateSecret } from './admin-secret.js';
import type { AdminEndpoint, AdminSession, ApplyPolicy, EngineDriver, InstancePaths, ServerBuild } from './driver.js';
import { sharedLedger, type SharedLedger } from './ledger.js';
import { resolveEngines, type ModeOptions, type ResolvedEngine } from './modes.js';
import { chownTree, ensureTraversable, serverUser, type OsUser } from './process/os-user.js';
import {
  adoptedProcess, runningServerPid, startServerProcess, stopServerProcess, waitUntil, type ServerProcess,
} from './process/server-process.js';
import type { EngineAvailability, EngineDesiredState, InstanceEngines, InstanceServerState } from './types.js';

const run = promisify(execFile);

export interface EnginesLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface EnginesOptions extends ModeOptions {
  /** localrds's data dir; servers live under <dataDir>/engines. */
  dataDir: string;
  /** What each instance's server should hold; every instance when scope.instanceId is undefined. */
  load(scope: { instanceId?: string }): Promise<EngineDesiredState[]>;
  logger: EnginesLogger;
  /** Admin logins of shared --backend servers (default root / postgres without a password). */
  sharedAdmin?: Partial<Record<'postgresql' | 'mysql', { user: string; password: string }>>;
  /** How long a server may take to accept connections (default 60 s). */
  startTimeoutMs?: number;
  /** How many instances a full pass brings up at once (default 4). */
  parallel?: number;
  /** Called when a new instance's server, started in the background, is up (or failed): settle its status. */
  onStarted?(instanceId: string): Promise<void>;
  /** Initialise the templates at start-up, before the first CreateDBInstance needs them (default true). */
  prewarm?: boolean;
  /**
   * Several nodes (issue 13): true when an instance `load` left out still exists and another node serves it
   * (moved there by failover). Such an instance is only forgotten here: its accounts and databases on a shared
   * server belong to the new owner now, and must not be dropped.
   */
  servedElsewhere?(instanceId: string): Promise<boolean>;
}

interface Slot {
  instanceId: string;
  engine: Engine;
  state: InstanceServerState['state'];
  reason: string;
  server: string;
  build?: ServerBuild;
  paths?: InstancePaths;
  proc?: ServerProcess;
  secret?: string;
}

/** The longest unix socket path Linux takes (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

export async function createInstanceEngines(opts: EnginesOptions): Promise<InstanceEngines> {
  const base = resolve(opts.dataDir, 'engines');
  const resolved = resolveEngines(opts);
  const byEngine = new Map(resolved.map((r) => [r.engine, r]));
  const slots = new Map<string, Slot>();
  const queues = new Map<string, Promise<void>>();
  const templates = new Map<string, Promise<string>>();
  const users = new Map<string, OsUser>();
  const ledgers = new Map<string, SharedLedger>();
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  let closed = false;
  // Server starts at once are bounded: twenty at a time on two cores only slow each other (and the API) down.
  const startSlots = { free: opts.parallel ?? 4, waiting: [] as Array<() => void> };
  const withStartSlot = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (startSlots.free > 0) startSlots.free--;
    else await new Promise<void>((res) => startSlots.waiting.push(res));
    try {
      return await fn();
    } finally {
      const next = startSlots.waiting.shift();
      if (next) next();
      else startSlots.free++;
    }
  };

  await mkdir(join(base, 'instances'), { recursive: true, mode: 0o711 });
  await mkdir(join(base, 'templates'), { recursive: true, mode: 0o711 });
  await chmod(base, 0o711);
  await chmod(join(base, 'instances'), 0o711);
  await chmod(join(base, 'templates'), 0o711);

  // Per-instance engines need their OS user and a traversable path to the data and the binaries.
  for (const r of resolved) {
    if (r.mode.kind !== 'per-instance' || !r.driver) continue;
    const u = users.get(r.driver.osUser) ?? serverUser(r.driver.osUser);
    if ('problem' in u) { disable(r, u.problem); continue; }
    users.set(r.driver.osUser, u);
    const longest = join(base, 'instances', 'x'.repeat(32), 'run', '.s.PGSQL.5432');
    if (longest.length > MAX_SOCKET_PATH) { disable(r, `the data dir path is too long for the servers' unix sockets (${longest.length} > ${MAX_SOCKET_PATH} bytes); use a shorter --data-dir`); continue; }
    const changed = [...await ensureTraversable(base, u), ...(await Promise.all(r.driver.builds().builds.map((b) => ensureTraversable(b.binDir, u)))).flat()];
    if (changed.length > 0) opts.logger.info({ user: u.name, directories: changed }, 'made directories traversable (search bit only) for the instance servers');
  }

  function disable(r: ResolvedEngine, problem: string): void {
    r.mode = { kind: 'none' };
    r.problem = problem;
  }

  function pathsOf(instanceId: string): InstancePaths {
    const dir = join(base, 'instances', instanceId);
    return { dir, dataDir: join(dir, 'data'), runDir: join(dir, 'run'), logFile: join(dir, 'server.log'), secretFile: join(dir, ADMIN_SECRET_FILE) };
  }

  function serial(instanceId: string, fn: () => Promise<void>): Promise<void> {
    const prev = queues.get(instanceId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    queues.set(instanceId, tail);
    void tail.then(() => { if (queues.get(instanceId) === tail) queues.delete(instanceId); });
    return next;
  }

  async function template(driver: EngineDriver, build: ServerBuild, user: OsUser): Promise<string> {
    let p = templates.get(build.key);
    if (!p) {
      p = (async () => {
        const dir = join(base, 'templates', build.key);
        const secretFile = `${dir}.secret`;
        if (existsSync(dir)) return (await readOrCreateSecret(secretFile)).secret;
        // Built under a temporary name and renamed: a crash mid-way never leaves a half template in use.
        const tmp = `${dir}.tmp`;
        await rm(tmp, { recursive: true, force: true });
        await rm(`${tmp}.run`, { recursive: true, force: true });
        await rm(secretFile, { force: true });
        const { secret } = await readOrCreateSecret(secretFile);
        const started = Date.now();
        await driver.initTemplate(build, tmp, secret, user);
        await rename(tmp, dir);
        opts.logger.info({ build: build.label, ms: Date.now() - started }, 'template data directory initialised');
        return secret;
      })();
      templates.set(build.key, p);
      p.catch(() => templates.delete(build.key));
    }
    return p;
  }

  // One spare copy of each template waits in templates/<key>.spare: a new instance takes it with a rename (the
  // copy is the slow part of a start on a busy disk) and the next spare is copied in the background.
  const refills = new Map<string, Promise<void>>();
  async function takeSpare(key: string, dest: string): Promise<boolean> {
    // A refill under way started before this copy would: waiting for it is the shorter way.
    await refills.get(key);
    try {
      await rename(join(base, 'templates', `${key}.spare`), dest);
      return true;
    } catch {
      return false;
    }
  }
  function refillSpare(key: string): void {
    if (refills.has(key) || closed) return;
    const spare = join(base, 'templates', `${key}.spare`);
    const p = (async () => {
      if (existsSync(spare)) return;
      await rm(`${spare}.tmp`, { recursive: true, force: true });
      await run('cp', ['-a', join(base, 'templates', key), `${spare}.tmp`]);
      await rename(`${spare}.tmp`, spare);
    })().catch((e: unknown) => opts.logger.warn({ template: key, err: String(e) }, 'could not prepare a spare data directory'))
      .finally(() => refills.delete(key));
    refills.set(key, p);
  }

  async function sharedLedgerFor(engine: Engine): Promise<SharedLedger> {
    let l = ledgers.get(engine);
    if (!l) {
      l = await sharedLedger(join(base, `shared-${engine.toLowerCase()}.json`));
      ledgers.set(engine, l);
    }
    return l;
  }

  function sharedEndpoint(r: ResolvedEngine): AdminEndpoint {
    if (r.mode.kind !== 'shared' || !r.driver) throw new Error('not shared');
    const admin = opts.sharedAdmin?.[r.driver.family] ?? { user: r.driver.family === 'postgresql' ? 'postgres' : 'root', password: '' };
    return { kind: 'tcp', host: r.mode.host, port: r.mode.port, ...admin };
  }

  /** Connects as the admin; a copy whose template credentials are still in place is given the instance's own. */
  async function adminSession(driver: EngineDriver, slot: Slot): Promise<AdminSession> {
    const paths = slot.paths as InstancePaths;
    const endpoint = (password: string): AdminEndpoint => ({ kind: 'unix', runDir: paths.runDir, user: driver.adminUser, password });
    try {
      return await driver.connect(endpoint(slot.secret as string));
    } catch (e) {
      if (!driver.isAuthFailure(e) || !slot.build) throw e;
      const tpl = await templates.get(slot.build.key);
      if (tpl === undefined) throw e;
      const s = await driver.connect(endpoint(tpl));
      await driver.rotateAdmin(s, slot.secret as string);
      return s;
    }
  }

  async function ensureServer(r: ResolvedEngine, slot: Slot): Promise<void> {
    const driver = r.driver as EngineDriver;
    const user = users.get(driver.osUser) as OsUser;
    if (slot.proc?.alive() && slot.state === 'running') return;
    const build = slot.build as ServerBuild;
    const paths = slot.paths as InstancePaths;
    slot.state = 'starting';
    await template(driver, build, user);
    if (!existsSync(paths.dataDir)) {
      await mkdir(paths.dir, { recursive: true, mode: 0o711 });
      await readOrCreateSecret(paths.secretFile);
      if (!(await takeSpare(build.key, paths.dataDir))) {
        const copy = `${paths.dataDir}.copy`;
        await rm(copy, { recursive: true, force: true });
        await run('cp', ['-a', join(base, 'templates', build.key), copy]);
        await rename(copy, paths.dataDir);
      }
      refillSpare(build.key);
    }
    slot.secret = (await readOrCreateSecret(paths.secretFile)).secret;
    await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
    await chownTree(paths.runDir, user);
    const adopted = await runningServerPid(driver.pidFile(paths), paths.dataDir);
    if (adopted !== undefined) {
      slot.proc = adoptedProcess(adopted);
      opts.logger.info({ instanceId: slot.instanceId, pid: adopted }, 'adopted a running instance server');
    } else {
      slot.proc = startServerProcess(driver.command(build, paths), user, paths.logFile);
    }
    const proc = slot.proc;
    const s = await waitUntil(() => adminSession(driver, slot), proc, startTimeoutMs, paths.logFile);
    await s.close();
    slot.state = 'running';
    slot.reason = '';
    slot.server = build.label;
    void proc.exited.then(() => {
      if (slot.proc !== proc || closed) return;
      slot.state = 'stopped';
      slot.reason = 'the server exited; the next reconcile restarts it';
      opts.logger.warn({ instanceId: slot.instanceId, pid: proc.pid }, 'instance server exited');
    });
  }

  /**
   * Per-instance servers drop only what localrds made there (recorded in instances/<id>/managed.json before it was
   * created): an account or database a privileged account made with SQL is the user's, not the store's to remove.
   */
  async function perInstancePolicy(instanceId: string): Promise<ApplyPolicy> {
    const l = await sharedLedger(join(pathsOf(instanceId).dir, 'managed.json'));
    return {
      mayDrop: (kind, name) => l.owner(kind, name) === instanceId,
      beforeCreate: (kind, name) => l.record(kind, name, instanceId),
      afterDrop: (kind, name) => l.forget(kind, name),
    };
  }

  async function sharedPolicy(engine: Engine, instanceId: string): Promise<ApplyPolicy> {
    const l = await sharedLedgerFor(engine);
    return {
      mayDrop: (kind, name) => l.owner(kind, name) === instanceId,
      beforeCreate: (kind, name) => l.record(kind, name, instanceId),
      afterDrop: (kind, name) => l.forget(kind, name),
    };
  }

  async function applyTo(session: AdminSession, desired: EngineDesiredState, policy: ApplyPolicy): Promise<void> {
    try {
      await session.apply(desired, policy);
    } finally {
      await session.close();
    }
  }

  async function removeInstance(instanceId: string): Promise<void> {
    const slot = slots.get(instanceId);
    if (opts.servedElsewhere && (await opts.servedElsewhere(instanceId))) {
      await stopInstanceServer(instanceId, slot);
      slots.delete(instanceId);
      return;
    }
    const r = slot ? byEngine.get(slot.engine) : undefined;
    if (slot && r?.mode.kind === 'shared' && r.driver && (await sharedLedgerFor(slot.engine)).holds(instanceId)) {
      // Its accounts and databases leave the shared server with it.
      const empty = { instance: { id: instanceId } as EngineDesiredState['instance'], accounts: [], databases: [], privileges: [] };
      await applyTo(await r.driver.connect(sharedEndpoint(r)), empty, await sharedPolicy(slot.engine, instanceId));
    }
    await stopInstanceServer(instanceId, slot);
    const paths = pathsOf(instanceId);
    await rm(paths.dir, { recursive: true, force: true });
    slots.delete(instanceId);
  }

  async function stopInstanceServer(instanceId: string, slot: Slot | undefined): Promise<void> {
    const paths = pathsOf(instanceId);
    const driver = slot ? byEngine.get(slot.engine)?.driver : undefined;
    let proc = slot?.proc;
    if (!proc) {
      // A server a killed localrds left behind, on a directory nothing claims any more.
      for (const d of resolved.map((x) => x.driver).filter((x): x is EngineDriver => x !== undefined)) {
        const pid = await runningServerPid(d.pidFile(paths), paths.dataDir);
        if (pid !== undefined) { proc = adoptedProcess(pid); break; }
      }
    }
    if (proc) await stopServerProcess(proc, driver?.stopSignal ?? 'SIGTERM');
  }

  async function reconcileOne(desired: EngineDesiredState): Promise<void> {
    const inst = desired.instance;
    const r = byEngine.get(inst.engine);
    let slot = slots.get(inst.id);
    if (!slot) {
      slot = { instanceId: inst.id, engine: inst.engine, state: 'stopped', reason: '', server: '' };
      slots.set(inst.id, slot);
    }
    if (!r || r.mode.kind === 'none' || !r.driver) {
      slot.state = 'failed';
      slot.reason = r?.problem || `no server for ${inst.engine}`;
      return;
    }
    if (r.mode.kind === 'shared') {
      slot.state = 'running';
      slot.server = `shared ${r.mode.host}:${r.mode.port}`;
      // Nothing wanted and nothing made for it: no need to visit the server (suites create thousands of these).
      if (desired.accounts.length === 0 && desired.databases.length === 0 && !(await sharedLedgerFor(inst.engine)).holds(inst.id)) return;
      await applyTo(await r.driver.connect(sharedEndpoint(r)), desired, await sharedPolicy(inst.engine, inst.id));
      return;
    }
    if (!slot.build) {
      const build = r.driver.choose(inst.engineVersion);
      if (!build) { slot.state = 'failed'; slot.reason = r.driver.builds().problem || `no ${inst.engine} build`; return; }
      slot.build = build;
      slot.paths = pathsOf(inst.id);
    }
    try {
      if (!(slot.proc?.alive() && slot.state === 'running')) await withStartSlot(() => ensureServer(r, slot as Slot));
    } catch (e) {
      slot.state = 'failed';
      // A failed command's message carries its whole output (a crash report can be kilobytes): the start is enough.
      slot.reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 400);
      opts.logger.error({ instanceId: inst.id, err: slot.reason }, 'instance server did not start');
      return;
    }
    await applyTo(await adminSession(r.driver, slot), desired, await perInstancePolicy(inst.id));
  }

  async function fullPass(): Promise<void> {
    const all = await opts.load({});
    const wanted = new Set<string>(all.map((d) => d.instance.id));
    const queue = [...all];
    const errors: unknown[] = [];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const desired = d;
        await serial(desired.instance.id, () => reconcileOne(desired)).catch((e: unknown) => {
          errors.push(e);
          opts.logger.error({ instanceId: desired.instance.id, err: String(e) }, 'engine reconcile failed');
        });
      }
    };
    await Promise.all(Array.from({ length: opts.parallel ?? 4 }, worker));
    // Directories of instances the store no longer has (deleted while a previous localrds was stopping).
    for (const name of await readdir(join(base, 'instances')).catch(() => [] as string[])) {
      if (!wanted.has(name)) await serial(name, () => removeInstance(name));
    }
    if (errors.length > 0) throw errors[0];
  }

  // Templates are made at start-up in the background, so the first CreateDBInstance only copies one.
  const prewarm = opts.prewarm === false ? [] : resolved.filter((r) => r.mode.kind === 'per-instance' && r.driver).map(async (r) => {
    const driver = r.driver as EngineDriver;
    const build = driver.builds().builds[0];
    const user = users.get(driver.osUser);
    if (!build || !user) return;
    await template(driver, build, user).then(() => refillSpare(build.key), (e: unknown) => opts.logger.error({ build: build.label, err: String(e).replace(/\s+/g, ' ').slice(0, 400) }, 'template initialisation failed'));
  });

  /**
   * A new instance's server start, run in the background. A start that fails (a busy machine, a full disk) is
   * retried every 2 s, up to 30 times, as the data plane retries a bind: the instance stays Creating meanwhile,
   * and its endpoints refuse clients with the reason.
   */
  async function startInBackground(id: string, job: Promise<void>, attempt: number): Promise<void> {
    await job.catch((e: unknown) => opts.logger.error({ instanceId: id, err: e instanceof Error ? e.message : String(e) }, 'instance engine reconcile failed'));
    await Promise.resolve(opts.onStarted?.(id)).catch((e: unknown) => opts.logger.error({ instanceId: id, err: String(e) }, 'after the instance server started'));
    const slot = slots.get(id);
    if (closed || !slot || slot.state !== 'failed' || attempt >= 30 || byEngine.get(slot.engine)?.mode.kind !== 'per-instance') return;
    await new Promise((res) => setTimeout(res, 2000).unref());
    if (closed || slots.get(id) !== slot) return;
    const retry = serial(id, async () => {
      const [desired] = await opts.load({ instanceId: id });
      if (desired) await reconcileOne(desired);
      else await removeInstance(id);
    });
    await startInBackground(id, retry, attempt + 1);
  }

  const engines: InstanceEngines = {
    async reconcile(scope = {}) {
      if (closed) return;
      if (scope.instanceId === undefined) return fullPass();
      const id = scope.instanceId;
      // The first word of a new instance (CreateDBInstance) starts its server in the background: the call answers
      // at once with the instance Creating, and onStarted settles it once the server accepts connections. Every
      // later change waits in the instance's queue, behind the start, so that its answer means "applied".
      const fresh = !slots.has(id) && !queues.has(id);
      const job = serial(id, async () => {
        const [desired] = await opts.load({ instanceId: id });
        if (desired) await reconcileOne(desired);
        else if (slots.has(id) || existsSync(pathsOf(id).dir)) await removeInstance(id);
      });
      if (!fresh) return job;
      void startInBackground(id, job, 0);
    },
    target(instanceId): BackendTarget | undefined {
      const slot = slots.get(instanceId);
      if (!slot) return undefined;
      const r = byEngine.get(slot.engine);
      if (!r || r.mode.kind === 'none') return { kind: 'unavailable', engine: slot.engine, reason: `localrds has no ${slot.engine} server: ${r?.problem ?? ''}` };
      if (r.mode.kind === 'shared') return { kind: 'tcp', host: r.mode.host, port: r.mode.port };
      if (slot.state === 'failed') return { kind: 'unavailable', engine: slot.engine, reason: `the instance's ${slot.engine} server failed: ${slot.reason}` };
      return slot.paths && r.driver ? r.driver.target(slot.paths) : undefined;
    },
    ready(instanceId) {
      const slot = slots.get(instanceId);
      if (!slot) return false;
      const mode = byEngine.get(slot.engine)?.mode.kind;
      return mode !== 'per-instance' || slot.state === 'running';
    },
    async restart(instanceId) {
      await serial(instanceId, async () => {
        const slot = slots.get(instanceId);
        const r = slot ? byEngine.get(slot.engine) : undefined;
        if (!slot || !r?.driver) return;
        if (r.mode.kind === 'shared') {
          // A shared server is not ours to restart: the sessions of the instance's accounts are cut instead.
          const [desired] = await opts.load({ instanceId });
          const s = await r.driver.connect(sharedEndpoint(r));
          try { await s.cutSessions((desired?.accounts ?? []).map((a) => a.name)); } finally { await s.close(); }
          return;
        }
        if (r.mode.kind !== 'per-instance') return;
        if (slot.proc) await stopServerProcess(slot.proc, r.driver.stopSignal);
        slot.proc = undefined;
        slot.state = 'stopped';
        await ensureServer(r, slot);
      });
    },
    async parameters(instanceId, names) {
      const slot = slots.get(instanceId);
      const r = slot ? byEngine.get(slot.engine) : undefined;
      if (!slot || !r?.driver || r.mode.kind === 'none' || names.length === 0) return {};
      if (r.mode.kind === 'per-instance' && slot.state !== 'running') return {};
      const s = r.mode.kind === 'shared' ? await r.driver.connect(sharedEndpoint(r)) : await adminSession(r.driver, slot);
      try { return await s.parameters(names); } finally { await s.close(); }
    },
    availability(): EngineAvailability[] {
      return resolved.map((r) => {
        const builds = r.mode.kind === 'per-instance' && r.driver ? r.driver.builds().builds : [];
        return {
          engine: r.engine,
          mode: r.mode.kind,
          server: r.mode.kind === 'shared' ? `shared server ${r.mode.host}:${r.mode.port}` : builds.map((b) => b.label).join(', '),
          problem: r.problem,
        };
      });
    },
    servers(): InstanceServerState[] {
      // Instances that have a server: their own, or the shared --backend one. API-only instances have none.
      return [...slots.values()].filter((s) => byEngine.get(s.engine)?.mode.kind !== 'none').map((s) => ({ instanceId: s.instanceId, state: s.state, reason: s.reason, server: s.server, ...(s.proc ? { pid: s.proc.pid } : {}) }));
    },
    async close() {
      closed = true;
      await Promise.all([...queues.values(), ...prewarm]);
      await Promise.all([...refills.values()]);
      // A clean stop stops every server (nothing is left running after localrds exits); after a kill -9 they
      // keep running and the next localrds adopts them.
      await Promise.all([...slots.values()].map(async (s) => {
        const driver = byEngine.get(s.engine)?.driver;
        if (s.proc && driver) await stopServerProcess(s.proc, driver.stopSignal);
        s.state = 'stopped';
      }));
    },
  };
  return engines;
}
