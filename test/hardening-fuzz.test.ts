// Hostile input over real sockets: at least 10,000 random and malformed requests per run (fast-check), each
// answered with a catalogued error in the requested format, never a 5xx, never a crash, never a 200 for a
// request whose signature was broken; then the limits (body, headers, parameters, slow clients, connections)
// one by one. LOCALRDS_FUZZ_REQUESTS and LOCALRDS_FUZZ_SEED change the size and replay a run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { createEndpointListener } from '../src/dataplane/endpoint-listener.js';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { HTTP_LIMITS } from '../src/http/server.js';
import { LIMITS } from '../src/protocol/rpc-request.js';
import { createKey, DEFAULT_ACCOUNT_ID } from '../src/runtime/accounts.js';
import { build, planArbitrary, type Plan, type World } from './helpers/hardening-requests.js';
import { assertWireError, httpBytes, JSON_TYPE, pool, rawSend, XML_TYPE, type RawOutcome } from './helpers/hardening-wire.js';
import { dropSchema, hardeningPools, pgSchema, waitRunning } from './helpers/hardening-state.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { formEncode, v1Get, v1Params } from './helpers/sign.js';

const REQUESTS = Number(process.env.LOCALRDS_FUZZ_REQUESTS ?? 10_000);
const BATCH = 10;
const SEED = process.env.LOCALRDS_FUZZ_SEED === undefined ? undefined : Number(process.env.LOCALRDS_FUZZ_SEED);

const PG_REQUESTS = Number(process.env.LOCALRDS_FUZZ_PG_REQUESTS ?? 1_000);

interface Target { s: TestServer; world: World; logged: Array<{ level: string; msg?: string; o: object }>; cleanup(): Promise<void> }

async function ok(a: Promise<{ status: number; text: string; json: Record<string, unknown> | undefined }>): Promise<Record<string, unknown>> {
  const r = await a;
  assert.equal(r.status, 200, r.text);
  return r.json as Record<string, unknown>;
}

/** A server with two instances (deletion-protected: the fuzzer may well send a valid DeleteDBInstance), a public endpoint and four kinds of keys. */
async function target(db?: { url: string; schema: string }): Promise<Target> {
  const logged: Target['logged'] = [];
  const logger = {
    info() {},
    warn(o: object, msg?: string) { logged.push({ level: 'warn', msg, o }); },
    error(o: object, msg?: string) { logged.push({ level: 'error', msg, o }); },
  };
  // tmpfs: the nonce of every signed request is an fsync'ed write; the suite measures the server, not the disk.
  const dataDir = mkdtempSync('/dev/shm/localrds-fuzz-');
  const s = await startTestServer({ keepDataDir: dataDir, logger, db: db?.url, service: hardeningPools() });
  const cleanup = async () => {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (db) await dropSchema(db.schema);
  };
  try {
    return { s, logged, cleanup, world: await populate(s) };
  } catch (e) {
    await cleanup(); // a server left running would keep this test process alive
    throw e;
  }
}

let made = 0;
/** The connection strings of each instance made here (a deleted one's are dropped from the world with it). */
const connectionsOf = new Map<string, string[]>();

/** A deletion-protected MySQL instance, Running; the first one of a world also gets a public connection. */
async function makeInstance(s: TestServer, withPublic: boolean): Promise<{ id: string; connectionStrings: string[] }> {
  const c = s.credentials;
  made++;
  const a = await ok(v1Get(s.endpoint, c, {
    Action: 'CreateDBInstance', RegionId: 'cn-hangzhou', Engine: 'MySQL', EngineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1',
    DBInstanceStorage: '20', DBInstanceNetType: 'Intranet', PayType: 'Postpaid', SecurityIPList: '127.0.0.1', ConnectionString: `fuzz-${made}-instance`,
    DeletionProtection: 'true',
  }));
  const id = String(a.DBInstanceId);
  await waitRunning(s.endpoint, c, id);
  const connectionStrings = [String(a.ConnectionString)];
  if (withPublic) {
    const pub = await ok(v1Get(s.endpoint, c, { Action: 'AllocateInstancePublicConnection', DBInstanceId: id, ConnectionStringPrefix: `fuzzpublic${made}`, Port: '3306' }));
    connectionStrings.push(String(pub.ConnectionString));
  }
  connectionsOf.set(id, connectionStrings);
  return { id, connectionStrings };
}

