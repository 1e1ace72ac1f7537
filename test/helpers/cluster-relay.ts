// A TCP relay the test controls, between one localrds node and PostgreSQL: `cut()` stops accepting (new connects
// are refused) and destroys every relayed connection, as a network partition between that node and its store.
import net from 'node:net';

export interface Relay {
  port: number;
  /** Connections relayed so far (accepted), and open now. */
  stats(): { accepted: number; open: number };
  cut(): Promise<void>;
  close(): Promise<void>;
}

export async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(target);
    open.add(client);
    open.add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  let closed: Promise<void> | undefined;
  const cut = () => {
    closed ??= new Promise<void>((r) => server.close(() => r()));
    for (const s of open) s.destroy();
    open.clear();
    return closed;
  };
  return { port, stats: () => ({ accepted, open: open.size / 2 }), cut, close: cut };
}
