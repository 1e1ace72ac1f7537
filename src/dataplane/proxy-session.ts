// One admitted client connection proxied to the instance's backend server: two sockets relayed both ways.
// The listener that accepted the client owns the session and destroys it when its endpoint goes away.

import net from 'node:net';
import { refuseConnection, type RefusalProtocol } from './refusal.js';
import { adoptWithUserBuffer } from '../net/user-buffer-socket.js';
import type { BackendTarget, DataPlaneLogger, DataPlaneStats } from './types.js';

export interface ProxySession {
  /**
   * Cuts the client's socket now, with a TCP reset (see resetSocket). A teardown of many sessions cuts every
   * client first, so that the last client hears of it after as many close() calls as there are sessions, not
   * twice as many.
   */
  cutClient(): void;
  /** Cuts both sockets now (resets, as cutClient); resolves once both have closed. */
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
  /** Called on every read that filled its buffer (bytes are streaming). */
  onBulkRead?(): void;
}

// TCP keepalive finds peers that vanished without a FIN so their sessions do not linger for hours.
const KEEPALIVE_MS = 60_000;
/** Bytes one read from the backend may take (per session, taken when the session starts). */
const READ_BUFFER = 128 * 1024;
/** The same from the client: queries are mostly small, bulk loads still move in large reads. */
const CLIENT_READ_BUFFER = 64 * 1024;
// After one side closed cleanly the other may still be flushing the tail of a result; give it this long.
const FLUSH_GRACE_MS = 10_000;

// Read buffers of ended sessions, for the next sessions to start with. Allocated afresh, 100 sessions meant 19 MB of
// new ArrayBuffers, whose external-memory pressure set off a scavenge every few dozen ms and a full collection (13
// to 21 ms, stopping the worker) every few hundred: the tail of a release under churn. A buffer goes back only
// once both of its session's sockets have closed, so no read can land in it any more; a reader only ever passes on
// the bytes its own read just wrote (subarray(0, n)), never what an earlier session left. At most this many of
// each size are kept (at most 24 MB, and only as much as reads ever touched).
const SPARE_MAX = 128;
const spareBackend: Buffer[] = [];
const spareClient: Buffer[] = [];
const giveBack = (spare: Buffer[], buf: Buffer): void => {
  if (spare.length < SPARE_MAX) spare.push(buf);
};

/**
 * Ends a socket with a TCP reset (SO_LINGER 0, then close): the peer hears ECONNRESET at once, with no FIN
 * exchange and no half-close to handle on either side, and no TIME_WAIT is left here. A socket that cannot be
 * reset is destroyed instead: a Unix socket, a connect still in flight (Node would wait for it to complete),
 * or one already ending (libuv refuses to reset a socket with a shutdown under way, and Node then leaks its
 * handle).
 */