async function populate(s: TestServer): Promise<World> {
  const a = await makeInstance(s, true);
  const b = await makeInstance(s, false);
  const disabled = await createKey(s.store, DEFAULT_ACCOUNT_ID);
  await s.store.tx((r) => r.accounts.putKey({ ...disabled, status: 'Inactive' }));
  const readOnly = await createKey(s.store, DEFAULT_ACCOUNT_ID,
    JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['rds:Describe*'], Resource: ['*'] }] }));
  return {
    keys: {
      main: s.credentials, other: s.other,
      disabled: { accessKeyId: disabled.accessKeyId, accessKeySecret: disabled.secret },
      readOnly: { accessKeyId: readOnly.accessKeyId, accessKeySecret: readOnly.secret },
    },
    instanceIds: [a.id, b.id],
    connectionStrings: [...a.connectionStrings, ...b.connectionStrings],
  };
}

/**
 * The fuzzer may lift an instance's deletion protection and then delete it (both are valid requests); without a
 * replacement every later request naming it ends at InvalidDBInstanceId.NotFound, and how many requests still reach
 * a handler would depend on how early in the run that happened. After a batch with a DeleteDBInstance answered 200,
 * each world instance that is gone (or going) is replaced by a new one.
 */
async function replaceDeleted(s: TestServer, world: World): Promise<number> {
  let replaced = 0;
  for (const [at, id] of world.instanceIds.entries()) {
    const a = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstanceAttribute', DBInstanceId: id });
    const status = (a.json?.Items as { DBInstanceAttribute?: Array<{ DBInstanceStatus: string }> } | undefined)?.DBInstanceAttribute?.[0]?.DBInstanceStatus;
    if (a.status === 200 && status !== 'Deleting') continue;
    const fresh = await makeInstance(s, at === 0);
    world.instanceIds[at] = fresh.id;
    const old = connectionsOf.get(id) ?? [];
    const kept = world.connectionStrings.filter((c) => !old.includes(c));
    world.connectionStrings.splice(0, world.connectionStrings.length, ...kept, ...fresh.connectionStrings);
    replaced++;
  }
  return replaced;
}

const xml = new XMLParser({ parseTagValue: false });

/** A 200 must be a success body in the requested format, without a Code field (Terraform would read one as an error). */
function assertSuccess(out: Extract<RawOutcome, { kind: 'answer' }>['answer'], format: 'JSON' | 'XML' | undefined, action: string, ctx: () => string): void {
  const text = out.body.toString('utf8');
  const type = out.headers['content-type'];
  if (format !== undefined) assert.equal(type, format === 'XML' ? XML_TYPE : JSON_TYPE, `${ctx()} success content-type`);
  let body: Record<string, unknown>;
  if (type === XML_TYPE) {
    const doc = xml.parse(text) as Record<string, Record<string, unknown>>;
    body = doc[`${action}Response`] as Record<string, unknown>;
    assert.ok(body, `${ctx()} XML root ${action}Response: ${text.slice(0, 200)}`);
  } else {
    body = JSON.parse(text) as Record<string, unknown>;
  }
  // Only DescribeInstanceLinkedWhitelistTemplate documents a Code in its success body ("200", with Success true).
  assert.ok(body.Code === undefined || (body.Code === '200' && (body.Success === true || body.Success === 'true')), `${ctx()} success without Code`);
  assert.equal(body.RequestId, out.headers['x-acs-request-id'], `${ctx()} RequestId`);
}

interface Stats { requests: number; answers: number; ok200: number; closed: number; deleted: number; replaced: number; codes: Map<string, number> }

