// The data plane's fast paths (issue 11): accepted clients read into their session's own buffer
// (user-buffer-socket.ts) with the server's connection accounting intact, session counts of live() through
// shared memory (live-cells.ts), and a streaming worker that yields the core to a busy API thread and comes
// back once it is quiet (thread-governor.ts). Real sockets and the real MariaDB; addresses in 127.200-249.x.x.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { describe, it, type TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import { createDataPlane } from '../src/dataplane/data-plane.js';
import { createLiveReader, createLiveWriter } from '../src/dataplane/live-cells.js';
import { createStaticDesiredState } from '../src/dataplane/static-desired-state.js';
import { BUSY_API_NICE } from '../src/dataplane/thread-governor.js';
import type { EndpointLiveState } from '../src/dataplane/types.js';
import { adoptWithUserBuffer } from '../src/net/user-buffer-socket.js';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { pickPort } from './helpers/ports.js';
import { socketCounts } from './helpers/socket-counts.js';

const subnet = `127.${randomInt(200, 250)}.${randomInt(0, 256)}`;
let nextHost = 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail('condition not reached');
    await sleep(10);
  }
}

function entry(connectionString: string, openSessions: number, extra: Partial<EndpointLiveState> = {}): EndpointLiveState {
  return { connectionString, instanceId: `i-${connectionString}`, ipType: 'Public', address: '127.0.0.1', port: 3306, listening: true, openSessions, bindError: '', ...extra };
}

describe('live() across the thread boundary (live-cells)', () => {
  it('session counts move through shared memory without a message; a change of shape sends one', () => {
    const writer = createLiveWriter();
    const reader = createLiveReader();
    reader.take(writer.snapshot([entry('a', 0), entry('b', 0)]));
    // Counts only: nothing to send, and the reader sees them at once.
    assert.equal(writer.publish([entry('a', 3), entry('b', 1)]), undefined);
    assert.deepEqual(reader.read().map((e) => e.openSessions), [3, 1]);
    assert.deepEqual(reader.read(['i-b']).map((e) => [e.connectionString, e.openSessions]), [['b', 1]]);
    // A bind failure is a change of shape: a message, and until it arrives the reader keeps its own copies.
    const next = writer.publish([entry('a', 2), entry('b', 1, { listening: false, bindError: 'EADDRINUSE' })]);
    assert.ok(next, 'a change of shape is sent');
    assert.deepEqual(reader.read().map((e) => [e.openSessions, e.listening]), [[0, true], [0, true]], 'the old snapshot, with the counts it carried');
    reader.take(next);
    assert.deepEqual(reader.read().map((e) => [e.openSessions, e.listening, e.bindError]), [[2, true, ''], [1, false, 'EADDRINUSE']]);
    // A listener gone: the entries shift, and the counts follow the new order.
    reader.take(writer.publish([entry('b', 5, { listening: false, bindError: 'EADDRINUSE' })]) ?? assert.fail('sent'));
    assert.deepEqual(reader.read().map((e) => [e.connectionString, e.openSessions]), [['b', 5]]);
  });

  it('more listeners than the cells hold: new cells travel with the snapshot, and the old ones stop being read', () => {
    const writer = createLiveWriter();
    const reader = createLiveReader();
    const many = (n: number, sessions: number) => Array.from({ length: n }, (_, i) => entry(`e${i}`, sessions));
    reader.take(writer.snapshot(many(10, 1)));
    const grown = writer.publish(many(1000, 2));
    assert.ok(grown?.cells, 'a larger buffer is sent');
    assert.deepEqual(new Set(reader.read().map((e) => e.openSessions)), new Set([1]), 'the reader on the old cells uses its snapshot');
    reader.take(grown);
    assert.equal(writer.publish(many(1000, 7)), undefined);
    assert.equal(reader.read().length, 1000);
    assert.deepEqual(new Set(reader.read().map((e) => e.openSessions)), new Set([7]));
  });
});

