// Access control and throttling: RAM policies on AccessKeys (made with `localrds keys create --policy FILE`),
// disabled and deleted keys, STS tokens, and the per-account request rate, all end to end through the official
// SDK; plus the pure policy and token-bucket logic with known answers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { isAllowed, parsePolicy, PolicyError, resourceOf, wildcardMatch } from '../src/auth/policy.js';
import { createThrottle } from '../src/auth/throttle.js';
import { serveOptions } from '../src/cli/serve.js';
import { ERROR_CODES } from '../src/errors/codes.js';
import { DEFAULT_ACCOUNT_ID } from '../src/runtime/accounts.js';
import { BIN } from './helpers/child-server.js';
import { openapiCore, rdsClient, rdsModule, req, type Creds } from './helpers/clients.js';
import { hardeningPools, readSqlite, waitRunning } from './helpers/hardening-state.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { v1Get } from './helpers/sign.js';

const run = promisify(execFile);

// ---------- pure logic ----------

describe('policy documents', () => {
  const doc = (statements: unknown) => JSON.stringify({ Version: '1', Statement: statements });

  test('the documented shape parses; a single statement object and string Action/Resource are accepted', () => {
    const p = parsePolicy(doc([{ Effect: 'Allow', Action: ['rds:ReleaseInstancePublicConnection', 'rds:Describe*'], Resource: ['acs:rds:*:*:dbinstance/rm-abc'] }]));
    assert.equal(p.statements.length, 1);
    const q = parsePolicy(JSON.stringify({ Version: '1', Statement: { Effect: 'Deny', Action: 'rds:*', Resource: '*' } }));
    assert.deepEqual(q.statements[0], { effect: 'Deny', actions: ['rds:*'], resources: ['*'] });
  });

  test('anything localrds would not evaluate is refused, with the reason', () => {
    const bad: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      [JSON.stringify({ Version: '2', Statement: [] }), /Version/],
      [doc([]), /empty/],
      [doc([{ Effect: 'allow', Action: '*', Resource: '*' }]), /Effect/],
      [doc([{ Effect: 'Allow', Action: [], Resource: '*' }]), /Action/],
      [doc([{ Effect: 'Allow', Action: 'rds:X', Resource: '*', Condition: {} }]), /Condition is not supported/],
      [doc([{ Effect: 'Allow', NotAction: 'rds:X', Resource: '*' }]), /NotAction is not supported/],
      [doc([{ Effect: 'Allow', Action: 'DeleteDBInstance', Resource: '*' }]), /service:Action/],
      [JSON.stringify({ Version: '1', Statement: [], Extra: 1 }), /unknown field/],
      ['x'.repeat(7000), /longer than/],
    ];
    for (const [text, why] of bad) assert.throws(() => parsePolicy(text), (e: unknown) => e instanceof PolicyError && why.test(e.message), text.slice(0, 60));
  });

  test('wildcards: * matches any run, nothing else is special, and hostile patterns stay fast', () => {
    assert.ok(wildcardMatch('rds:Describe*', 'rds:DescribeDBInstances'));
    assert.ok(wildcardMatch('rds:describe*', 'rds:DescribeDBInstances', true));
    assert.ok(!wildcardMatch('rds:describe*', 'rds:DescribeDBInstances'));
    assert.ok(wildcardMatch('acs:rds:*:*:dbinstance/*', 'acs:rds:cn-hangzhou:1:dbinstance/rm-x'));
    assert.ok(!wildcardMatch('acs:rds:*:*:dbinstance/rm-?', 'acs:rds:a:1:dbinstance/rm-x'));
    assert.ok(wildcardMatch('*', ''));
    assert.ok(!wildcardMatch('a*b*c', 'acb'));
    const t0 = Date.now();
    assert.ok(!wildcardMatch(`${'*a'.repeat(3000)}b`, 'a'.repeat(300)));
    assert.ok(Date.now() - t0 < 500, 'no exponential backtracking');
  });

  test('evaluation: Deny over Allow, no match = deny, actions case-insensitive, resources exact', () => {
    const p = parsePolicy(doc([
      { Effect: 'Allow', Action: 'rds:*', Resource: '*' },
      { Effect: 'Deny', Action: 'rds:Delete*', Resource: 'acs:rds:*:*:dbinstance/rm-keep' },
    ]));
    const r = (id?: string) => resourceOf({ accountId: '1', regionId: 'cn-hangzhou', instanceId: id });
    assert.ok(isAllowed(p, 'rds:DeleteDBInstance', r('rm-other')));
    assert.ok(!isAllowed(p, 'rds:DeleteDBInstance', r('rm-keep')));
    assert.ok(!isAllowed(p, 'RDS:deletedbinstance', r('rm-keep')));
    assert.ok(!isAllowed(parsePolicy(doc([{ Effect: 'Allow', Action: 'rds:Describe*', Resource: '*' }])), 'rds:ModifySecurityIps', r('rm-x')));
    assert.equal(r(), 'acs:rds:cn-hangzhou:1:dbinstance/*');
    assert.equal(resourceOf({ accountId: '1', regionId: undefined, instanceId: 'rm-x' }), 'acs:rds:*:1:dbinstance/rm-x');
    assert.equal(resourceOf({ accountId: '1', regionId: 'a:b', instanceId: 'rm-x' }), 'acs:rds:*:1:dbinstance/rm-x', 'a region cannot inject segments');
  });
});

