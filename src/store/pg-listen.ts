// One PostgreSQL connection that LISTENs, for as long as it is wanted: reconnected a second after it drops, and
// `live()` true only from the moment its LISTEN statement succeeded until it drops again (notifications sent in
// between are lost, so callers treat every return to live as "something may have changed"). Used by the key
// cache (postgres-store.ts) and by the nodes' change bus (cluster/bus.ts).
import pg from 'pg';

const RETRY_MS = 1000;

export interface ListenConnection {
  live(): boolean;
  close(): Promise<void>;
}

export function listenConnection(opts: {
  connectionString: string;
  /** The LISTEN statement(s) to run on each new connection. */
  listenSql: string;
  /** pg_stat_activity's application_name for the connection. */
  applicationName?: string;
  onNotification(n: pg.Notification): void;
  /** Each time the connection is listening again (the first time too). */
  onLive(): void;
}): ListenConnection {
  let live = false;
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const down = (c: pg.Client): void => {
    if (client !== c) return;
    live = false;
    client = undefined;
    c.end().catch(() => undefined);
    if (!closed) {
      timer = setTimeout(connect, RETRY_MS);
      timer.unref();
    }
  };
  const connect = (): void => {
    const c = new pg.Client({ connectionString: opts.connectionString, connectionTimeoutMillis: 5000, application_name: opts.applicationName });
    client = c;
    c.on('error', () => down(c));
    c.on('end', () => down(c));
    c.on('notification', (n) => opts.onNotification(n));
    c.connect()
      .then(() => c.query(opts.listenSql))
      .then(() => {
        if (client !== c) return;
        live = true;
        opts.onLive();
      })
      .catch(() => down(c));
  };
  connect();
  return {
    live: () => live,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      live = false;
      await c?.end().catch(() => undefined);
    },
  };
}