function judge(stats: Stats, out: RawOutcome, b: ReturnType<typeof build>, p: Plan, ctx: () => string): void {
  stats.requests++;
  if (out.kind === 'timeout') assert.fail(`${ctx()} no answer in time (${out.partial})`);
  if (out.kind === 'closed') {
    stats.closed++;
    assert.ok(b.mayClose, `${ctx()} the server closed without answering`);
    return;
  }
  stats.answers++;
  const a = out.answer;
  if (a.status === 200) {
    stats.ok200++;
    if (p.action === 'DeleteDBInstance') stats.deleted++;
    assert.ok(b.mayBe200, `${ctx()} 200 for a request that must fail`);
    if (!b.head) assertSuccess(a, b.format, p.action, ctx);
    return;
  }
  if (b.head) {
    // A HEAD answer has no body to check; its status and type still must be right.
    assert.ok(a.status >= 400 && a.status < 500, `${ctx()} HEAD status ${a.status}`);
    assert.ok([JSON_TYPE, XML_TYPE].includes(a.headers['content-type'] ?? ''), `${ctx()} HEAD content-type`);
    stats.codes.set('(HEAD)', (stats.codes.get('(HEAD)') ?? 0) + 1);
    return;
  }
  const e = assertWireError(a, b.format, ctx(), p.action);
  stats.codes.set(e.Code, (stats.codes.get(e.Code) ?? 0) + 1);
}

function describePlan(p: Plan): string {
  const { garbage, ...rest } = p;
  return JSON.stringify({ ...rest, params: p.params.map(([k, v]) => [k, v.length > 80 ? `${v.slice(0, 80)}...(${v.length})` : v]), garbage: garbage.length });
}

/** Sends `requests` plans (in concurrent batches) to the target; every answer is judged; returns the figures. */
async function fuzz(tg: Target, requests: number): Promise<Stats> {
  const stats: Stats = { requests: 0, answers: 0, ok200: 0, closed: 0, deleted: 0, replaced: 0, codes: new Map() };
  const { s, world } = tg;
  // fast-check reports the failing batch; the first failed assertion says which request and why.
  let firstFailure: unknown;
  let deletesSeen = 0;
  const check = (fn: () => void) => {
    try { fn(); } catch (e) { firstFailure ??= e; throw e; }
  };
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(planArbitrary(world), { minLength: BATCH, maxLength: BATCH }), async (plans) => {
        await pool(plans, BATCH, async (p) => {
          const b = build(p, world, s.endpoint);
          const ctx = () => `[${describePlan(p)}]`;
          const out = await rawSend(s.port, b.bytes, { head: b.head, end: b.end, timeoutMs: 10_000 });
          check(() => judge(stats, out, b, p, ctx));
          if (b.replay && out.kind === 'answer') {
            // The same signed bytes again: never a second success.
            const again = await rawSend(s.port, b.bytes, { head: b.head, end: b.end, timeoutMs: 10_000 });
            check(() => judge(stats, again, { ...b, mayBe200: false }, p, () => `${ctx()} (replayed)`));
            if (out.answer.status === 200 && again.kind === 'answer' && !b.head) {
              check(() => assert.equal(assertWireError(again.answer, b.format, ctx()).Code, 'SignatureNonceUsed'));
            }
          }
        });
        if (stats.deleted > deletesSeen) {
          deletesSeen = stats.deleted;
          stats.replaced += await replaceDeleted(s, world);
        }
      }),
      { numRuns: Math.ceil(requests / BATCH), seed: SEED, endOnFailure: true },
    );
  } catch (e) {
    throw firstFailure ?? e;
  }
  // Still serving, and nothing was logged as an internal failure.
  const still = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', RegionId: 'cn-hangzhou' });
  assert.equal(still.status, 200, still.text);
  assert.deepEqual(tg.logged.filter((l) => l.level === 'error'), [], 'no error-level log lines (InternalError or failures outside the pipeline)');
  return stats;
}

function report(t: { diagnostic(m: string): void }, stats: Stats, ms: number): void {
  const codes = [...stats.codes.entries()].sort((x, y) => y[1] - x[1]).map(([c, n]) => `${c}=${n}`).join(' ');
  t.diagnostic(`requests ${stats.requests} (answers ${stats.answers}, 200s ${stats.ok200}, closed after a client gave up ${stats.closed}; DeleteDBInstance 200s ${stats.deleted}, instances replaced ${stats.replaced}) in ${ms} ms`);
  t.diagnostic(`codes ${codes}`);
}

