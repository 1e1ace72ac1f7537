// A DataPlaneOptions.load over plain in-memory data: for running the data plane from a fixed configuration,
// and for tests, which mutate `state` and call reconcile() just as the store-backed pipeline would.

import type { DesiredState, ReconcileScope } from './types.js';

export interface StaticDesiredState {
  /** Mutable: change it, then reconcile. */
  state: DesiredState;
  load(scope: ReconcileScope): Promise<DesiredState>;
}

/** Scoped loads return only that instance's rows, as the store does (empty once the instance is gone). */
export function createStaticDesiredState(initial?: Partial<DesiredState>): StaticDesiredState {
  const holder: StaticDesiredState = {
    state: { endpoints: [], groups: [], engines: {}, ...initial },
    async load(scope: ReconcileScope): Promise<DesiredState> {
      const { state } = holder;
      const id = scope.instanceId;
      // Copies, so that the caller mutating its arrays later cannot change a pass already under way.
      if (id === undefined) {
        return {
          endpoints: [...state.endpoints],
          groups: [...state.groups],
          engines: { ...state.engines },
          ...(state.targets ? { targets: { ...state.targets } } : {}),
        };
      }
      const engine = state.engines[id];
      const target = state.targets?.[id];
      return {
        ...(target ? { targets: { [id]: target } } : {}),
        endpoints: state.endpoints.filter((e) => e.instanceId === id),
        groups: state.groups.filter((g) => g.instanceId === id),
        engines: engine === undefined ? {} : { [id]: engine },
      };
    },
  };
  return holder;
}