describe('token bucket', () => {
  test('a burst of `rate` calls, then one call per 1/rate s, with the wait in ms', () => {
    let now = 1_000_000;
    const t = createThrottle({ ratePerSecond: 10, now: () => now });
    for (let i = 0; i < 10; i++) assert.equal(t.take('a'), 0, `call ${i}`);
    assert.equal(t.take('a'), 100, 'empty: the next token is 100 ms away');
    assert.equal(t.take('b'), 0, 'other keys have their own bucket');
    now += 50;
    assert.equal(t.take('a'), 50);
    now += 50;
    assert.equal(t.take('a'), 0);
    now += 10_000;
    for (let i = 0; i < 10; i++) assert.equal(t.take('a'), 0, 'refilled only up to the burst');
    assert.ok(t.take('a') > 0);
    assert.throws(() => createThrottle({ ratePerSecond: 0 }));
  });

  test('--rate-limit N and LOCALRDS_RATE_LIMIT reach the server options; the default is off', () => {
    assert.equal(serveOptions(['--rate-limit', '25'], {}).rateLimit, 25);
    assert.equal(serveOptions([], { LOCALRDS_RATE_LIMIT: '7' }).rateLimit, 7);
    assert.equal(serveOptions([], {}).rateLimit, undefined);
    assert.throws(() => serveOptions(['--rate-limit', 'fast'], {}), /whole number/);
  });
});

// ---------- end to end through the SDK ----------

/** The SDK's error as [name, code, status]. */
async function sdkError(p: Promise<unknown>): Promise<{ name: string; code: string; statusCode: number; retryAfter?: number; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string; code: string; statusCode: number };
  }
  assert.fail('expected an error');
}

const CREATE = {
  regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20,
  DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '10.0.0.1',
};

async function cli(s: TestServer, ...args: string[]): Promise<string> {
  return (await run(process.execPath, [BIN, 'keys', ...args, '--data-dir', s.dataDir])).stdout;
}

function keyFrom(out: string): Creds {
  const id = /AccessKeyId\s+(\S+)/.exec(out)?.[1];
  const secret = /AccessKeySecret\s+(\S+)/.exec(out)?.[1];
  assert.ok(id && secret, out);
  return { accessKeyId: id, accessKeySecret: secret };
}

