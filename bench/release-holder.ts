// The sessions of the release section (bench/sections/release.ts), held in a process of their own on the load
// core: it opens them on request, and reports when the last one closed (process.hrtime, the system's monotonic
// clock, which the section's own process reads too). The section's process keeps the prober and the API call, so
// that seeing a refused connect never waits behind the 'close' events of 100 sessions in the same event loop.
// Messages (IPC): {t:'open', host, port, n} -> {t:'ready'} | {t:'error', message}; then, once every session
// closed, {t:'closed', at}; {t:'drop'} destroys what is left -> {t:'dropped'}.
import net from 'node:net';

type Msg = { t: 'open'; host: string; port: number; n: number } | { t: 'drop' };

// A reset session fails with ECONNRESET before it closes: an error without a captured stack costs a fraction of one
// with it, and this process only reports when sessions closed.
Error.stackTraceLimit = 0;

const send = (m: object): void => {
  process.send?.(m);
};
let sessions: net.Socket[] = [];
// Sessions of an earlier open that close after a drop must not report for the next one.
let generation = 0;

process.on('message', (m: Msg) => {
  if (m.t === 'drop') {
    generation += 1;
    for (const s of sessions) s.destroy();
    sessions = [];
    send({ t: 'dropped' });
    return;
  }
  const opened = Array.from({ length: m.n }, () => new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: m.host, port: m.port });
    s.once('data', () => resolve(s));
    s.once('error', reject);
    s.once('close', () => reject(new Error('session closed before the greeting')));
  }));
  const mine = ++generation;
  Promise.all(opened).then((list) => {
    sessions = list;
    let open = list.length;
    let last = 0n;
    for (const s of list) {
      s.on('error', () => undefined);
      s.once('close', () => {
        last = process.hrtime.bigint();
        if (--open === 0 && generation === mine) send({ t: 'closed', at: String(last) });
      });
    }
    send({ t: 'ready' });
  }, (e: unknown) => send({ t: 'error', message: e instanceof Error ? e.message : String(e) }));
});
