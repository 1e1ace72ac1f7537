// HTTP wiring: one port that speaks HTTP and HTTPS (the first byte of a connection tells them apart, so the
// SDKs' default HTTPS and an explicit protocol:'http' both work), request limits, admin routes, the RPC pipeline.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { ApiError } from '../errors/api-error.js';
import { encodeError, type WireResponse } from '../protocol/encode.js';
import { LIMITS, peekFormat, type RawRequest } from '../protocol/rpc-request.js';
import { serveFastLane, type FastLaneOptions } from './fast-lane.js';
import type { TlsMaterial } from './tls.js';

/** The client as the front saw it (for HTTPS the loopback hop's peer is replaced by the real one). */
export interface Peer { address: string }

/** Admin routes never see `/`: plain-HTTP requests for it go to the fast lane (fast-lane.ts), not to node:http. */
export interface AdminRoute {
  (req: IncomingMessage, res: ServerResponse, url: URL, peer: Peer): boolean | Promise<boolean>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  tls?: TlsMaterial;
  pipeline(raw: RawRequest): Promise<WireResponse>;
  hostId: string;
  /** Extra routes tried before the RPC endpoint (health, explorer). Return true when handled. */
  routes: AdminRoute[];
  onError(o: object, msg: string): void;
  /** Most simultaneous connections (slow-client protection). */
  maxConnections?: number;
}

export interface RunningHttpServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

export const HTTP_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than the idle timeouts of the clients that keep connections (Node's agent 5 s, Go's 90 s), so that the
  // client closes an idle connection first: a server closing one just as the client reuses it resets that call
  // (the SDK's agent keeps idle connections forever, so at 5 s here a call spaced about 5 s after the last could fail).
  keepAliveTimeoutMs: 95_000,
  maxHeaderSize: 32 * 1024,
  maxConnections: 4096,
};

