// Baseline servers for the benchmarks, run as their own pinned process:
//   http BODY_BYTES [PORT]   node:http answering every request with a constant JSON body of that size: the ceiling of
//                        an HTTP/1.1 server on this platform, since localrds is a node:http server too.
//   listeners COUNT FIRST_ADDRESS   COUNT bare net.Servers on consecutive 127.x addresses (memory per listener).
//   sink                 a stand-in database server: greets every connection with one byte and holds it open.
//   release SINK_PORT ADDRESS   a bare proxy on ADDRESS:3306 to the sink, opened by POST /open and torn down by
//                        POST /release (close the listener, reset every session's sockets, then answer): the floor of a Release.
// Prints "ready PORT" once it listens.
import http from 'node:http';
import net from 'node:net';

function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function ipv4ToNumber(s: string): number {
  return s.split('.').reduce((a, p) => a * 256 + Number(p), 0);
}

async function main(): Promise<void> {
  const [mode, arg, arg2] = process.argv.slice(2);
  if (mode === 'http') {
    const size = Number(arg);
    const body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(Math.max(0, size - 10)) }));
    const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json;charset=utf-8');
        res.setHeader('x-acs-request-id', '8E5B4A4B-7E0E-4E58-9F35-4CC8E7B0A0C1');
        res.end(body);
      });
    });
    server.listen(Number(arg2 ?? 0), '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as net.AddressInfo).port}\n`));
    return;
  }
  if (mode === 'listeners') {
    const count = Number(arg);
    const first = ipv4ToNumber(arg2 ?? '127.201.0.1');
    const servers: net.Server[] = [];
    for (let i = 0; i < count; i++) {
      const s = net.createServer((c) => c.destroy());
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: numberToIpv4(first + i), port: 3306, exclusive: true }, () => resolve());
      });
      servers.push(s);
    }
    // Holds the process open even with no listener (the zero-listener baseline).
    setInterval(() => undefined, 1 << 30);
    process.stdout.write(`ready ${servers.length}\n`);
    return;
  }
  if (mode === 'sink') {
    const held = new Set<net.Socket>();
    const server = net.createServer((c) => {
      held.add(c);
      c.on('error', () => c.destroy());
      c.on('close', () => held.delete(c));
      c.write('G');
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as net.AddressInfo).port}\n`));
    return;
  }
  if (mode === 'release') {
    const sinkPort = Number(arg);
    const address = arg2 ?? '127.254.0.1';
    let proxy: net.Server | undefined;
    const sessions = new Set<net.Socket>();
    const control = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/open') {
          const s = net.createServer({ noDelay: true }, (client) => {
            const backend = net.connect({ host: '127.0.0.1', port: sinkPort, noDelay: true });
            for (const sock of [client, backend]) {
              sessions.add(sock);
              sock.on('error', () => { client.destroy(); backend.destroy(); });
              sock.on('close', () => { sessions.delete(sock); client.destroy(); backend.destroy(); });
            }
            client.pipe(backend);
            backend.pipe(client);
          });
          s.listen({ host: address, port: 3306, exclusive: true }, () => { proxy = s; res.end('open'); });
          return;
        }
        const closed = proxy ? new Promise<void>((r) => proxy?.close(() => r())) : Promise.resolve();
        proxy = undefined;
        // Cut with a reset, as localrds cuts a released endpoint's sessions (proxy-session.ts resetSocket).
        for (const sock of sessions) {
          if (sock.connecting || sock.destroyed) sock.destroy();
          else sock.resetAndDestroy();
        }
        void closed.then(() => res.end('released'));
      });
    });
    control.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(control.address() as net.AddressInfo).port}\n`));
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((e: unknown) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
