// A random free TCP port on a given local address, for tests that bind listeners of their own.
import net from 'node:net';

export async function pickPort(address: string): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host: address, port }, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** 'connected', or the error code of one connect attempt (from localAddress when given). */
export function connectOutcome(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** The protocol version byte of the greeting a MySQL/MariaDB server (or a proxy to one) sends first; 10 today. */
export function greetingProtocol(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no greeting from ${host}:${port}`)));
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      resolve(data[4] ?? -1);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`${host}:${port} closed without a greeting`)));
  });
}