export async function startHttpServer(o: HttpServerOptions): Promise<RunningHttpServer> {
  // TLS connections reach the HTTPS server through a loopback hop, so their socket's peer is always 127.0.0.1:
  // the hop's local port -> the client's real address, for routes that decide by address (metrics).
  const hopPeers = new Map<number, string>();
  const peerOf = (req: IncomingMessage): Peer => ({
    address: (req.socket as { encrypted?: boolean }).encrypted === true
      ? (hopPeers.get(req.socket.remotePort ?? -1) ?? '')
      : (req.socket.remoteAddress ?? ''),
  });
  // Connections handed off by the fast lane in the middle of a request: node:http's header and request clocks start
  // at the hand-off, so these hold that request to the deadlines counted from its first byte.
  const handedOff = new WeakMap<net.Socket, { startedAt: number; timer: NodeJS.Timeout }>();
  const timeoutError = () => Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
  const holdToDeadline = (socket: net.Socket, at: number, done: () => boolean): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      if (!socket.destroyed && !done()) plain.emit('clientError', timeoutError(), socket);
    }, Math.max(1, at - Date.now()));
    timer.unref();
    return timer;
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const held = handedOff.get(req.socket);
    if (held !== undefined) {
      // Its headers are in: the header deadline is met; the whole request still has to arrive in time.
      handedOff.delete(req.socket);
      clearTimeout(held.timer);
      if (!req.complete) {
        const timer = holdToDeadline(req.socket, held.startedAt + HTTP_LIMITS.requestTimeoutMs, () => req.complete);
        req.once('end', () => clearTimeout(timer));
      }
    }
    serve(req, res, o, peerOf(req)).catch((e: unknown) => {
      // A client that went away mid-body is not a server failure; there is nobody left to answer.
      if (req.destroyed || (e as { code?: string }).code === 'ECONNRESET') { res.destroy(); return; }
      o.onError({ err: String(e) }, 'request failed outside the pipeline');
      if (!res.headersSent) { res.statusCode = 500; res.end(); } else res.destroy();
    });
  };
  // connectionsCheckingInterval: how often the header and request timeouts are enforced (Node's default, 30 s,
  // would let a slow client hold a connection up to 30 s past them). requireHostHeader: a request without Host
  // reaches the pipeline and gets a catalogued error rather than Node's bare 400.
  const httpOpts = { maxHeaderSize: HTTP_LIMITS.maxHeaderSize, requestTimeout: HTTP_LIMITS.requestTimeoutMs, headersTimeout: HTTP_LIMITS.headersTimeoutMs, keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs, connectionsCheckingInterval: 1_000, requireHostHeader: false };
  const plain = http.createServer(httpOpts, handler);
  // The plain server never listens (the front hands it sockets), and Node starts enforcing headersTimeout and
  // requestTimeout only on 'listening': without this a client sending a byte now and then holds its connection forever.
  plain.emit('listening');
  const secure = o.tls ? https.createServer({ ...httpOpts, key: o.tls.key, cert: o.tls.cert }, handler) : undefined;
  for (const s of [plain, secure]) {
    s?.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (socket.writable && err.code !== 'ECONNRESET') socket.end(parserErrorResponse(err, o.hostId));
      else socket.destroy();
    });
    // CONNECT and Upgrade requests would otherwise be dropped without an answer.
    s?.on('connect', (_req, socket: net.Socket) => socket.end(parserErrorResponse(Object.assign(new Error('CONNECT'), { code: 'UNSUPPORTED_METHOD' }), o.hostId)));
  }
  secure?.on('tlsClientError', () => { /* handshake failures are the client's problem */ });

  const fastLane: FastLaneOptions = {
    pipeline: o.pipeline,
    limits: HTTP_LIMITS,
    onError: o.onError,
    handOff: (socket, startedAt) => {
      if (startedAt !== 0) {
        const timer = holdToDeadline(socket, startedAt + HTTP_LIMITS.headersTimeoutMs, () => !handedOff.has(socket));
        handedOff.set(socket, { startedAt, timer });
      }
      plain.emit('connection', socket);
      socket.resume();
    },
    timedOut: (socket) => plain.emit('clientError', timeoutError(), socket),
  };

  const sockets = new Set<net.Socket>();
  const front = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(HTTP_LIMITS.requestTimeoutMs, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      // 0x16 opens a TLS handshake record; anything else is plain HTTP.
      if (first[0] === 0x16 && secureAddr) {
        // A TLS socket reads from the native handle, past anything unshifted, so TLS connections are
        // handed to the HTTPS server through a loopback hop instead.
        const up = net.connect({ host: '127.0.0.1', port: secureAddr.port, noDelay: true });
        up.on('error', () => socket.destroy());
        up.once('connect', () => {
          const hop = up.localPort;
          if (hop === undefined) return;
          hopPeers.set(hop, socket.remoteAddress ?? '');
          up.once('close', () => hopPeers.delete(hop));
        });
        socket.on('close', () => up.destroy());
        up.on('close', () => socket.destroy());
        up.write(first);
        socket.pipe(up).pipe(socket);
        socket.resume();
        return;
      }
      const lane = serveFastLane(socket, first, fastLane);
      if (lane !== socket) {
        // Its handle now lives in `lane` (fast-lane.ts): the old socket will never close.
        sockets.delete(socket);
        sockets.add(lane);
        lane.on('close', () => sockets.delete(lane));
      }
      lane.resume();
    });
  });
  let secureAddr: net.AddressInfo | undefined;
  if (secure) {
    await new Promise<void>((resolve, reject) => {
      secure.once('error', reject);
      secure.listen(0, '127.0.0.1', () => { secure.off('error', reject); resolve(); });
    });
    secureAddr = secure.address() as net.AddressInfo;
  }
  front.maxConnections = o.maxConnections ?? HTTP_LIMITS.maxConnections;
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(o.port, o.host, () => { front.off('error', reject); resolve(); });
  });
  const addr = front.address() as net.AddressInfo;
  return {
    port: addr.port,
    host: o.host,
    close: async () => {
      // front.close() calls back only once every connection is gone, idle keep-alive ones included: end them first.
      const closed = new Promise<void>((r) => front.close(() => r()));
      for (const s of sockets) s.destroy();
      plain.closeAllConnections();
      plain.close(() => undefined); // stops the timeout checks; it never listened, so the callback gets an error
      secure?.closeAllConnections();
      if (secure) await new Promise<void>((r) => secure.close(() => r()));
      await closed;
    },
  };
}

