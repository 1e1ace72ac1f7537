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
