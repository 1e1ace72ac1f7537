// Hand-signed requests: every way a request can be wrong gets its catalogued code and status, in the shape
// the real service uses, and the server keeps serving.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERROR_CODES } from '../src/errors/codes.js';
import { formEncode, iso, nonce, send, v1Get, v1Params, v3Headers, v3Post, type Answer } from './helpers/sign.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s.stop(); });

function isError(a: Answer, code: keyof typeof ERROR_CODES): void {
  assert.equal(a.json?.Code, code, a.text);
  assert.equal(a.status, ERROR_CODES[code].status, `${code} status`);
  assert.match(String(a.json?.RequestId), /^[0-9A-F-]{36}$/);
  assert.equal(a.json?.HostId, 'rds.aliyuncs.com');
  assert.equal(typeof a.json?.Message, 'string');
  assert.equal(a.headers['content-type'], 'application/json;charset=utf-8');
}

const list = { RegionId: 'cn-hangzhou' };

test('a correctly signed V1 GET and V3 POST succeed without a Code field', async () => {
  const a = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json?.Code, undefined);
  assert.deepEqual(a.json?.Items, { DBInstance: [] });
  const b = await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', list);
  assert.equal(b.status, 200, b.text);
  assert.equal(b.headers['x-acs-request-id'], b.json?.RequestId);
});

test('wrong signature: SignatureDoesNotMatch with the server string to sign', async () => {
  const a = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list }, { Signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
  isError(a, 'SignatureDoesNotMatch');
  assert.match(String(a.json?.Message), /server string to sign is:GET&%2F&AccessKeyId%3D/);
  const wrongSecret = { ...s.credentials, accessKeySecret: 'not-the-secret' };
  isError(await v3Post(s.endpoint, wrongSecret, 'DescribeDBInstances', list), 'SignatureDoesNotMatch');
});

test('replayed nonce: SignatureNonceUsed, for V1 and V3', async () => {
  const p = v1Params(s.credentials, 'GET', { Action: 'DescribeDBInstances', ...list });
  assert.equal((await send(s.endpoint, { path: '/?' + formEncode(p) })).status, 200);
  isError(await send(s.endpoint, { path: '/?' + formEncode(p) }), 'SignatureNonceUsed');
  const { path, headers } = v3Headers(s.endpoint, s.credentials, 'DescribeDBInstances', list);
  assert.equal((await send(s.endpoint, { method: 'POST', path, headers })).status, 200);
  isError(await send(s.endpoint, { method: 'POST', path, headers }), 'SignatureNonceUsed');
});

test('stale and malformed timestamps', async () => {
  isError(await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list }, { Timestamp: iso(Date.now() - 16 * 60_000) }), 'InvalidTimeStamp.Expired');
  isError(await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list }, { Timestamp: iso(Date.now() + 16 * 60_000) }), 'InvalidTimeStamp.Expired');
  isError(await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list }, { Timestamp: '2026/11/28 10:00:00' }), 'InvalidTimeStamp.Format');
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', list, { 'x-acs-date': iso(Date.now() - 20 * 60_000) }), 'InvalidTimeStamp.Expired');
});

test('unknown and disabled AccessKeys', async () => {
  isError(await v1Get(s.endpoint, { accessKeyId: 'LTAInobody', accessKeySecret: 'x' }, { Action: 'DescribeDBInstances', ...list }), 'InvalidAccessKeyId.NotFound');
  isError(await v3Post(s.endpoint, { accessKeyId: 'LTAInobody', accessKeySecret: 'x' }, 'DescribeDBInstances', list), 'InvalidAccessKeyId.NotFound');
  const key = await s.store.read((r) => r.accounts.getKey(s.other.accessKeyId));
  assert.ok(key);
  await s.store.tx((r) => r.accounts.putKey({ ...key, status: 'Inactive' }));
  isError(await v3Post(s.endpoint, s.other, 'DescribeDBInstances', list), 'InvalidAccessKeyId.Inactive');
  await s.store.tx((r) => r.accounts.putKey({ ...key, status: 'Active' }));
  assert.equal((await v3Post(s.endpoint, s.other, 'DescribeDBInstances', list)).status, 200);
});

