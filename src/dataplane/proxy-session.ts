// One admitted client connection proxied to the instance's backend server: two sockets relayed both ways.
// The listener that accepted the client owns the session and destroys it when its endpoint goes away.

import net from 'node:net';
import { refuseConnection, type RefusalProtocol } from './refusal.js';
import type { BackendTarget, DataPlaneLogger, DataPlaneStats } from './types.js';

export interface ProxySession {
  /** Destroys both sockets now; resolves once both have closed. */
  destroy(): Promise<void>;
  /** Resolves once both sockets have closed, however that happened. */
  readonly closed: Promise<void>;
}

export interface ProxySessionOptions {
  client: net.Socket;
  backend: Exclude<BackendTarget, { kind: 'unavailable' }>;
  /** How to tell the client that the backend cannot be reached, should the connect fail. */
  refusal: RefusalProtocol;
  /** Shared with DataPlane.stats(), so that a leak check sees sockets whose listener is already gone. */
  counters: DataPlaneStats;
  logger: DataPlaneLogger;
  /** Log context (connection string, instance) for the rare line a session writes. */
  context: object;
}

// TCP keepalive finds peers that vanished without a FIN so their sessions do not linger for hours.
const KEEPALIVE_MS = 60_000;
/** Bytes one read from the backend may take (per session, allocated when the session starts). */
const READ_BUFFER = 128 * 1024;
// After one side closed cleanly the other may still be flushing the tail of a result; give it this long.
const FLUSH_GRACE_MS = 10_000;

function closedPromise(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

export function startProxySession(opts: ProxySessionOptions): ProxySession {
  const { client, counters, logger, context } = opts;
  const target = opts.backend;
  // Results flow backend -> client: read into one buffer of the session's own (no allocation per read, and
  // reads of up to READ_BUFFER bytes where a stream would read 64 KiB), written on at once. The buffer is read
  // into again only once the client socket took the whole write; until then the backend is paused.
  const onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER),
    callback: (n: number, buf: Uint8Array): boolean => {
      client.write(buf.subarray(0, n));
      if (client.writableLength === 0) return true;
      waitingForClient = true;
      return false;
    },
  };
  const backend =
    target.kind === 'tcp'
      ? net.connect({ host: target.host, port: target.port, onread })
      : net.connect({ path: target.path, onread });
  let waitingForClient = false;
  client.on('drain', () => {
    if (!waitingForClient) return;
    waitingForClient = false;
    backend.resume();
  });
  counters.sessions += 1;
  counters.backendSockets += 1;
  backend.once('close', () => {
    counters.backendSockets -= 1;
  });

  for (const socket of [client, backend]) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
  }

  let graceTimer: NodeJS.Timeout | undefined;
  const destroyBoth = (): void => {
    if (graceTimer) clearTimeout(graceTimer);
    client.destroy();
    backend.destroy();
  };

  // An error on either side (reset by the client, backend down or refusing) ends the whole session; the
  // handlers also keep the error from becoming an uncaught exception.
  client.on('error', (err: NodeJS.ErrnoException) => {
    logger.info({ ...context, err: err.code ?? err.message }, 'client socket error');
    destroyBoth();
  });
  let connected = false;
  let refusing: Promise<void> | undefined;
  backend.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? err.message;
    logger.warn({ ...context, err: code, backend: target }, 'backend socket error');
    if (!connected && !client.destroyed) {
      // Nothing has reached the client yet (it is not read until the backend answers), so it can still be
      // told why in its own protocol.
      const where = target.kind === 'tcp' ? `${target.host}:${target.port}` : target.path;
      refusing = refuseConnection(client, opts.refusal, `cannot reach the instance's database server at ${where} (${code})`);
      backend.destroy();
      return;
    }
    destroyBoth();
  });

  // The client is not read before the backend accepts, so a failed connect can still be refused cleanly.
  // Queries flow client -> backend with plain events and backpressure; a clean end (FIN) is passed on once the
  // writes before it are flushed (end() queues behind them).
  backend.once('connect', () => {
    connected = true;
    client.on('data', (chunk: Buffer) => {
      if (!backend.write(chunk)) client.pause();
    });
    backend.on('drain', () => client.resume());
    client.once('end', () => backend.end());
  });
  backend.once('end', () => client.end());

  const afterClose = (other: net.Socket): void => {
    if (other.destroyed) return;
    if (other.writableLength === 0) {
      other.destroy();
      return;
    }
    other.end();
    graceTimer = setTimeout(destroyBoth, FLUSH_GRACE_MS);
    graceTimer.unref();
  };
  client.once('close', () => afterClose(backend));
  backend.once('close', () => {
    if (!refusing) afterClose(client);
  });

  const closed = Promise.all([closedPromise(client), closedPromise(backend)]).then(() => {
    if (graceTimer) clearTimeout(graceTimer);
    counters.sessions -= 1;
    counters.bytesFromClients += client.bytesRead;
    counters.bytesToClients += client.bytesWritten;
  });

  return {
    closed,
    async destroy(): Promise<void> {
      destroyBoth();
      await closed;
    },
  };
}