describe('RAM policies, disabled keys and STS through the SDK', () => {
  let s: TestServer;
  let a: string;
  let b: string;
  let limited: Creds;
  before(async () => {
    s = await startTestServer({ service: hardeningPools() });
    const admin = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    a = (await admin.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId;
    b = (await admin.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId;
    for (const id of [a, b]) await waitRunning(s.endpoint, s.credentials, id);
    const file = join(s.dataDir, 'policy.json');
    writeFileSync(file, JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['rds:Describe*'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['rds:AllocateInstancePublicConnection', 'rds:ReleaseInstancePublicConnection'], Resource: [`acs:rds:*:*:dbinstance/${a}`, `acs:rds:*:${DEFAULT_ACCOUNT_ID}:dbinstance/${b}`] },
        { Effect: 'Deny', Action: ['rds:Allocate*'], Resource: [`acs:rds:*:*:dbinstance/${b}`] },
        { Effect: 'Allow', Action: ['rds:ModifyDBInstanceConnectionString'], Resource: ['acs:rds:cn-beijing:*:dbinstance/*'] },
        { Effect: 'Allow', Action: ['rds:ModifySecurityIps'], Resource: ['acs:rds:*:9999999999999999:dbinstance/*'] },
      ],
    }));
    limited = keyFrom(await cli(s, 'create', '--account', DEFAULT_ACCOUNT_ID, '--policy', file));
  });
  after(async () => { await s?.stop(); });

  test('`keys create --policy` refuses a policy localrds cannot evaluate', async () => {
    const file = join(s.dataDir, 'bad-policy.json');
    writeFileSync(file, JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'rds:*', Resource: '*', Condition: { IpAddress: {} } }] }));
    await assert.rejects(cli(s, 'create', '--account', DEFAULT_ACCOUNT_ID, '--policy', file), /Condition is not supported/);
    assert.match(await cli(s, 'list'), new RegExp(`${limited.accessKeyId}\\t${DEFAULT_ACCOUNT_ID}\\tActive\\tpolicy`));
  });

  test('what the policy allows goes through; the rest is Forbidden.RAM (403), Deny winning over Allow', async () => {
    const c = rdsClient(s.endpoint, limited, { protocol: 'http' });
    const v1 = rdsClient(s.endpoint, limited, { protocol: 'http', v1: true });
    assert.equal((await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }))).body.items.DBInstance.length, 2);
    await v1.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: a }));
    const cs = (await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: a, connectionStringPrefix: 'ramallowed', port: '3306' }))).body.connectionString;
    await c.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: a, currentConnectionString: cs }));
    // Allowed by statement 2 for b as well, so the handler answers (there is no public endpoint to release).
    assert.equal((await sdkError(c.releaseInstancePublicConnection(req('ReleaseInstancePublicConnection', { DBInstanceId: b, currentConnectionString: 'x.mysql.rds.aliyuncs.com' })))).code,
      'InvalidCurrentConnectionString.NotFound');
    const forbidden: Array<[string, Promise<unknown>]> = [
      ['Deny wins', c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: b, connectionStringPrefix: 'ramdenied', port: '3306' }))],
      ['no statement', c.deleteDBInstance(req('DeleteDBInstance', { DBInstanceId: a }))],
      ['no statement (create)', c.createDBInstance(req('CreateDBInstance', CREATE))],
      ['wrong region', v1.modifyDBInstanceConnectionString(req('ModifyDBInstanceConnectionString', { DBInstanceId: a, currentConnectionString: 'x', connectionStringPrefix: 'abcdefgh', port: '3306' }))],
      ['wrong account', c.modifySecurityIps(req('ModifySecurityIps', { DBInstanceId: a, securityIps: '10.0.0.2' }))],
      ['not even existence is revealed', c.deleteDBInstance(req('DeleteDBInstance', { DBInstanceId: 'rm-doesnotexist' }))],
    ];
    for (const [why, p] of forbidden) {
      const e = await sdkError(p);
      assert.equal(e.name, 'ClientError', why);
      assert.equal(e.code, 'Forbidden.RAM', why);
      assert.equal(e.statusCode, ERROR_CODES['Forbidden.RAM'].status, why);
    }
    // Nothing forbidden happened, and every attempt is in the audit under the key that made it.
    const rows = readSqlite(s.dataDir);
    assert.equal(rows.instances.length, 2);
    const denied = rows.audit.filter((r) => r.access_key_id === limited.accessKeyId && r.result === 'Forbidden.RAM');
    assert.deepEqual(denied.map((r) => r.action).sort(), ['AllocateInstancePublicConnection', 'CreateDBInstance', 'DeleteDBInstance', 'DeleteDBInstance', 'ModifyDBInstanceConnectionString', 'ModifySecurityIps']);
    assert.ok(denied.some((r) => r.instance_id === b));
  });

  test('a disabled key gets InvalidAccessKeyId.Inactive, an enabled one works again, a deleted one is not found', async () => {
    const k = keyFrom(await cli(s, 'create', '--account', DEFAULT_ACCOUNT_ID));
    const c = rdsClient(s.endpoint, k, { protocol: 'http' });
    const call = () => c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }));
    await call();
    await cli(s, 'disable', k.accessKeyId);
    let e = await sdkError(call());
    assert.deepEqual([e.name, e.code, e.statusCode], ['ClientError', 'InvalidAccessKeyId.Inactive', 400]);
    e = await sdkError(rdsClient(s.endpoint, k, { protocol: 'http', v1: true }).describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' })));
    assert.equal(e.code, 'InvalidAccessKeyId.Inactive');
    await cli(s, 'enable', k.accessKeyId);
    await call();
    await cli(s, 'delete', k.accessKeyId);
    e = await sdkError(call());
    assert.deepEqual([e.code, e.statusCode], ['InvalidAccessKeyId.NotFound', 404]);
  });

  test('an STS token is refused with InvalidSecurityToken.NotSupported (V3 and V1)', async () => {
    for (const v1 of [false, true]) {
      const c = new rdsModule.default(new openapiCore.$OpenApiUtil.Config({
        ...s.credentials, securityToken: 'CAIS-sts-token-for-test', endpoint: s.endpoint, protocol: 'http', ...(v1 ? { signatureAlgorithm: 'v2' } : {}),
      }));
      const e = await sdkError(c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' })));
      assert.deepEqual([e.name, e.code, e.statusCode], ['ClientError', 'InvalidSecurityToken.NotSupported', 400], `v1=${v1}`);
    }
  });
});