test('missing and malformed parameters name the parameter', async () => {
  const miss = await v3Post(s.endpoint, s.credentials, 'ReleaseInstancePublicConnection', { DBInstanceId: 'rm-x' });
  isError(miss, 'MissingParameter');
  assert.match(String(miss.json?.Message), /"CurrentConnectionString"/);
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', {}), 'MissingParameter');
  const bad = await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', { ...list, PageSize: '0' });
  isError(bad, 'InvalidParameter');
  assert.match(String(bad.json?.Message), /"PageSize"/);
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', { ...list, PageNumber: 'two' }), 'InvalidParameter');
  isError(await v3Post(s.endpoint, s.credentials, 'AllocateInstancePublicConnection', { DBInstanceId: 'rm-x', ConnectionStringPrefix: 'abcdef', Port: '80' }), 'InvalidPort.Malformed');
  isError(await v3Post(s.endpoint, s.credentials, 'AllocateInstancePublicConnection', { DBInstanceId: 'rm-x', ConnectionStringPrefix: 'abc', Port: '3306' }), 'InvalidConnectionString.Format');
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', { ...list, NextToken: 'garbage' }), 'Invalid.NextToken');
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', { DBInstanceId: 'rm-doesnotexist' }), 'InvalidDBInstanceId.NotFound');
});

test('unknown Action, unimplemented Action, wrong Version', async () => {
  isError(await v3Post(s.endpoint, s.credentials, 'MakeCoffee', {}), 'InvalidAction.NotFound');
  const ni = await v3Post(s.endpoint, s.credentials, 'CreateBackup', {});
  isError(ni, 'Api.NotSupport');
  assert.match(String(ni.json?.Message), /CreateBackup/);
  isError(await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list }, { Version: '2017-01-01' }), 'InvalidVersion');
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', list, { 'x-acs-version': '2015-01-01' }), 'InvalidVersion');
});

test('Format=XML gives <ActionResponse> and <Error> as text/xml;charset=utf-8', async () => {
  const ok = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstances', ...list }, { Format: 'XML' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['content-type'], 'text/xml;charset=utf-8');
  assert.match(ok.text, /^<\?xml version="1.0" encoding="UTF-8"\?><DescribeDBInstancesResponse><RequestId>[0-9A-F-]{36}<\/RequestId>.*<PageNumber>1<\/PageNumber>/);
  const err = await v1Get(s.endpoint, s.credentials, { Action: 'DescribeDBInstanceNetInfo', DBInstanceId: 'rm-nope' }, { Format: 'xml' });
  assert.equal(err.status, 400);
  assert.equal(err.headers['content-type'], 'text/xml;charset=utf-8');
  assert.match(err.text, /<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>rds.aliyuncs.com<\/HostId><Code>InvalidDBInstanceId.NotFound<\/Code><Message>/);
  const bad = await send(s.endpoint, { path: '/?Action=DescribeDBInstances&Format=XML&Version=2014-08-15' });
  assert.match(bad.text, /<Error>.*<Code>MissingParameter<\/Code>/);
});

test('oversized body, bad encoding, odd method and path', async () => {
  const big = await send(s.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=' + 'x'.repeat(300 * 1024) });
  isError(big, 'InvalidRequest.TooLarge');
  isError(await send(s.endpoint, { path: '/?Action=%ZZ' }), 'InvalidRequest.Malformed');
  isError(await send(s.endpoint, { path: '/?Action=%C3%28' }), 'InvalidRequest.Malformed');
  isError(await send(s.endpoint, { path: '/?Action=A&Action=B' }), 'InvalidRequest.Malformed');
  isError(await send(s.endpoint, { method: 'PUT', path: '/' }), 'UnsupportedHTTPMethod');
  isError(await send(s.endpoint, { path: '/some/where' }), 'InvalidAction.NotFound');
  isError(await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', list, { 'x-acs-security-token': 'tok' }), 'InvalidSecurityToken.NotSupported');
});

test('a V3 request with an unsigned x-acs header is refused', async () => {
  const { path, headers } = v3Headers(s.endpoint, s.credentials, 'DescribeDBInstances', list);
  isError(await send(s.endpoint, { method: 'POST', path, headers: { ...headers, 'x-acs-action': 'DeleteDBInstance', 'x-acs-extra': '1' } }), 'IncompleteSignature');
  const tampered = await send(s.endpoint, { method: 'POST', path, headers: { ...headers, 'x-acs-action': 'DeleteDBInstance' } });
  isError(tampered, 'SignatureDoesNotMatch');
});

test('after all that, the server still serves', async () => {
  assert.equal((await send(s.endpoint, { path: '/_localrds/health' })).status, 200);
  assert.equal((await v3Post(s.endpoint, s.credentials, 'DescribeDBInstances', list)).status, 200);
  void nonce;
});

test('nonces survive a restart', async () => {
  const dir = s.dataDir;
  const p = v1Params(s.credentials, 'GET', { Action: 'DescribeDBInstances', ...list });
  assert.equal((await send(s.endpoint, { path: '/?' + formEncode(p) })).status, 200);
  await s.close();
  s = await startTestServer({ keepDataDir: dir });
  isError(await send(s.endpoint, { path: '/?' + formEncode(p) }), 'SignatureNonceUsed');
});
