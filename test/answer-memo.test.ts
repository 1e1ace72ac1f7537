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
  const json = (requestId: string) => ({ status: 200, headers: { 'content-type': 'x' }, body: `{"RequestId":"${requestId}","A":1}` });

  it('puts each RequestId into the remembered text and serves it only under the version it was made in', () => {
    const memo = createAnswerMemo(8);
    const input = { DBInstanceId: 'rm-1' };
    const miss = memo.lookup('acct', 'DescribeX', 'JSON', input, 'v1', 'R1');
    assert.equal(miss.answer, undefined);
    assert.deepEqual(miss.keep(json), json('R1'));
    assert.deepEqual(memo.lookup('acct', 'DescribeX', 'JSON', input, 'v1', 'R2').answer, json('R2'));
    assert.equal(memo.lookup('acct', 'DescribeX', 'JSON', input, 'v2', 'R3').answer, undefined, 'another version is a miss');
    assert.equal(memo.lookup('acct', 'DescribeX', 'JSON', input, 'v1', 'R4').answer, undefined, 'and the stale entry is gone');
  });

  it('keeps apart what differs: account, action, format, input', () => {
    const memo = createAnswerMemo();
    memo.lookup('a', 'X', 'JSON', { Id: '1' }, 'v', 'R').keep(json);
    const others: Array<[string, string, string, Record<string, unknown>]> = [
      ['b', 'X', 'JSON', { Id: '1' }], ['a', 'Y', 'JSON', { Id: '1' }], ['a', 'X', 'XML', { Id: '1' }],
      ['a', 'X', 'JSON', { Id: '2' }], ['a', 'X', 'JSON', { Id: '1', P: 2 }],
    ];
    for (const [acct, action, format, input] of others) assert.equal(memo.lookup(acct, action, format, input, 'v', 'R').answer, undefined);
    assert.ok(memo.lookup('a', 'X', 'JSON', { Id: '1' }, 'v', 'R').answer);
  });

  it('never keeps a text where the RequestId is missing or shows twice, and still answers it', () => {
    const memo = createAnswerMemo();
    const none = () => ({ status: 200, headers: {}, body: '{"A":1}' });
    const twice = (id: string) => ({ status: 200, headers: {}, body: `${id}/${id}` });
    assert.equal(memo.lookup('a', 'X', 'JSON', {}, 'v', 'R1').keep(none).body, '{"A":1}');
    assert.equal(memo.lookup('a', 'Y', 'JSON', {}, 'v', 'R2').keep(twice).body, 'R2/R2');
    assert.equal(memo.size, 0);
  });

  it('holds at most its limit, dropping the oldest', () => {
    const memo = createAnswerMemo(10);
    for (let i = 0; i < 25; i++) memo.lookup('a', 'X', 'JSON', { i }, 'v', 'R').keep(json);
    assert.ok(memo.size <= 10);
    assert.ok(memo.lookup('a', 'X', 'JSON', { i: 24 }, 'v', 'R').answer !== undefined, 'the newest stays');
    assert.equal(memo.lookup('a', 'X', 'JSON', { i: 0 }, 'v', 'R').answer, undefined);
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
