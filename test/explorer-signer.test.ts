// The explorer's WebCrypto signer against the server's own algorithms (known answers), then against a live
// server; and the account-scoped live endpoint /_localrds/live that the live view polls.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodePairs } from '../src/protocol/percent.js';
import { v1Sign, v1StringToSign } from '../src/protocol/signature-v1.js';
import { v3CanonicalRequest, v3Sign, v3StringToSign } from '../src/protocol/signature-v3.js';
import { byteOrder, signRequest, type SignInput } from '../src/explorer/signer.js';
import { DEFAULT_ACCOUNT_ID, createKey } from '../src/runtime/accounts.js';
import { rdsClient, req, type Creds } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';

const creds = { accessKeyId: 'LTAI5tExplorerTest0001', accessKeySecret: 'explorer-secret-0123456789' };
const fixed = { date: new Date('2026-11-28T06:30:46.123Z'), nonce: '3f1b7c2a9d8e4f60a1b2c3d4e5f60718' };
const params: Array<[string, string]> = [['DBInstanceId', 'rm-uf6wjk5xxxxxxx'], ['CurrentConnectionString', 'pub db.mysql.rds.aliyuncs.com'], ['Zeta', 'ü/+*~']];

describe('signer: known answers from the server algorithms', () => {
  test('V3 ACS3-HMAC-SHA256: canonical request, string to sign and Authorization', async () => {
    const input: SignInput = { scheme: 'V3', method: 'POST', host: '127.0.0.1:8484', path: '/', action: 'ReleaseInstancePublicConnection', version: '2014-08-15', params, ...creds, ...fixed };
    const signed = await signRequest(input);
    const headers = { ...signed.signedHeaders };
    const names = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];
    const query = decodePairs(signed.url.slice(signed.url.indexOf('?') + 1));
    const bodyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const canonical = v3CanonicalRequest({ method: 'POST', path: '/', query, headers, signedHeaders: names, bodyHash });
    assert.equal(signed.canonicalRequest, canonical);
    assert.equal(signed.stringToSign, v3StringToSign('ACS3-HMAC-SHA256', canonical));
    const sig = v3Sign('ACS3-HMAC-SHA256', creds.accessKeySecret, signed.stringToSign);
    assert.equal(signed.headers.authorization, `ACS3-HMAC-SHA256 Credential=${creds.accessKeyId},SignedHeaders=${names.join(';')},Signature=${sig}`);
    assert.equal(signed.headers['x-acs-date'], '2026-11-28T06:30:46Z');
    assert.equal(signed.headers.host, undefined, 'the browser sets host itself');
    assert.deepEqual(query, [...params].sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))));
  });

  test('V1 HMAC-SHA1: everything in the query, Signature included', async () => {
    const signed = await signRequest({ scheme: 'V1', method: 'POST', host: 'ignored:1', path: '/', action: 'DescribeDBInstances', version: '2014-08-15', params, ...creds, ...fixed });
    const pairs = decodePairs(signed.url.slice(2));
    const all = new Map(pairs);
    assert.equal(all.get('SignatureMethod'), 'HMAC-SHA1');
    assert.equal(all.get('Timestamp'), '2026-11-28T06:30:46Z');
    assert.equal(all.get('Action'), 'DescribeDBInstances');
    const sts = v1StringToSign('POST', all);
    assert.equal(signed.stringToSign, sts);
    assert.equal(all.get('Signature'), v1Sign(creds.accessKeySecret, sts));
    assert.deepEqual(signed.headers, {});
  });

  test('sorts by UTF-8 bytes like the server', () => {
    const keys = ['b', 'B', 'a_', 'a-', 'é', 'z', '\u{1F600}', '\uFF21'];
    assert.deepEqual([...keys].sort(byteOrder), [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });
});

interface Reply { status: number; json: Record<string, unknown> }

