// The fast lane's keep-alive deadline counts from the last answer although its timer is not refreshed per answer
// (src/http/fast-lane.ts, armIdle), and the one-test header check (HEADER_LINES) keeps refusing what the
// per-header checks refused: these requests are handed to node:http, which answers them itself.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { HTTP_LIMITS } from '../src/http/server.js';
import { httpBytes, parseResponse, type RawAnswer } from './helpers/hardening-wire.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { v3Headers } from './helpers/sign.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One connection: raw bytes out, whole answers back in order. */
function connect(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  let buf = Buffer.alloc(0);
  let closedAt: number | undefined;
  socket.on('error', () => undefined);
  socket.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); });
  const closed = new Promise<void>((r) => socket.once('close', () => { closedAt = Date.now(); r(); }));
  return {
    socket,
    closed,
    closedAt: () => closedAt,
    async answer(): Promise<RawAnswer | undefined> {
      const until = Date.now() + 10_000;
      for (;;) {
        const a = parseResponse(buf);
        if (a !== undefined) {
          buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4 + a.body.length);
          return a;
        }
        if (closedAt !== undefined) return undefined;
        if (Date.now() > until) throw new Error('no answer');
        await sleep(20);
      }
    },
  };
}

function signed(s: TestServer, extra: Array<[string, string]> = [], pad = (v: string) => v): Buffer {
  const { path, headers } = v3Headers(s.endpoint, s.credentials, 'DescribeDBInstances', { RegionId: 'cn-hangzhou' });
  return httpBytes({ method: 'POST', target: path, headers: [...Object.entries(headers).map(([k, v]): [string, string] => [k, pad(v)]), ...extra] });
}

test('an idle kept connection closes a keep-alive timeout after its last answer, not after its first', { timeout: 30_000 }, async () => {
  const saved = { ...HTTP_LIMITS };
  Object.assign(HTTP_LIMITS, { keepAliveTimeoutMs: 3000 });
  const s = await startTestServer();
  const c = connect(s.port);
  try {
    // Answers at 0, 1.2 and 2.4 s: the timer armed by the first would fire at 3 s; the deadline is 5.4 s.
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(1200);
      c.socket.write(signed(s));
      assert.equal((await c.answer())?.status, 200, `answer ${i}`);
    }
    const idleFrom = Date.now();
    await c.closed;
    const ms = (c.closedAt() ?? 0) - idleFrom;
    assert.ok(ms > 3000 - 200 && ms < 3000 + 1500, `idle connection closed ${ms} ms after its last answer`);
  } finally {
    c.socket.destroy();
    Object.assign(HTTP_LIMITS, saved);
    await s.stop();
  }
});

test('header values padded with spaces and tabs are trimmed; malformed header lines go to node:http', async () => {
  const s = await startTestServer();
  try {
    const padded = connect(s.port);
    padded.socket.write(signed(s, [], (v) => ` \t${v}\t `));
    assert.equal((await padded.answer())?.status, 200, 'padded values: the signature still matches');
    padded.socket.destroy();
    // Each of these fails node:http's parser (400, connection closed) as it did the per-header checks.
    const bad: Array<[string, Buffer]> = [
      ['obs-fold', Buffer.concat([signed(s).subarray(0, -2), Buffer.from(' folded\r\n\r\n')])],
      ['control character', signed(s, [['X-Odd', 'a\u0001b']])],
      ['bare LF', Buffer.from(signed(s).toString('latin1').replace('\r\nx-acs-action', '\nx-acs-action'), 'latin1')],
      ['no colon', Buffer.from(signed(s, [['X-No-Colon-Here', '']]).toString('latin1').replace('X-No-Colon-Here: ', 'X-No-Colon-Here'), 'latin1')],
    ];
    for (const [what, bytes] of bad) {
      const c = connect(s.port);
      c.socket.write(bytes);
      const a = await c.answer();
      assert.equal(a?.status, 400, what);
      await c.closed;
    }
  } finally {
    await s.stop();
  }
});
