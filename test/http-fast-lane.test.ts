// The HTTP fast lane (src/http/fast-lane.ts) on real sockets: the official SDK over kept-alive plain HTTP, answers
// identical to node:http's, requests split byte by byte and pipelined, connections that start in the fast lane and
// are handed to node:http (chunked body, admin route, HTTP/1.0), Connection: close, the size limits' catalogued
// errors, and the header, request and keep-alive deadlines, also for a request handed off half-way.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { HTTP_LIMITS } from '../src/http/server.js';
import { rdsClient, req } from './helpers/clients.js';
import { assertWireError, httpBytes, parseResponse, type RawAnswer } from './helpers/hardening-wire.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { formEncode, v1Params, v3Headers } from './helpers/sign.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s.stop(); });

const list = { RegionId: 'cn-hangzhou' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer extends RawAnswer { head: string }

/** A client connection that writes raw bytes and reads the answers back one by one, in order. */
class Client {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  closedAt: number | undefined;
  readonly closed: Promise<void>;
  readonly socket: net.Socket;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.wake?.(); });
    this.closed = new Promise((r) => this.socket.once('close', () => { this.closedAt = Date.now(); this.wake?.(); r(); }));
  }

  write(b: Buffer | string): void { this.socket.write(b); }

  /** Writes the bytes `size` at a time, each piece its own write (noDelay), `pauseMs` apart. */
  async trickle(b: Buffer, size: number, pauseMs: number): Promise<void> {
    for (let i = 0; i < b.length && !this.socket.destroyed; i += size) {
      this.socket.write(b.subarray(i, i + size));
      await sleep(pauseMs);
    }
  }

  /** The next whole answer; undefined when the connection closes first. */
  async answer(timeoutMs = 10_000): Promise<Answer | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const a = parseResponse(this.buf);
      if (a !== undefined) {
        const end = this.buf.indexOf('\r\n\r\n');
        const head = this.buf.subarray(0, end).toString('latin1');
        assert.ok(a.headers['content-length'] !== undefined, `every answer has a length: ${head}`);
        this.buf = this.buf.subarray(end + 4 + a.body.length);
        return { ...a, head };
      }
      if (this.closedAt !== undefined) return undefined;
      if (Date.now() > until) throw new Error(`no answer within ${timeoutMs} ms: ${this.buf.toString('latin1').slice(0, 200)}`);
      await new Promise<void>((r) => { this.wake = r; setTimeout(r, 50); });
    }
  }

  close(): void { this.socket.destroy(); }
}

function v3Bytes(server: TestServer, action: string, query: Record<string, string>, extra: Array<[string, string]> = []): Buffer {
  const { path, headers } = v3Headers(server.endpoint, server.credentials, action, query);
  return httpBytes({ method: 'POST', target: path, headers: [...Object.entries(headers), ...extra] });
}

function v1FormBytes(server: TestServer, params: Record<string, string>, extra: Array<[string, string]> = [], chunked = false): Buffer {
  const body = Buffer.from(formEncode(v1Params(server.credentials, 'POST', params)));
  const headers: Array<[string, string]> = [['Content-Type', 'application/x-www-form-urlencoded'], ...extra];
  if (!chunked) return httpBytes({ method: 'POST', target: '/', headers, body });
  const framed = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  return httpBytes({ method: 'POST', target: '/', headers: [...headers, ['Transfer-Encoding', 'chunked']], body: framed });
}

const json = (a: Answer | undefined): Record<string, unknown> => JSON.parse(a?.body.toString('utf8') ?? 'null') as Record<string, unknown>;

function assertOk(a: Answer | undefined, what: string): Record<string, unknown> {
  assert.ok(a !== undefined, `${what}: answered`);
  assert.equal(a.status, 200, `${what}: ${a.body.toString('utf8').slice(0, 300)}`);
  const body = json(a);
  assert.equal(a.headers['x-acs-request-id'], body.RequestId, `${what}: request id header`);
  return body;
}

test('the official SDK over plain HTTP: V3 and V1 calls, one after another and at once, on kept-alive connections', async () => {
  const v3 = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
  const v1 = rdsClient(s.endpoint, s.credentials, { protocol: 'http', v1: true });
  for (let i = 0; i < 10; i++) {
    for (const c of [v3, v1]) {
      const r = await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }));
      assert.equal(r.statusCode, 200);
      assert.match(r.body.requestId, /^[0-9A-F-]{36}$/);
    }
  }
  const many = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? v1 : v3).describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }))));
  for (const r of many) assert.equal(r.statusCode, 200);
  assert.equal(new Set(many.map((r) => r.body.requestId)).size, 12);
  // An error through the SDK: the catalogued code reaches the client as it does through node:http.
  await assert.rejects(v3.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: 'rm-nothere' })), (e: { code?: string }) => {
    assert.equal(e.code, 'InvalidDBInstanceId.NotFound');
    return true;
  });
});