test(`${REQUESTS} hostile requests over raw sockets (SQLite store): catalogued errors in the requested format, no 5xx, no crash`, { timeout: 170_000 }, async (t) => {
  const tg = await target();
  try {
    const started = Date.now();
    const stats = await fuzz(tg, REQUESTS);
    report(t, stats, Date.now() - started);
    assert.ok(stats.requests >= REQUESTS, `${stats.requests} requests sent`);
    // The fuzzer must reach the handlers, not only the front door.
    assert.ok(stats.ok200 > REQUESTS / 50, `only ${stats.ok200} requests got through to a handler`);
    assert.ok(stats.codes.size >= 25, `only ${stats.codes.size} different answers`);
  } finally {
    await tg.cleanup();
  }
});

test(`${PG_REQUESTS} more on the PostgreSQL store (what SQLite would take, PostgreSQL may refuse)`, { timeout: 60_000 }, async (t) => {
  const tg = await target(pgSchema('hardening_fuzz'));
  try {
    const started = Date.now();
    const stats = await fuzz(tg, PG_REQUESTS);
    report(t, stats, Date.now() - started);
  } finally {
    await tg.cleanup();
  }
});

test('the admin routes (health, live view, explorer) take hostile requests without a 5xx', async (t) => {
  const tg = await target();
  try {
    const paths = ['/_localrds/health', '/_localrds/live', '/_localrds/live?instanceIds=' + 'x,'.repeat(300), '/explorer', '/explorer/', '/explorer/catalogue.json',
      '/explorer/%ZZ', '/explorer/../_localrds/live', '/_localrds/live?Signature=%FF'];
    let n = 0;
    let firstFailure: unknown;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE'), fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom(0, 1, 2), async (path, method, bytes, size) => {
        const body = size === 0 ? Buffer.alloc(0) : size === 1 ? Buffer.from(bytes) : Buffer.alloc(300 * 1024, 0x61);
        const out = await rawSend(tg.s.port, httpBytes({ method, target: path, body, headers: [['Content-Type', 'application/x-www-form-urlencoded']] }), { head: method === 'HEAD', end: false });
        n++;
        try {
        assert.ok(out.kind === 'answer', `${method} ${path}: ${out.kind}`);
        if (out.kind !== 'answer') return;
        assert.ok(out.answer.status < 500, `${method} ${path} (${body.length} bytes): ${out.answer.status} ${out.answer.body.toString().slice(0, 200)}`);
        const json = out.answer.headers['content-type'] === JSON_TYPE;
        if (out.answer.status >= 400 && json && method !== 'HEAD') assertWireError(out.answer, 'JSON', `${method} ${path}`);
        } catch (e) { firstFailure ??= e; throw e; }
      }), { numRuns: 300, seed: SEED }).catch((e: unknown) => { throw firstFailure ?? e; });
    t.diagnostic(`${n} requests to admin routes`);
    assert.deepEqual(tg.logged.filter((l) => l.level === 'error'), []);
  } finally {
    await tg.cleanup();
  }
});

// ---------- the limits, one by one ----------