describe('accepted sockets reading into a buffer of their own (user-buffer-socket)', () => {
  it('moves the handle: data reaches the callback, and the server still counts the connection', async (t) => {
    const chunks: string[] = [];
    let adopted: net.Socket | undefined;
    const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
      const buffer = Buffer.alloc(16);
      adopted = adoptWithUserBuffer(accepted, {
        buffer,
        callback: (n, buf) => {
          chunks.push(Buffer.from(buf.subarray(0, n)).toString());
          adopted?.write(`ack:${n};`);
          return true;
        },
      });
      assert.ok(adopted, 'a TCP socket of this Node can be adopted');
      adopted.resume();
    });
    server.maxConnections = 1;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    t.after(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    client.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.write('hello, 40 bytes of text in 16-byte reads');
    await until(() => chunks.join('') === 'hello, 40 bytes of text in 16-byte reads');
    assert.ok(chunks.every((c) => c.length <= 16), 'reads are bounded by the given buffer');
    await until(() => answer.includes('ack:'));

    // maxConnections counts the adopted socket: a second connection is dropped while it is open...
    const second = net.connect({ host: '127.0.0.1', port });
    const secondClosed = await new Promise<boolean>((resolve) => {
      second.on('error', () => undefined);
      second.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 1000);
    });
    assert.equal(secondClosed, true, 'the server still counts the adopted connection');
    // ...and close()'s callback waits for it, then runs once it is destroyed.
    let serverClosed = false;
    server.close(() => {
      serverClosed = true;
    });
    await sleep(50);
    assert.equal(serverClosed, false, 'close() waits for the adopted connection');
    adopted?.destroy();
    await until(() => serverClosed);
    client.destroy();
  });

  it('leaves a socket alone that it cannot take', () => {
    const lone = new net.Socket();
    let called = false;
    assert.equal(adoptWithUserBuffer(lone, { buffer: Buffer.alloc(8), callback: () => (called = true) }), undefined);
    assert.equal(called, false);
  });
});

async function mysqlEndpoint(): Promise<EndpointRecord> {
  const address = `${subnet}.${nextHost++}`;
  return {
    accountId: 'acc-pdp' as AccountId, instanceId: 'rm-pdp' as InstanceId, connectionString: `rm-pdp-${nextHost}.rds.localrds.test`,
    ipType: 'Public', address, port: await pickPort(address), createdAt: '2026-01-01T00:00:00Z', bindError: '',
  };
}

/** A data plane in this thread with one MySQL endpoint open to 127.0.0.0/8, relaying to 127.0.0.1:`port`. */
async function planeTo(t: TestContext, port: number, onBulkRead?: () => void): Promise<{ endpoint: EndpointRecord; plane: ReturnType<typeof createDataPlane> }> {
  const endpoint = await mysqlEndpoint();
  const desired = createStaticDesiredState({
    endpoints: [endpoint],
    groups: [{ accountId: endpoint.accountId, instanceId: endpoint.instanceId, name: 'default', attribute: '', ips: ['127.0.0.1/8'], whitelistNetworkType: 'MIX' }],
    engines: { [endpoint.instanceId]: 'MySQL' },
  });
  const log = () => undefined;
  const plane = createDataPlane({
    load: desired.load, backends: { mysql: { host: '127.0.0.1', port } }, logger: { info: log, warn: log, error: log },
    reportBindError: async () => undefined, ...(onBulkRead ? { onBulkRead } : {}),
  });
  t.after(() => plane.close());
  await plane.reconcile();
  return { endpoint, plane };
}

describe('the proxy path with user buffers both ways', () => {
  it('moves a 6 MB upload (12 MB of SQL text) and its read-back intact (client -> backend backpressure), then leaves no socket', async (t: TestContext) => {
    let bulkReads = 0;
    const { endpoint, plane } = await planeTo(t, 3306, () => void (bulkReads += 1));
    const c = await mysql.createConnection({ host: endpoint.address, port: endpoint.port, user: 'root', database: 'test' });
    try {
      const blob = randomBytes(6 * 1024 * 1024);
      await c.query('CREATE TEMPORARY TABLE pdp_blob (b LONGBLOB)');
      await c.query('INSERT INTO pdp_blob VALUES (?)', [blob]);
      const [rows] = await c.query('SELECT b FROM pdp_blob');
      const back = (rows as Array<{ b: Buffer }>)[0]?.b;
      assert.equal(back?.length, blob.length);
      assert.equal(createHash('sha256').update(back as Buffer).digest('hex'), createHash('sha256').update(blob).digest('hex'));
      assert.ok(bulkReads > 0, 'full reads are reported (the governor hears of the stream)');
      assert.equal(plane.stats().sessions, 1);
    } finally {
      await c.end();
    }
    await until(() => plane.stats().sessions === 0);
    assert.ok(plane.stats().bytesFromClients > 12 * 1024 * 1024, 'the upload went through the client side of the session');
    assert.deepEqual(socketCounts(plane.stats()), { listeners: 1, sessions: 0, backendSockets: 0 });
  });
});

