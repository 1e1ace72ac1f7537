// ClientToken idempotence as Terraform relies on it: a CreateDBInstance whose answer was lost is retried with the
// same 66-character token and creates one instance, not two; the retry gets the first call's answer (also after a
// restart); another tenant's same token is independent; the same token with other parameters is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PG_URL, startTestServer, type TestServer } from './helpers/localrds.js';
import { dropSchema } from './store-fixtures/backends.js';
import { createBody, waitRunning, type InstanceConfig, type Tf } from './helpers/terraform-flows.js';
import { at, terraformClientToken, tfDropped, tfFail, tfOk, type Json } from './helpers/terraform-wire.js';

const CFG: InstanceConfig = { engine: 'MySQL', engineVersion: '8.0', instanceType: 'mysql.n2.medium.1', storage: 20, securityIps: ['10.0.0.0/8'], tags: {} };

async function instanceIds(tf: Tf): Promise<string[]> {
  const l = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstances', { RegionId: tf.region, SourceIp: '', PageNumber: '1', PageSize: '100' });
  return (at(l, 'Items.DBInstance') as Json[]).map((i) => i.DBInstanceId as string);
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`ClientToken (${store} store)`, () => {
    const schema = `lrds_token_${process.pid}_${Date.now()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'localrds-token-'));
    const opts = store === 'postgres' ? { db: `${PG_URL}?schema=${schema}`, keepDataDir: dataDir } : { keepDataDir: dataDir };
    let s: TestServer | undefined;
    after(async () => {
      await s?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (store === 'postgres') await dropSchema(schema);
    });

    test('a create retried after a dropped answer creates one instance and answers as the first call did', async () => {
      s = await startTestServer(opts);
      const tf: Tf = { endpoint: s.endpoint, creds: s.credentials, region: 'cn-hangzhou', sourceIp: '' };
      const token = terraformClientToken();
      const body = createBody(tf, CFG, token);

      await tfDropped(tf.endpoint, tf.creds, 'CreateDBInstance', body);
      // The server carried the call out although nobody read its answer.
      let ids: string[] = [];
      for (let i = 0; i < 200 && ids.length === 0; i++) {
        ids = await instanceIds(tf);
        if (ids.length === 0) await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(ids.length, 1, 'the dropped call created the instance');

      const retry = await tfOk(tf.endpoint, tf.creds, 'CreateDBInstance', body);
      assert.equal(retry.DBInstanceId, ids[0], 'the retry answers with the first call\'s instance');
      const again = await tfOk(tf.endpoint, tf.creds, 'CreateDBInstance', body);
      assert.deepEqual({ ...again, RequestId: '' }, { ...retry, RequestId: '' }, 'the same answer every time');
      assert.deepEqual(await instanceIds(tf), ids, 'one instance, not two');
      await waitRunning(tf, ids[0] as string, ['Creating']);

      // The same token with other parameters is another request.
      assert.equal(await tfFail(tf.endpoint, tf.creds, 'CreateDBInstance', { ...body, DBInstanceStorage: '30' }, 'IdempotentParameterMismatch'), 400);
      // Another tenant's token is its own.
      const otherTf: Tf = { ...tf, creds: s.other };
      const theirs = await tfOk(tf.endpoint, s.other, 'CreateDBInstance', body);
      assert.notEqual(theirs.DBInstanceId, ids[0]);
      assert.deepEqual(await instanceIds(otherTf), [theirs.DBInstanceId]);
      assert.deepEqual(await instanceIds(tf), ids);

      // Other operations with a ClientToken: a repeated ModifyDBInstanceSpec is the first one again.
      const spec = { RegionId: tf.region, SourceIp: '', DBInstanceId: ids[0] as string, PayType: 'Postpaid', DBInstanceClass: 'mysql.n2.large.1', DBInstanceStorage: '40', ClientToken: terraformClientToken() };
      const first = await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', spec);
      await waitRunning(tf, ids[0] as string, ['DBInstanceClassChanging']);
      const second = await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', spec);
      assert.equal(second.OrderId, first.OrderId);
      const audit = await s.store.read((r) => r.audit.list({ limit: 50 }));
      assert.ok(audit.some((a) => a.action === 'CreateDBInstance' && a.result === 'Replayed'), 'replays are audited as such');

      // Concurrent first calls with one token (a client retrying while the first is still in flight): one instance.
      const burst = createBody(tf, CFG);
      const answers = await Promise.all(Array.from({ length: 6 }, () => tfOk(tf.endpoint, tf.creds, 'CreateDBInstance', burst)));
      assert.equal(new Set(answers.map((a) => a.DBInstanceId)).size, 1, 'every concurrent call got the same instance');
      const now = await instanceIds(tf);
      assert.equal(now.length, 2);
      assert.ok(now.includes(answers[0]?.DBInstanceId as string));

      // The answer is in the store: a restart still knows the token.
      await s.stop();
      s = await startTestServer(opts);
      const afterRestart = await tfOk(s.endpoint, s.credentials, 'CreateDBInstance', body);
      assert.equal(afterRestart.DBInstanceId, ids[0]);
      assert.deepEqual(await instanceIds({ ...tf, endpoint: s.endpoint }), now);
    });
  });
}