/** A request the HTTP parser refused still gets a catalogued error body (in JSON: its Format is unknowable). */
function parserErrorResponse(err: NodeJS.ErrnoException, hostId: string): string {
  const e = err.code === 'HPE_HEADER_OVERFLOW' ? new ApiError('InvalidRequest.TooLarge', { limit: `${HTTP_LIMITS.maxHeaderSize} bytes of request line and headers` })
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new ApiError('InvalidRequest.Timeout', { limit: `${HTTP_LIMITS.headersTimeoutMs / 1000} s for the headers, ${HTTP_LIMITS.requestTimeoutMs / 1000} s for the whole request` })
    : err.code === 'UNSUPPORTED_METHOD' ? new ApiError('UnsupportedHTTPMethod')
    : new ApiError('InvalidRequest.Malformed', { detail: 'not a valid HTTP/1.1 request.' });
  const requestId = randomUUID().toUpperCase();
  const wire = encodeError(e, { requestId, hostId, format: 'JSON', baseUrl: 'http://localhost' });
  return `HTTP/1.1 ${wire.status} ${http.STATUS_CODES[wire.status] ?? ''}\r\ncontent-type: ${wire.headers['content-type']}\r\n`
    + `x-acs-request-id: ${requestId}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(wire.body)}\r\n\r\n${wire.body}`;
}

async function serve(req: IncomingMessage, res: ServerResponse, o: HttpServerOptions, peer: Peer): Promise<void> {
  const target = req.url ?? '/';
  let url: URL;
  try {
    url = new URL(target, 'http://localhost');
  } catch {
    // An absolute-form target that is no URL ("GET http://[ HTTP/1.1") is answered like any other unknown path.
    url = new URL('http://localhost/invalid-request-target');
  }
  // Routes that decline at once (every one, for an API call) cost no promise.
  for (const route of o.routes) {
    const handled = route(req, res, url, peer);
    if (handled === true || (handled !== false && await handled)) return;
  }

  const requestId = randomUUID().toUpperCase();
  const q = target.indexOf('?');
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const base: Omit<RawRequest, 'body'> = {
    requestId, method: req.method ?? 'GET', path: url.pathname, rawQuery, headers: req.headers,
    receivedAt: Date.now(), remoteAddress: peer.address,
    scheme: (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
  };
  let wire: WireResponse;
  const body = await readBody(req);
  if (body === 'too-large') {
    wire = failEarly(new ApiError('InvalidRequest.TooLarge', { limit: `${LIMITS.maxBodyBytes} bytes of body` }), base, o, req);
    res.setHeader('connection', 'close');
  } else if (url.pathname !== '/') {
    wire = failEarly(new ApiError('InvalidAction.NotFound'), base, o, req, body);
  } else {
    // The body joins the same object: the pipeline's stages grow it rather than copy it (see pipeline.ts).
    const raw = base as RawRequest;
    raw.body = body;
    wire = await o.pipeline(raw);
  }
  // One writeHead and one end: the head and the body leave in one write.
  // With its length (rather than chunked), as the fast lane writes it.
  res.writeHead(wire.status, { ...wire.headers, 'x-acs-request-id': requestId, 'content-length': Buffer.byteLength(wire.body) });
  res.end(wire.body);
  if (body === 'too-large') drainThenClose(req);
}

/**
 * After refusing an oversized body: keep reading (and dropping) a bounded amount so that the client can read
 * the error instead of getting a reset, then close the connection.
 */
export function drainThenClose(req: IncomingMessage): void {
  let dropped = 0;
  const timer = setTimeout(() => req.socket.destroy(), 2_000);
  timer.unref();
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > 16 * LIMITS.maxBodyBytes) req.socket.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.resume();
}

function failEarly(err: ApiError, base: Omit<RawRequest, 'body'>, o: HttpServerOptions, req: IncomingMessage, body: Buffer = Buffer.alloc(0)): WireResponse {
  const format = peekFormat(base.rawQuery, body, req.headers['content-type']);
  return encodeError(err, { requestId: base.requestId, hostId: o.hostId, format, baseUrl: baseUrlOf(req) });
}

export function baseUrlOf(req: { headers: IncomingMessage['headers']; socket: IncomingMessage['socket'] }): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

const NO_BODY = Buffer.alloc(0);

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > LIMITS.maxBodyBytes) return Promise.resolve('too-large');
  // Nothing to read (no length and no chunked body): Node drops the empty message by itself once answered.
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) return Promise.resolve(NO_BODY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMITS.maxBodyBytes) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
