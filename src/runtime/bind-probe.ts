// The real BindProbe (handlers/allocate.ts): bind address:port exclusively and let go at once. Only the bind is
// tried, so a probe never accepts a connection.
import net from 'node:net';
import type { BindProbe } from '../handlers/allocate.js';

export const probeBind: BindProbe = (address, port) => new Promise((resolve) => {
  const server = net.createServer();
  server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve('')));
});