test('limits: body, headers, parameter count and value length are refused with InvalidRequest.TooLarge (413)', async () => {
  const s = await startTestServer();
  try {
  const signedForm = (extra: Record<string, string>) => formEncode(v1Params(s.credentials, 'POST', { Action: 'DescribeDBInstances', RegionId: 'cn-hangzhou', ...extra }));
  const post = (body: string, format?: 'XML') => rawSend(s.port, httpBytes({
    method: 'POST', target: format ? '/?Format=XML' : '/', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: Buffer.from(body),
  }));
  const expectTooLarge = (o: RawOutcome, format: 'JSON' | 'XML' = 'JSON') => {
    assert.equal(o.kind, 'answer');
    if (o.kind === 'answer') assert.equal(assertWireError(o.answer, format).Code, 'InvalidRequest.TooLarge');
  };
  // Exactly at the limit passes the size check (and then fails on its parameters), one byte more does not.
  let full = signedForm({});
  for (let i = 0; full.length < LIMITS.maxBodyBytes; i++) full += `&Pad${i}=${'a'.repeat(60_000)}`;
  const at = await post(full.slice(0, LIMITS.maxBodyBytes));
  assert.equal(at.kind, 'answer');
  if (at.kind === 'answer') assert.notEqual(assertWireError(at.answer, 'JSON').Code, 'InvalidRequest.TooLarge');
  expectTooLarge(await post('a'.repeat(LIMITS.maxBodyBytes + 1)));
  expectTooLarge(await post('a'.repeat(LIMITS.maxBodyBytes + 1), 'XML'), 'XML');
  expectTooLarge(await rawSend(s.port, httpBytes({ method: 'GET', target: '/', headers: [['X-Big', 'b'.repeat(HTTP_LIMITS.maxHeaderSize)]] })));
  const many = Object.fromEntries(Array.from({ length: LIMITS.maxParams }, (_, i) => [`P${i}`, '1']));
  expectTooLarge(await post(signedForm(many)));
  expectTooLarge(await post(signedForm({ Long: 'v'.repeat(LIMITS.maxValueChars + 1) })));
  } finally {
    await s.stop();
  }
});

test('limits: a connection cap on each data-plane endpoint; connections past it are closed, the rest still proxied', async () => {
  const backendSockets = new Set<net.Socket>();
  const backend = net.createServer((c) => { backendSockets.add(c); c.on('close', () => backendSockets.delete(c)); c.on('error', () => undefined); c.write('hello\n'); });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const backendPort = (backend.address() as net.AddressInfo).port;
  const counters = { listeners: 0, sessions: 0, backendSockets: 0, bytesFromClients: 0, bytesToClients: 0 };
  const endpoint: EndpointRecord = {
    accountId: 'a' as AccountId, instanceId: 'rm-cap' as InstanceId, connectionString: 'cap.mysql.rds.aliyuncs.com', ipType: 'Public',
    address: '127.0.0.1', port: 0, createdAt: '', bindError: '',
  };
  // Port 0 is not allowed by the catalogue, but the listener takes what it is given: pick a free one.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  endpoint.port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const listener = createEndpointListener({
    endpoint, retryMs: 1000, counters, logger: { info() {}, warn() {}, error() {} }, reportBindError() {}, maxConnections: 3,
    route: () => ({ admits: () => true, target: { kind: 'tcp', host: '127.0.0.1', port: backendPort }, engine: 'mysql' }),
  });
  await listener.start();
  const clients: net.Socket[] = [];
  const greet = () => new Promise<'greeted' | 'closed'>((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port: endpoint.port });
    clients.push(c);
    c.on('error', () => undefined);
    c.once('data', () => resolve('greeted'));
    c.once('close', () => resolve('closed'));
  });
  try {
    assert.deepEqual(await Promise.all([greet(), greet(), greet()]), ['greeted', 'greeted', 'greeted']);
    assert.equal(await greet(), 'closed', 'the fourth connection is refused');
    assert.equal(listener.sessionCount, 3);
    clients[0]?.destroy();
    for (let i = 0; i < 50 && listener.sessionCount > 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await greet(), 'greeted', 'a freed slot is usable again');
  } finally {
    for (const c of clients) c.destroy();
    await listener.close();
    for (const c of backendSockets) c.destroy();
    await new Promise<void>((r) => backend.close(() => r()));
  }
});

