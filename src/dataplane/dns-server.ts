// A tiny authoritative DNS server for the connection strings, on UDP and TCP of the same port, so that
// clients can use the real names (rm-xxx.mysql.rds.localrds.test) without editing /etc/hosts.
// Transport only; the answers come from dns-answer.ts.

import dgram from 'node:dgram';
import net from 'node:net';
import { answerDnsQuery, type NameResolver } from './dns-answer.js';
import type { DataPlaneLogger } from './types.js';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a port free on both UDP and TCP; the chosen one is reported back. */
  port: number;
  resolve: NameResolver;
  logger?: DataPlaneLogger;
}

export interface DnsServer {
  close(): Promise<void>;
  port: number;
}

// A TCP client that goes quiet is dropped, so idle connections cannot pile up.
const TCP_IDLE_MS = 10_000;
// With port 0 the TCP port is picked first; the same UDP port may be taken, so try a few times.
const PICK_ATTEMPTS = 20;

function listenTcp(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeListener('error', onError);
      resolve();
    });
  });
}

function serveTcpConnection(socket: net.Socket, resolve: NameResolver): void {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    // Each message is prefixed by its two-byte length (RFC 1035 4.2.2); several may arrive in one chunk.
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) break;
      const message = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      void answerDnsQuery(Buffer.from(message), resolve).then((answer) => {
        if (!answer || socket.destroyed) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(answer.length);
        socket.write(Buffer.concat([prefix, answer]));
      });
    }
  });
}

async function bindBoth(
  opts: DnsServerOptions,
  tcp: net.Server,
  makeUdp: () => dgram.Socket,
): Promise<{ udp: dgram.Socket; port: number }> {
  const attempts = opts.port === 0 ? PICK_ATTEMPTS : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i += 1) {
    const port = await listenTcp(tcp, opts.host, opts.port);
    const udp = makeUdp();
    try {
      await bindUdp(udp, opts.host, port);
      return { udp, port };
    } catch (err) {
      lastError = err;
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  }
  throw lastError;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveTcpConnection(socket, opts.resolve);
  });
  const makeUdp = (): dgram.Socket => dgram.createSocket(net.isIPv6(opts.host) ? 'udp6' : 'udp4');
  const { udp, port } = await bindBoth(opts, tcp, makeUdp);

  tcp.on('error', (err) => opts.logger?.error({ err: err.message }, 'dns tcp error'));
  udp.on('error', (err) => opts.logger?.error({ err: err.message }, 'dns udp error'));
  let closed = false;
  udp.on('message', (message, remote) => {
    void answerDnsQuery(message, opts.resolve).then((answer) => {
      // send() on a closed socket throws synchronously, and a slow resolve() may finish after close().
      if (!answer || closed) return;
      udp.send(answer, remote.port, remote.address, (err) => {
        if (err) opts.logger?.warn({ err: err.message }, 'dns udp send failed');
      });
    });
  });
  opts.logger?.info({ host: opts.host, port }, 'dns server listening');

  return {
    port,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.all([tcpClosed, new Promise<void>((resolve) => udp.close(() => resolve()))]);
    },
  };
}
