// ChangeBus: how nodes sharing one PostgreSQL tell each other about changes (issue 13). A write committed on one
// node for an instance another node owns sends `localrds_change` inside its transaction (pg_notify, delivered at
// commit, dropped on rollback); the owner applies it and answers `localrds_applied`. One LISTEN connection per
// node, reconnected after a second when it drops; while it is down `live()` is false and the node falls back to
// polling generations (runtime in cluster/node-runtime.ts). Channels are database-wide, so every message carries
// the schema and messages of other schemas (other clusters on the same database) are ignored.
import { listenConnection } from '../store/pg-listen.js';

import { APPLIED_CHANNEL, CHANGE_CHANNEL, type AppliedMessage, type ChangeMessage } from './messages.js';


export interface ChangeBus {
  live(): boolean;
  onChange(fn: (m: ChangeMessage) => void): void;
  onApplied(fn: (m: AppliedMessage) => void): void;
  /** Called each time the LISTEN connection (re)starts: whatever was said meanwhile is unknown. */
  onReconnect(fn: () => void): void;
  close(): Promise<void>;
}

function parse<T extends { schema: string }>(payload: string | undefined, schema: string): T | undefined {
  try {
    const m = JSON.parse(payload ?? '') as T;
    return typeof m === 'object' && m !== null && m.schema === schema ? m : undefined;
  } catch {
    return undefined;
  }
}

/** `applicationName` names the LISTEN connection in pg_stat_activity (localrds-bus:<schema>:<node>). */
export function startChangeBus(opts: { connectionString: string; schema: string; applicationName?: string }): ChangeBus {
  const changes: Array<(m: ChangeMessage) => void> = [];
  const applied: Array<(m: AppliedMessage) => void> = [];
  const reconnects: Array<() => void> = [];
  const conn = listenConnection({
    connectionString: opts.connectionString,
    listenSql: `listen ${CHANGE_CHANNEL}; listen ${APPLIED_CHANNEL}`,
    applicationName: opts.applicationName,
    onNotification: (n) => {
      if (n.channel === CHANGE_CHANNEL) {
        const m = parse<ChangeMessage>(n.payload, opts.schema);
        if (m) for (const f of changes) f(m);
      } else if (n.channel === APPLIED_CHANNEL) {
        const m = parse<AppliedMessage>(n.payload, opts.schema);
        if (m) for (const f of applied) f(m);
      }
    },
    onLive: () => { for (const f of reconnects) f(); },
  });
  return {
    live: () => conn.live(),
    onChange: (fn) => { changes.push(fn); },
    onApplied: (fn) => { applied.push(fn); },
    onReconnect: (fn) => { reconnects.push(fn); },
    close: () => conn.close(),
  };
}