async function fetchSigned(s: TestServer, c: Creds, o: Omit<SignInput, 'host' | 'accessKeyId' | 'accessKeySecret'>): Promise<Reply> {
  const signed = await signRequest({ ...o, host: s.endpoint, ...c });
  const res = await fetch(`${s.url}${signed.url}`, { method: signed.method, headers: signed.headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('signer and live endpoint against a server', () => {
  let s: TestServer;
  let id: string;
  before(async () => {
    s = await startTestServer();
    const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    id = (await c.createDBInstance(req('CreateDBInstance', {
      regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20,
      DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '0.0.0.0/0',
    }))).body.DBInstanceId as string;
  });
  after(async () => { await s.stop(); });

  const describeCall = (scheme: 'V1' | 'V3') => ({ scheme, method: 'POST' as const, path: '/', action: 'DescribeDBInstances', version: '2014-08-15', params: [['RegionId', 'cn-hangzhou']] as Array<[string, string]> });

  test('V3 and V1 calls signed by the explorer are accepted', async () => {
    for (const scheme of ['V3', 'V1'] as const) {
      const r = await fetchSigned(s, s.credentials, describeCall(scheme));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual((r.json.Items as { DBInstance: Array<{ DBInstanceId: string }> }).DBInstance.map((i) => i.DBInstanceId), [id]);
    }
    const bad = await fetchSigned(s, { ...s.credentials, accessKeySecret: 'wrong' }, describeCall('V3'));
    assert.equal(bad.json.Code, 'SignatureDoesNotMatch');
  });

  const liveCall = (ids: string[], scheme: 'V1' | 'V3' = 'V3') => ({ scheme, method: 'GET' as const, path: '/_localrds/live', params: [['instanceIds', ids.join(',')]] as Array<[string, string]> });

  test('live: the owner sees the listeners of its instance, signed V3 or V1', async () => {
    for (const scheme of ['V3', 'V1'] as const) {
      const r = await fetchSigned(s, s.credentials, liveCall([id], scheme));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.match(String(r.json.RequestId), /^[0-9A-F-]{36}$/);
      assert.deepEqual(r.json.InstanceIds, [id]);
      const eps = r.json.Endpoints as Array<{ instanceId: string; ipType: string; listening: boolean; openSessions: number }>;
      assert.equal(eps.length, 1);
      assert.equal(eps[0]?.instanceId, id);
      assert.equal(eps[0]?.ipType, 'Private');
      assert.equal(eps[0]?.listening, true);
      assert.equal(eps[0]?.openSessions, 0);
    }
    const all = await fetchSigned(s, s.credentials, liveCall([]));
    assert.deepEqual(all.json.InstanceIds, [id], 'no ids: every instance of the account');
  });

  test("live: another account learns nothing about this account's instances", async () => {
    const named = await fetchSigned(s, s.other, liveCall([id, 'rm-doesnotexist000000']));
    assert.equal(named.status, 200);
    assert.deepEqual(named.json.InstanceIds, []);
    assert.deepEqual(named.json.Endpoints, []);
    const all = await fetchSigned(s, s.other, liveCall([]));
    assert.deepEqual(all.json.Endpoints, []);
  });

  test('live: a key with a RAM policy sees only the instances it may DescribeDBInstanceNetInfo', async () => {
    const policy = (resource: string) => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'rds:DescribeDBInstanceNetInfo', Resource: resource }] });
    const keyOf = async (p: string) => {
      const k = await createKey(s.store, DEFAULT_ACCOUNT_ID, p);
      return { accessKeyId: k.accessKeyId, accessKeySecret: k.secret };
    };
    const mine = await keyOf(policy(`acs:rds:*:${DEFAULT_ACCOUNT_ID}:dbinstance/${id}`));
    assert.deepEqual((await fetchSigned(s, mine, liveCall([id]))).json.InstanceIds, [id]);
    const elsewhere = await keyOf(policy(`acs:rds:*:${DEFAULT_ACCOUNT_ID}:dbinstance/rm-someotherinstance`));
    const r = await fetchSigned(s, elsewhere, liveCall([id]));
    assert.deepEqual(r.json.InstanceIds, []);
    assert.deepEqual(r.json.Endpoints, []);
    const listOnly = await keyOf(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'rds:DescribeDBInstances', Resource: '*' }] }));
    assert.deepEqual((await fetchSigned(s, listOnly, liveCall([]))).json.InstanceIds, []);
  });

  test('live: unsigned, badly signed, replayed or non-GET requests are refused with API error bodies', async () => {
    const unsigned = await fetch(`${s.url}/_localrds/live?instanceIds=${id}`);
    const body = (await unsigned.json()) as Record<string, unknown>;
    assert.equal(unsigned.status, 400);
    assert.equal(body.Code, 'MissingParameter');
    assert.match(String(body.Recommend), /\/explorer\/#errors\/MissingParameter$/);

    const wrong = await fetchSigned(s, { ...s.credentials, accessKeySecret: 'nope' }, liveCall([id]));
    assert.equal(wrong.json.Code, 'SignatureDoesNotMatch');
    assert.equal(wrong.json.Endpoints, undefined);

    const signed = await signRequest({ ...liveCall([id]), host: s.endpoint, ...s.credentials });
    const first = await fetch(`${s.url}${signed.url}`, { headers: signed.headers });
    assert.equal(first.status, 200);
    const replay = await fetch(`${s.url}${signed.url}`, { headers: signed.headers });
    assert.equal(((await replay.json()) as Record<string, unknown>).Code, 'SignatureNonceUsed');

    const post = await fetchSigned(s, s.credentials, { ...liveCall([id]), method: 'POST' });
    assert.equal(post.json.Code, 'UnsupportedHTTPMethod');

    const many = Array.from({ length: 101 }, (_, n) => `rm-${n}`);
    assert.equal((await fetchSigned(s, s.credentials, liveCall(many))).json.Code, 'InvalidParameter');
  });
});
