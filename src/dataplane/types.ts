// The data plane's contract with the rest of the server.
// Handlers write desired endpoints to the store; after commit the pipeline calls reconcile() for the
// instance that changed and waits for it, so that an answer is only sent once the listeners match.

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

export interface DataPlane {
  reconcile(scope?: ReconcileScope): Promise<void>;
  live(instanceIds?: string[]): EndpointLiveState[];
  close(): Promise<void>;
}