export function resetSocket(socket: net.Socket): void {
  if (socket.destroyed) return;
  const handle = (socket as unknown as { _handle?: { reset?: unknown } | null })._handle;
  if (!socket.connecting && !socket.writableEnded && typeof handle?.reset === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function closedPromise(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

export function startProxySession(opts: ProxySessionOptions): ProxySession {
  const { counters, logger, context } = opts;
  const target = opts.backend;
  const bulk = opts.onBulkRead;
  // Both directions read into a buffer of the session's own (no allocation per read, and reads of up to the
  // buffer's size where a stream would read 64 KiB) and write it on at once. A buffer is read into again only
  // once the other socket took the whole write; until then its reader is paused. Pages of a buffer that no
  // read reached are never touched, so an idle session costs little memory.
  //
  // The reader resumes from the write's own callback, not from 'drain': Node emits 'drain' only after a write that
  // reached the high-water mark (16 KiB), so a smaller write left queued behind a full socket would be followed by
  // none, and the session would stall for good (test/perf-dp-dataplane.test.ts, "when a reader stalls").
  const fromBackend = {
    buffer: spareBackend.pop() ?? Buffer.allocUnsafe(READ_BUFFER),
    callback: (n: number, buf: Uint8Array): boolean => {
      client.write(buf.subarray(0, n), clientFlushed);
      if (bulk && n === READ_BUFFER) bulk();
      if (client.writableLength === 0) return true;
      waitingForClient = true;
      return false;
    },
  };
  const fromClient = {
    buffer: spareClient.pop() ?? Buffer.allocUnsafe(CLIENT_READ_BUFFER),
    callback: (n: number, buf: Uint8Array): boolean => {
      backend.write(buf.subarray(0, n), backendFlushed);
      if (bulk && n === CLIENT_READ_BUFFER) bulk();
      if (backend.writableLength === 0) return true;
      waitingForBackend = true;
      return false;
    },
  };
  // A write's callback runs once it is flushed (or failed: then the socket's 'error' ends the session).
  const clientFlushed = (): void => {
    if (!waitingForClient || client.writableLength > 0) return;
    waitingForClient = false;
    backend.resume();
  };
  const backendFlushed = (): void => {
    if (!waitingForBackend || backend.writableLength > 0) return;
    waitingForBackend = false;
    client.resume();
  };
  // The accepted socket until the backend answers (the listener accepted it paused: nothing has been read), then
  // the socket that adoptWithUserBuffer() moved its handle into (or the same one, on the stream path).
  let client = opts.client;
  const backend =
    target.kind === 'tcp'
      ? net.connect({ host: target.host, port: target.port, onread: fromBackend })
      : net.connect({ path: target.path, onread: fromBackend });
  backend.setNoDelay(true);
  backend.setKeepAlive(true, KEEPALIVE_MS);
  let waitingForClient = false;
  let waitingForBackend = false;
  counters.sessions += 1;
  counters.backendSockets += 1;
  backend.once('close', () => {
    counters.backendSockets -= 1;
  });

  let graceTimer: NodeJS.Timeout | undefined;
  const destroyBoth = (): void => {
    if (graceTimer) clearTimeout(graceTimer);
    client.destroy();
    backend.destroy();
  };

  // An error on either side (reset by the client, backend down or refusing) ends the whole session; the
  // handlers also keep the error from becoming an uncaught exception.
  const onClientError = (err: NodeJS.ErrnoException): void => {
    logger.info({ ...context, err: err.code ?? err.message }, 'client socket error');
    destroyBoth();
  };
  opts.client.on('error', onClientError);
  let clientClosed!: () => void;
  const clientGone = new Promise<void>((resolve) => {
    clientClosed = resolve;
  });
  const onClientClose = (): void => {
    clientClosed();
    afterClose(backend);
  };
  opts.client.once('close', onClientClose);

  let connected = false;
  let refusing: Promise<void> | undefined;
  backend.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? err.message;
    logger.warn({ ...context, err: code, backend: target }, 'backend socket error');
    if (!connected && !client.destroyed) {
      // Nothing has reached the client yet (it is not read until the backend answers), so it can still be
      // told why in its own protocol.
      const where = target.kind === 'tcp' ? `${target.host}:${target.port}` : target.path;
      client.resume();
      refusing = refuseConnection(client, opts.refusal, `cannot reach the instance's database server at ${where} (${code})`);
      backend.destroy();
      return;
    }
    destroyBoth();
  });

  // The client is not read before the backend accepts, so a failed connect can still be refused cleanly. A
  // clean end (FIN) is passed on once the writes before it are flushed (end() queues behind them).
  backend.once('connect', () => {
    connected = true;
    if (client.destroyed) return;
    const adopted = adoptWithUserBuffer(opts.client, fromClient);
    if (adopted) {
      opts.client.removeListener('close', onClientClose);
      opts.client.removeListener('error', onClientError);
      client = adopted;
      client.on('error', onClientError);
      client.once('close', onClientClose);
    } else {
      // The stream path, for a socket adoptWithUserBuffer() could not take.
      client.on('data', (chunk: Buffer) => {
        backend.write(chunk, backendFlushed);
        if (backend.writableLength === 0) return;
        waitingForBackend = true;
        client.pause();
      });
    }
    client.setNoDelay(true);
    client.setKeepAlive(true, KEEPALIVE_MS);
    client.once('end', () => backend.end());
    client.resume();
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
  backend.once('close', () => {
    if (!refusing) afterClose(client);
  });

  const closed = Promise.all([clientGone, closedPromise(backend)]).then(() => {
    if (graceTimer) clearTimeout(graceTimer);
    counters.sessions -= 1;
    counters.bytesFromClients += client.bytesRead;
    counters.bytesToClients += client.bytesWritten;
    giveBack(spareBackend, fromBackend.buffer);
    giveBack(spareClient, fromClient.buffer);
  });

  const cutClient = (): void => {
    if (graceTimer) clearTimeout(graceTimer);
    resetSocket(client);
  };
  return {
    closed,
    cutClient,
    async destroy(): Promise<void> {
      cutClient();
      resetSocket(backend);
      await closed;
    },
  };
}