describe('the proxy path when a reader stalls', () => {
  it('a small write queued behind a full socket still resumes the reader once it is flushed (no drain is emitted for it)', async (t: TestContext) => {
    // The backend trickles 1,000-byte writes, so the proxy's reads and writes are small; the client reads nothing
    // for a while, so the proxy's socket to it fills and a small write is left queued. A write below the
    // high-water mark returns true and is never followed by 'drain': a session that waited for one stalled
    // forever (the backend then timed out; MariaDB cut it after net_write_timeout and the client hung).
    const TOTAL = 24 * 1024 * 1024;
    const piece = Buffer.alloc(1000, 7);
    const backend = net.createServer((s) => {
      s.on('error', () => undefined);
      let sent = 0;
      const more = (): void => {
        while (sent < TOTAL) {
          const n = Math.min(piece.length, TOTAL - sent);
          sent += n;
          if (!s.write(piece.subarray(0, n))) return void s.once('drain', more);
          if (sent % (4 * piece.length) === 0) return void setImmediate(more);
        }
        s.end();
      };
      more();
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
    t.after(() => backend.close());
    const { endpoint, plane } = await planeTo(t, (backend.address() as net.AddressInfo).port);
    const client = net.connect({ host: endpoint.address, port: endpoint.port });
    client.pause();
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await sleep(1500); // long enough for every buffer on the way to fill
    let got = 0;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    client.on('data', (d: Buffer) => void (got += d.length));
    client.resume();
    const done = await Promise.race([ended.then(() => true), sleep(15_000).then(() => false)]);
    client.destroy();
    assert.ok(done, `the stream stalled after ${got} of ${TOTAL} bytes`);
    assert.equal(got, TOTAL);
    await until(() => plane.stats().sessions === 0);
  });
});

// The governor in a thread of its own, as in the server: it reports its kernel id, then streams (bulk() calls)
// for as long as it is told to.
const GOVERNOR_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then(({ createThreadGovernor, currentThreadId }) => {
  const governor = createThreadGovernor({ apiThreadId: process.pid });
  let streaming = false;
  parentPort.on('message', (m) => {
    if (m === 'stream') streaming = true;
    if (m === 'stop') { streaming = false; }
    if (m === 'close') { governor.close(); parentPort.close(); }
  });
  const tick = () => { if (streaming) for (let i = 0; i < 64; i++) governor.bulk(); setTimeout(tick, 1).unref?.(); };
  tick();
  setInterval(() => undefined, 1000);
  parentPort.postMessage({ tid: currentThreadId() });
});
`;

/** Keeps this (the "API") thread busy for ms milliseconds. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe('a streaming worker yields to a busy API thread (thread-governor)', () => {
  it('raises its nice value while this thread is busy and it streams, and returns to 0 once this thread is idle', async (t) => {
    assert.equal(process.platform, 'linux', 'the governor is Linux-only');
    const worker = new Worker(GOVERNOR_WORKER, { eval: true, workerData: { url: new URL('../src/dataplane/thread-governor.js', import.meta.url).href } });
    t.after(() => worker.terminate());
    const { tid } = await new Promise<{ tid: number }>((resolve) => worker.once('message', resolve));
    assert.ok(Number.isInteger(tid) && tid !== process.pid);
    assert.equal(os.getPriority(tid), 0);

    // Busy without a stream: nothing changes.
    spin(150);
    await sleep(30);
    assert.equal(os.getPriority(tid), 0, 'no stream, no yielding');

    // Busy while it streams: it yields. (The spin blocks this thread; the worker runs on its own.)
    worker.postMessage('stream');
    await sleep(30);
    for (let i = 0; i < 10 && os.getPriority(tid) === 0; i++) spin(100);
    assert.equal(os.getPriority(tid), BUSY_API_NICE, 'yields while the API thread is busy');

    // This thread goes idle, the stream goes on: it comes back to 0 by itself.
    await until(() => os.getPriority(tid) === 0, 2000);
    worker.postMessage('stop');
    worker.postMessage('close');
  });
});