describe('throttling through the SDK', () => {
  let s: TestServer;
  const RATE = 5;
  before(async () => { s = await startTestServer({ rateLimit: RATE }); });
  after(async () => { await s?.stop(); });

  test('past the per-account rate: Throttling.User (400), ThrottlingError with retryAfter, x-acs-retry-after in ms', async () => {
    const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    const other = rdsClient(s.endpoint, s.other, { protocol: 'http' });
    const call = (x: typeof c) => x.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }));
    let ok = 0;
    let e: Awaited<ReturnType<typeof sdkError>> | undefined;
    // Bounded by count, not by time: on a loaded machine a call may take longer than a token takes to come back.
    for (let i = 0; i < RATE * 40 && !e; i++) {
      try { await call(c); ok++; } catch (err) { e = err as typeof e; }
    }
    assert.ok(e, 'throttled within forty rates worth of calls');
    assert.ok(ok >= RATE, `the burst (${ok}) is at least the rate`);
    assert.equal(e.name, 'ThrottlingError');
    assert.ok(e instanceof openapiCore.ThrottlingError);
    assert.equal(e.code, 'Throttling.User');
    assert.equal(e.statusCode, ERROR_CODES['Throttling.User'].status);
    assert.ok(typeof e.retryAfter === 'number' && e.retryAfter > 0 && e.retryAfter <= 1000 / RATE, `retryAfter ${e.retryAfter}`);
    // Another account has its own budget.
    await call(other);
    // The raw answer: the header, and the usual error body.
    // (again until throttled: the bucket may have refilled while the other account called)
    const untilThrottled = async (q: Record<string, string>) => {
      let r = await v1Get(s.endpoint, s.credentials, q);
      for (let i = 0; i < RATE * 40 && r.json?.Code !== 'Throttling.User'; i++) r = await v1Get(s.endpoint, s.credentials, q);
      return r;
    };
    const raw = await untilThrottled({ Action: 'DescribeDBInstances', RegionId: 'cn-hangzhou' });
    assert.equal(raw.json?.Code, 'Throttling.User', raw.text);
    assert.match(String(raw.headers['x-acs-retry-after']), /^\d+$/);
    // A throttled change attempt is not audited (a flood past the rate must not cost a write each).
    const change = await untilThrottled({ Action: 'DeleteDBInstance', DBInstanceId: 'rm-throttled' });
    assert.equal(change.json?.Code, 'Throttling.User', change.text);
    assert.ok(!readSqlite(s.dataDir).audit.some((r) => r.request_id === change.json?.RequestId));
    // Waiting as told is enough: as the last refusal told (the change attempts above took tokens after `raw`'s).
    await new Promise((r) => setTimeout(r, Number(change.headers['x-acs-retry-after']) + 20));
    await call(c);
  });
});
