// Settles transitional statuses (Creating, DBInstanceNetTypeChanging) to Running once the configured time has
// passed and the data plane has every endpoint of the instance bound. Timers are rebuilt from the store at start.
import type { EndpointRecord, InstanceId } from '../domain/types.js';
import type { Logger } from '../pipeline.js';
import type { StateStore } from '../store/types.js';

export interface Settler {
  settle(instanceId: InstanceId): Promise<void>;
  /** Re-arms timers for every transitional instance (start-up). */
  resume(): Promise<void>;
  close(): void;
}

export interface SettlerOptions {
  store: StateStore;
  now(): number;
  logger: Logger;
  /** True when the data plane serves exactly these endpoints of the instance, all listening. */
  isLive(instanceId: string, endpoints: EndpointRecord[]): boolean;
  /** Several nodes (issue 13): which of these instances this node serves, and so settles. Absent: all. */
  owned?(instanceIds: string[]): Promise<Set<string>>;
}

export function createSettler(opts: SettlerOptions): Settler {
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;

  async function settle(instanceId: InstanceId): Promise<void> {
    const wait = await opts.store.tx(async (r) => {
      const [ep] = await r.endpoints.listByInstanceIds([instanceId]);
      if (!ep) return undefined;
      const inst = await r.instances.get(ep.accountId, instanceId, { forUpdate: true });
      if (!inst || inst.status === 'Running') return undefined;
      const now = opts.now();
      if (inst.statusUntil > now) return inst.statusUntil - now;
      const eps = await r.endpoints.listByInstance(inst.accountId, inst.id);
      // Not yet what the store asks for (a bind failed and is retried, or another change is still being
      // applied): the reconcile or bind that completes it calls settle again.
      if (eps.some((e) => e.bindError !== '') || !opts.isLive(inst.id, eps)) return undefined;
      await r.instances.setStatus(inst.accountId, inst.id, 'Running', 0);
      return undefined;
    });
    if (wait !== undefined && !closed) arm(instanceId, wait);
  }

  function arm(id: InstanceId, ms: number): void {
    clearTimeout(timers.get(id));
    const t = setTimeout(() => {
      timers.delete(id);
      settle(id).catch((e: unknown) => opts.logger.error({ instanceId: id, err: String(e) }, 'settle failed'));
    }, ms + 5);
    t.unref();
    timers.set(id, t);
  }

  return {
    settle,
    async resume() {
      const list = await opts.store.read((r) => r.instances.listTransitional());
      const mine = opts.owned ? await opts.owned(list.map((i) => i.id)) : undefined;
      for (const i of list) if (!mine || mine.has(i.id)) await settle(i.id);
    },
    close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