test('limits: slow clients are cut off (headers, body, silence) and the connection cap holds', { timeout: 30_000 }, async () => {
  // Same server code with the timeouts scaled down, so that the test takes seconds rather than a minute.
  const saved = { ...HTTP_LIMITS };
  Object.assign(HTTP_LIMITS, { headersTimeoutMs: 1000, requestTimeoutMs: 2000, maxConnections: 6, keepAliveTimeoutMs: 3000 });
  const slow = await startTestServer({ logger: { info() {}, warn() {}, error() {} } });
  try {
    const timed = async (bytes: Buffer, o: Parameters<typeof rawSend>[2]) => {
      const t0 = Date.now();
      const out = await rawSend(slow.port, bytes, o);
      return { out, ms: Date.now() - t0 };
    };
    // Headers trickling in, one piece every 300 ms, never finished.
    const head = Buffer.from(`GET /?Action=DescribeDBInstances HTTP/1.1\r\nHost: x\r\n${'X-Slow: 1\r\n'.repeat(40)}`);
    const h = await timed(head, { pieces: 40, pauseMs: 300, end: false, timeoutMs: 8000 });
    assert.equal(h.out.kind, 'answer', JSON.stringify(h.out));
    if (h.out.kind === 'answer') assert.equal(assertWireError(h.out.answer, 'JSON').Code, 'InvalidRequest.Timeout');
    assert.ok(h.ms < 1000 + 1000 + 1500, `headers cut off after ${h.ms} ms`);
    // Complete headers, a body that never completes.
    const body = httpBytes({ method: 'POST', target: '/', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', '1000']], body: Buffer.from('Action=Describe'), noContentLength: true });
    const b = await timed(body, { pieces: 5, pauseMs: 300, end: false, timeoutMs: 8000 });
    assert.ok(b.out.kind === 'answer' || b.out.kind === 'closed', JSON.stringify(b.out));
    if (b.out.kind === 'answer') assert.equal(assertWireError(b.out.answer, 'JSON').Code, 'InvalidRequest.Timeout');
    assert.ok(b.ms < 2000 + 1000 + 1500, `body cut off after ${b.ms} ms`);
    // A connection that never says anything.
    const quiet = await timed(Buffer.alloc(0), { end: false, timeoutMs: 8000 });
    assert.equal(quiet.out.kind, 'closed');
    assert.ok(quiet.ms < 2000 + 1500, `silent connection closed after ${quiet.ms} ms`);

    // Keep-alive: a connection idle for longer than the header timeout but less than the keep-alive one is still
    // answered; one idle past the keep-alive timeout is closed by the server.
    const ka = net.connect({ host: '127.0.0.1', port: slow.port });
    ka.on('error', () => undefined);
    let kaData = '';
    ka.on('data', (d: Buffer) => { kaData += d.toString('latin1'); });
    const kaClosed = new Promise<number>((r) => ka.once('close', () => r(Date.now())));
    const health = 'GET /_localrds/health HTTP/1.1\r\nHost: x\r\n\r\n';
    ka.write(health);
    await new Promise((r) => setTimeout(r, 2000));
    ka.write(health);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(kaData.split('HTTP/1.1 200').length - 1, 2, `both requests on the kept connection answered: ${kaData.slice(0, 200)}`);
    const idleFrom = Date.now();
    assert.ok((await kaClosed) - idleFrom < 3000 + 1500, 'closed after the keep-alive timeout');

    // Connection cap: 6 idle connections are held, the 7th is closed at once, and once they go a request works.
    const idle: net.Socket[] = [];
    for (let i = 0; i < 6; i++) {
      const c = net.connect({ host: '127.0.0.1', port: slow.port });
      c.on('error', () => undefined);
      await new Promise((r) => c.once('connect', r));
      idle.push(c);
    }
    await new Promise((r) => setTimeout(r, 100));
    const seventh = await timed(httpBytes({ method: 'GET', target: '/' }), { timeoutMs: 1500 });
    assert.equal(seventh.out.kind, 'closed', 'past the cap the connection is closed');
    for (const c of idle) c.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await v1Get(slow.endpoint, slow.credentials, { Action: 'DescribeDBInstances', RegionId: 'cn-hangzhou' });
    assert.equal(again.status, 200, again.text);
  } finally {
    Object.assign(HTTP_LIMITS, saved);
    await slow.stop();
  }
});

test('stopping the server does not wait for idle keep-alive connections to time out', async () => {
  const s = await startTestServer();
  const c = net.connect({ host: '127.0.0.1', port: s.port });
  c.on('error', () => undefined);
  await new Promise<void>((r) => { c.once('data', () => r()); c.write('GET /_localrds/health HTTP/1.1\r\nHost: x\r\n\r\n'); });
  const t0 = Date.now();
  await s.stop();
  assert.ok(Date.now() - t0 < 2000, `stop took ${Date.now() - t0} ms with one idle connection`);
  c.destroy();
});
