// The answer memo (issue 11): a repeated read answered from its encoded answer while the store has not changed.
// Each case checks what the memo could break: its own RequestId in every answer, a change (this process's, another
// connection's) seen at once, accounts isolated, signature and nonce still checked, errors never remembered.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createAnswerMemo } from '../src/protocol/answer-memo.js';
import { SQLITE_FILE_NAME } from '../src/store/open-store.js';
import { rdsClient, req } from './helpers/clients.js';
import { startTestServer } from './helpers/localrds.js';
import { send, v3Headers, v3Post } from './helpers/sign.js';

const CREATE = { regionId: 'cn-hangzhou', engine: 'MySQL', engineVersion: '8.0', DBInstanceClass: 'mysql.n2.medium.1', DBInstanceStorage: 20, DBInstanceNetType: 'Intranet', payType: 'Postpaid', securityIPList: '127.0.0.1' };
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('answer memo, on its own', () => {
  it('puts each RequestId into the remembered text and serves it only under the version it was made in', () => {
    const memo = createAnswerMemo(8);
    const key = memo.keyOf('acct', 'DescribeX', 'JSON', { DBInstanceId: 'rm-1' });
    assert.equal(memo.get(key, 'v1', 'R1'), undefined);
    memo.set(key, 'v1', { status: 200, headers: { 'content-type': 'x' }, body: `{"RequestId":"${memo.placeholder}","A":1}` });
    assert.deepEqual(memo.get(key, 'v1', 'R2'), { status: 200, headers: { 'content-type': 'x' }, body: '{"RequestId":"R2","A":1}' });
    assert.equal(memo.get(key, 'v2', 'R3'), undefined, 'another version is a miss');
    assert.equal(memo.get(key, 'v1', 'R4'), undefined, 'and the stale entry is gone');
  });

  it('keys apart what differs: account, action, format, input', () => {
    const memo = createAnswerMemo();
    const keys = new Set([
      memo.keyOf('a', 'X', 'JSON', { Id: '1' }), memo.keyOf('b', 'X', 'JSON', { Id: '1' }), memo.keyOf('a', 'Y', 'JSON', { Id: '1' }),
      memo.keyOf('a', 'X', 'XML', { Id: '1' }), memo.keyOf('a', 'X', 'JSON', { Id: '2' }), memo.keyOf('a', 'X', 'JSON', { Id: '1', P: 2 }),
    ]);
    assert.equal(keys.size, 6);
  });

  it('never keeps a text where the placeholder is missing or shows twice', () => {
    const memo = createAnswerMemo();
    memo.set('k1', 'v', { status: 200, headers: {}, body: '{"A":1}' });
    memo.set('k2', 'v', { status: 200, headers: {}, body: `${memo.placeholder}${memo.placeholder}` });
    assert.equal(memo.size, 0);
  });

  it('holds at most its limit, dropping the oldest', () => {
    const memo = createAnswerMemo(10);
    for (let i = 0; i < 25; i++) memo.set(`k${i}`, 'v', { status: 200, headers: {}, body: memo.placeholder });
    assert.ok(memo.size <= 10);
    assert.ok(memo.get('k24', 'v', 'R') !== undefined, 'the newest stays');
    assert.equal(memo.get('k0', 'v', 'R'), undefined);
  });
});

describe('answer memo, through the official client', () => {
  it('answers repeats alike but for their own RequestId, and sees every change at once', async () => {
    const s = await startTestServer();
    try {
      const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
      const id = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
      const netInfo = async () => (await c.describeDBInstanceNetInfo(req('DescribeDBInstanceNetInfo', { DBInstanceId: id }))).body;
      const first = await netInfo();
      const second = await netInfo();
      assert.notEqual(first.requestId, second.requestId);
      assert.deepEqual({ ...second, requestId: '' }, { ...first, requestId: '' });
      assert.equal(first.DBInstanceNetInfos.DBInstanceNetInfo.length, 1);

      // A change of this process: the next read shows it.
      await c.allocateInstancePublicConnection(req('AllocateInstancePublicConnection', { DBInstanceId: id, connectionStringPrefix: `${id}-pub`, port: '3306' }));
      assert.equal((await netInfo()).DBInstanceNetInfos.DBInstanceNetInfo.length, 2);

      // A change committed by another connection to the file (as another process would): seen by the next turn's reads.
      const attr = async () => (await c.describeDBInstanceAttribute(req('DescribeDBInstanceAttribute', { DBInstanceId: id }))).body.items.DBInstanceAttribute[0];
      assert.equal((await attr()).DBInstanceDescription, (await attr()).DBInstanceDescription);
      const other = new BetterSqlite3(join(s.dataDir, SQLITE_FILE_NAME));
      try {
        other.pragma('busy_timeout = 5000');
        other.prepare('update instances set description = ? where id = ?').run('changed elsewhere', id);
      } finally {
        other.close();
      }
      await turn();
      assert.equal((await attr()).DBInstanceDescription, 'changed elsewhere');
    } finally {
      await s.stop();
    }
  });

  it('keeps accounts apart and still checks the signature and the nonce of every call', async () => {
    const s = await startTestServer();
    try {
      const c = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
      const id = (await c.createDBInstance(req('CreateDBInstance', CREATE))).body.DBInstanceId as string;
      const query = { DBInstanceId: id };
      for (let i = 0; i < 3; i++) assert.equal((await v3Post(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', query)).status, 200);

      // XML answers are remembered apart from JSON ones, each with its own RequestId in place.
      const xml = [await v3Post(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', { ...query, Format: 'XML' }), await v3Post(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', { ...query, Format: 'XML' })];
      const ids = xml.map((a) => /<RequestId>([^<]+)<\/RequestId>/.exec(a.text)?.[1]);
      assert.ok(ids[0] && ids[1] && ids[0] !== ids[1]);
      assert.equal(xml[0]?.headers['x-acs-request-id'], ids[0]);
      assert.equal(xml[1]?.text.replace(ids[1] as string, ''), xml[0]?.text.replace(ids[0] as string, ''));
      assert.match(xml[0]?.text ?? '', /^<\?xml .*<DescribeDBInstanceNetInfoResponse>/);

      const stranger = await v3Post(s.endpoint, s.other, 'DescribeDBInstanceNetInfo', query);
      assert.equal(stranger.json?.Code, 'InvalidDBInstanceId.NotFound');
      const forged = await v3Post(s.endpoint, { ...s.credentials, accessKeySecret: 'not-the-secret' }, 'DescribeDBInstanceNetInfo', query);
      assert.equal(forged.json?.Code, 'SignatureDoesNotMatch');

      const signed = v3Headers(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', query);
      assert.equal((await send(s.endpoint, { method: 'POST', ...signed })).status, 200);
      const replay = await send(s.endpoint, { method: 'POST', ...signed });
      assert.equal(replay.json?.Code, 'SignatureNonceUsed');

      // An error is never remembered: the same call for a missing instance fails each time.
      const missing = { DBInstanceId: 'rm-notthereyet000000' };
      assert.equal((await v3Post(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', missing)).json?.Code, 'InvalidDBInstanceId.NotFound');
      assert.equal((await v3Post(s.endpoint, s.credentials, 'DescribeDBInstanceNetInfo', missing)).json?.Code, 'InvalidDBInstanceId.NotFound');
    } finally {
      await s.stop();
    }
  });
});