test('the fast lane answers as node:http does: same status line, headers in the same order, same body', async () => {
  // The same requests on a fresh connection (fast lane) and on one that /health handed to node:http.
  const fast = new Client(s.port);
  const slow = new Client(s.port);
  try {
    slow.write('GET /_localrds/health HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await slow.answer())?.status, 200);
    const mask = (a: Answer | undefined) => {
      assert.ok(a !== undefined);
      const id = a.headers['x-acs-request-id'] ?? '';
      assert.match(id, /^[0-9A-F-]{36}$/);
      return {
        head: a.head.replaceAll(id, 'ID').replace(/\r\nDate: [^\r]+/, '\r\nDate: D'),
        body: a.body.toString('utf8').replaceAll(id, 'ID'),
      };
    };
    const cases: Array<() => Buffer> = [
      () => v3Bytes(s, 'DescribeDBInstances', list),
      () => v1FormBytes(s, { Action: 'DescribeDBInstances', ...list }),
      () => httpBytes({ method: 'GET', target: '/?Action=DescribeDBInstances&Format=XML', headers: [['Host', 'somewhere:1']] }),
      () => v3Bytes(s, 'DescribeDBInstances', list, [['Connection', 'close']]),
    ];
    for (const [i, make] of cases.entries()) {
      fast.write(make());
      slow.write(make());
      const a = mask(await fast.answer());
      const b = mask(await slow.answer());
      assert.deepEqual(a, b, `case ${i}`);
    }
    await Promise.all([fast.closed, slow.closed]);
  } finally {
    fast.close();
    slow.close();
  }
});

test('a request split byte by byte, then one in 7-byte pieces, on the same connection', async () => {
  const c = new Client(s.port);
  try {
    await c.trickle(v1FormBytes(s, { Action: 'DescribeDBInstances', ...list }), 1, 0);
    assertOk(await c.answer(), 'byte by byte');
    await c.trickle(v3Bytes(s, 'DescribeDBInstances', list), 7, 1);
    assertOk(await c.answer(), 'in pieces');
  } finally {
    c.close();
  }
});

test('connections reading in turns (one shared read buffer): halves, bodies and pipelines kept apart', async () => {
  // Every fast-lane connection reads into the same buffer: whatever one keeps past its read (half a request, a
  // body, the rest of a pipeline) must be its own copy, or the next connection's read would overwrite it.
  const clients = Array.from({ length: 4 }, () => new Client(s.port));
  try {
    for (let round = 0; round < 3; round++) {
      // V1 form bodies (signed over the body's bytes) and V3 calls, each cut in two; every first half is written
      // before any second half, so each connection's leftover sits through the other connections' reads.
      const reqs = clients.map((_, i) => (i % 2 === 0
        ? v1FormBytes(s, { Action: 'DescribeDBInstances', ...list, PageNumber: String(30 + i) })
        : v3Bytes(s, 'DescribeDBInstances', { ...list, PageNumber: String(30 + i) })));
      const cut = reqs.map((r) => Math.floor(r.length * (0.3 + 0.1 * round)));
      clients.forEach((c, i) => c.write((reqs[i] as Buffer).subarray(0, cut[i])));
      await sleep(20);
      clients.forEach((c, i) => c.write((reqs[i] as Buffer).subarray(cut[i])));
      for (const [i, c] of clients.entries()) {
        // PageNumber is echoed: each client must get the answer to its own request.
        assert.equal(assertOk(await c.answer(), `client ${i}, round ${round}`).PageNumber, 30 + i, `client ${i} got its own answer`);
      }
      // And two requests pipelined in one write per client, all clients at once.
      clients.forEach((c, i) => c.write(Buffer.concat([v3Bytes(s, 'DescribeDBInstances', { ...list, PageNumber: String(40 + i) }),
        v1FormBytes(s, { Action: 'DescribeDBInstances', ...list, PageNumber: String(50 + i) })])));
      for (const [i, c] of clients.entries()) {
        assert.equal(assertOk(await c.answer(), `pipelined ${i}`).PageNumber, 40 + i);
        assert.equal(assertOk(await c.answer(), `pipelined ${i}`).PageNumber, 50 + i);
      }
    }
  } finally {
    for (const c of clients) c.close();
  }
});

test('pipelined requests are answered in order, a replay among them refused', async () => {
  const c = new Client(s.port);
  try {
    const first = v3Bytes(s, 'DescribeDBInstances', list);
    const all = [first, v1FormBytes(s, { Action: 'DescribeDBInstances', ...list }), v3Bytes(s, 'DescribeDBInstances', list), first,
      httpBytes({ method: 'GET', target: '/?Action=DescribeRegions' })];
    c.write(Buffer.concat(all));
    assert.ok('Items' in assertOk(await c.answer(), '1'));
    assert.ok('Items' in assertOk(await c.answer(), '2'));
    assert.ok('Items' in assertOk(await c.answer(), '3'));
    const replay = await c.answer();
    assert.ok(replay !== undefined);
    assert.equal(assertWireError(replay, 'JSON').Code, 'SignatureNonceUsed');
    const unsigned = await c.answer();
    assert.ok(unsigned !== undefined);
    assert.equal(assertWireError(unsigned, 'JSON').Code, 'MissingParameter');
    // And the connection is still kept.
    c.write(v3Bytes(s, 'DescribeDBInstances', list));
    assertOk(await c.answer(), 'after the pipeline');
  } finally {
    c.close();
  }
});

test('a connection that starts in the fast lane and is handed to node:http keeps being served', async () => {
  const a = new Client(s.port);
  const b = new Client(s.port);
  try {
    // Fast, then a chunked body (node:http from here on), then an RPC call and an admin route.
    a.write(v3Bytes(s, 'DescribeDBInstances', list));
    assertOk(await a.answer(), 'fast');
    a.write(v1FormBytes(s, { Action: 'DescribeDBInstances', ...list }, [], true));
    assertOk(await a.answer(), 'chunked');
    a.write(v3Bytes(s, 'DescribeDBInstances', list));
    assertOk(await a.answer(), 'after the hand-off');
    a.write('GET /_localrds/health HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await a.answer())?.status, 200);
    // All of it pipelined in one write, the hand-off in the middle, then an HTTP/1.0 request, which closes.
    b.write(Buffer.concat([v3Bytes(s, 'DescribeDBInstances', list), Buffer.from('GET /_localrds/health HTTP/1.1\r\nHost: x\r\n\r\n'),
      v1FormBytes(s, { Action: 'DescribeDBInstances', ...list }), httpBytes({ method: 'GET', target: '/?Action=DescribeRegions', version: 'HTTP/1.0' })]));
    assertOk(await b.answer(), 'pipelined fast');
    assert.equal((await b.answer())?.status, 200, 'pipelined health');
    assertOk(await b.answer(), 'pipelined after the hand-off');
    const old = await b.answer();
    assert.ok(old !== undefined);
    assert.equal(assertWireError(old, 'JSON').Code, 'MissingParameter');
    await b.closed;
  } finally {
    a.close();
    b.close();
  }
});

test('Connection: close is honoured: the answer says so, nothing after it is answered, the connection ends', async () => {
  const c = new Client(s.port);
  try {
    c.write(Buffer.concat([v3Bytes(s, 'DescribeDBInstances', list, [['Connection', 'close']]), v3Bytes(s, 'DescribeDBInstances', list)]));
    const a = await c.answer();
    assertOk(a, 'close');
    assert.equal(a?.headers.connection, 'close');
    assert.equal(a?.headers['keep-alive'], undefined);
    await c.closed;
    assert.equal(await c.answer(), undefined);
    // Without it, the answer keeps the connection, as node:http does.
    const k = new Client(s.port);
    k.write(v3Bytes(s, 'DescribeDBInstances', list, [['Connection', 'keep-alive']]));
    const b = await k.answer();
    assert.equal(b?.headers.connection, 'keep-alive');
    assert.equal(b?.headers['keep-alive'], `timeout=${HTTP_LIMITS.keepAliveTimeoutMs / 1000}`);
    k.close();
  } finally {
    c.close();
  }
});

test('after fast requests, an oversized header block or body still gets the catalogued error', async () => {
  const h = new Client(s.port);
  const b = new Client(s.port);
  try {
    h.write(v3Bytes(s, 'DescribeDBInstances', list));
    assertOk(await h.answer(), 'fast');
    h.write(httpBytes({ method: 'GET', target: '/?Action=DescribeRegions', headers: [['X-Big', 'a'.repeat(HTTP_LIMITS.maxHeaderSize)]] }));
    const big = await h.answer();
    assert.ok(big !== undefined);
    assert.equal(assertWireError(big, 'JSON').Code, 'InvalidRequest.TooLarge');
    b.write(v1FormBytes(s, { Action: 'DescribeDBInstances', ...list }));
    assertOk(await b.answer(), 'fast');
    b.write(httpBytes({ method: 'POST', target: '/', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: Buffer.alloc(300 * 1024, 0x61) }));
    const large = await b.answer();
    assert.ok(large !== undefined);
    assert.equal(assertWireError(large, 'JSON').Code, 'InvalidRequest.TooLarge');
    assert.equal(large.headers.connection, 'close');
  } finally {
    h.close();
    b.close();
  }
});

test('slow clients are cut off from their request\'s first byte, in the fast lane and after a hand-off; idle ones after the keep-alive timeout', { timeout: 30_000 }, async () => {
  const saved = { ...HTTP_LIMITS };
  // The same code with the deadlines scaled down. node:http checks its own every second (connectionsCheckingInterval).
  Object.assign(HTTP_LIMITS, { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 6000 });
  const t = await startTestServer();
  const clients: Client[] = [];
  const open = () => { const c = new Client(t.port); clients.push(c); return c; };
  const timedOut = async (c: Client, t0: number, limit: number, what: string) => {
    const a = await c.answer(15_000);
    const ms = Date.now() - t0;
    assert.ok(a !== undefined, `${what}: answered`);
    assert.equal(assertWireError(a, 'JSON').Code, 'InvalidRequest.Timeout', what);
    await c.closed;
    assert.ok(ms < limit, `${what}: cut off after ${ms} ms (limit ${limit})`);
  };
  try {
    await Promise.all([
      (async () => {
        // Headers of a fast-lane request, one byte every 100 ms, never finished.
        const c = open();
        const t0 = Date.now();
        void c.trickle(Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\n${'X-Slow: 1\r\n'.repeat(20)}`), 1, 100);
        await timedOut(c, t0, 2000 + 800, 'fast-lane headers');
      })(),
      (async () => {
        // A kept connection idle past the header timeout, then a second request trickled: its own deadline.
        const c = open();
        c.write(v3Bytes(t, 'DescribeDBInstances', list));
        assertOk(await c.answer(), 'first');
        await sleep(2500);
        const t0 = Date.now();
        void c.trickle(Buffer.from('GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\n'), 1, 150);
        await timedOut(c, t0, 2000 + 800, 'second request');
      })(),
      (async () => {
        // A whole head, a body that never completes.
        const c = open();
        const t0 = Date.now();
        c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=');
        await timedOut(c, t0, 4000 + 800, 'fast-lane body');
      })(),
      (async () => {
        // Handed off after 1.5 s (at the "_" of /_localrds): node:http alone would give it until 3.5 s or later.
        const c = open();
        const t0 = Date.now();
        await c.trickle(Buffer.from('GET /_'), 1, 300);
        void c.trickle(Buffer.from('localrds/health HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n'), 1, 150);
        await timedOut(c, t0, 2000 + 800, 'handed-off headers');
      })(),
      (async () => {
        // A chunked head trickled over about 1.5 s (handed off once complete), then a body that never completes:
        // node:http alone would allow until 5.5 s or later.
        const c = open();
        const t0 = Date.now();
        const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n';
        await c.trickle(Buffer.from(head), Math.ceil(head.length / 10), 150);
        c.write('5\r\nActio');
        await timedOut(c, t0, 4000 + 800, 'handed-off body');
      })(),
      (async () => {
        // Idle after an answer: closed after the keep-alive timeout, not before.
        const c = open();
        c.write(v3Bytes(t, 'DescribeDBInstances', list));
        assertOk(await c.answer(), 'before idling');
        const idleFrom = Date.now();
        await c.closed;
        const ms = (c.closedAt ?? 0) - idleFrom;
        assert.ok(ms > 6000 - 200 && ms < 6000 + 1500, `idle connection closed after ${ms} ms`);
      })(),
    ]);
  } finally {
    for (const c of clients) c.close();
    Object.assign(HTTP_LIMITS, saved);
    await t.stop();
  }
});

test('stopping the server ends fast-lane connections, idle or mid-request', async () => {
  const t = await startTestServer();
  const idle = new Client(t.port);
  const partial = new Client(t.port);
  try {
    idle.write(v3Bytes(t, 'DescribeDBInstances', list));
    assertOk(await idle.answer(), 'before stop');
    partial.write('POST / HTTP/1.1\r\nHost: x\r\n');
    await sleep(100);
    const t0 = Date.now();
    await t.stop();
    await Promise.all([idle.closed, partial.closed]);
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    idle.close();
    partial.close();
  }
});
