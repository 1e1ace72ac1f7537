// The update path and the tolerance Terraform needs, at the wire level: what the provider sends for instance_name,
// instance_type / instance_storage (with DBInstanceClassChanging until the settler ends it), tags (TagResources,
// the misspelt UnTagResources), refused upgrades and billing changes, ModifyAccountCheckPolicy; odd values it
// really sends; read-path answers for a missing instance (4xx, never 5xx); DescribeParameters' engine hook.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { applyInstance, createBody, waitRunning, type InstanceConfig, type Tf } from './helpers/terraform-flows.js';
import { at, tfCall, tfFail, tfOk, type Json } from './helpers/terraform-wire.js';

const PG: InstanceConfig = { engine: 'PostgreSQL', engineVersion: '16.0', instanceType: 'pg.n2.medium.1', storage: 20, securityIps: ['10.1.0.0/16'], tags: {} };
const MYSQL: InstanceConfig = { ...PG, engine: 'MySQL', engineVersion: '8.0', instanceType: 'mysql.n2.medium.1' };

describe('terraform update path and tolerance', () => {
  let s: TestServer;
  let tf: Tf;
  const c = (b: Record<string, string>) => ({ RegionId: tf.region, SourceIp: tf.sourceIp, ...b });
  const attr = async (id: string) => at(await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceAttribute', c({ DBInstanceId: id })), 'Items.DBInstanceAttribute[0]') as Json;
  before(async () => {
    s = await startTestServer({ service: { specChangeMs: 200 } });
    tf = { endpoint: s.endpoint, creds: s.credentials, region: 'cn-hangzhou', sourceIp: '' };
  });
  after(async () => { await s.stop(); });

  test('what the provider really sends for a minimal PostgreSQL instance is accepted and echoed', async () => {
    const body = createBody(tf, PG);
    assert.equal(body.ClientToken?.length, 66);
    assert.equal(body.DBInstanceDescription, '');
    assert.equal(body.InstanceNetworkType, 'Classic');
    const { id } = await applyInstance(tf, PG);
    const a = await attr(id);
    assert.equal(a.VSwitchId, '');
    assert.equal(a.DBInstanceDescription, '');
    assert.equal(a.Engine, 'PostgreSQL');
    assert.equal(a.PayType, 'Postpaid');
    assert.equal(a.SecurityIPMode, 'normal');
  });

  test('instance_name, instance_type and instance_storage', async () => {
    const { id } = await applyInstance(tf, MYSQL);
    await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceDescription', c({ DBInstanceId: id, DBInstanceDescription: 'orders-db' }));
    assert.equal((await attr(id)).DBInstanceDescription, 'orders-db');
    await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceDescription', c({ DBInstanceId: id, DBInstanceDescription: '' }));
    assert.equal((await attr(id)).DBInstanceDescription, '', 'unsetting instance_name clears it');
    assert.equal(await tfFail(tf.endpoint, tf.creds, 'ModifyDBInstanceDescription', c({ DBInstanceId: id, DBInstanceDescription: 'x' }), 'InvalidDBInstanceDescription.Format'), 400);

    const spec = c({ DBInstanceId: id, PayType: 'Postpaid', DBInstanceClass: 'mysql.n2.large.1', DBInstanceStorage: '50', DBInstanceStorageType: 'cloud_essd' });
    await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', spec);
    const during = await attr(id);
    assert.equal(during.DBInstanceStatus, 'DBInstanceClassChanging');
    const tasks = await tfOk(tf.endpoint, tf.creds, 'DescribeTasks', c({ DBInstanceId: id }));
    assert.deepEqual((at(tasks, 'Items.TaskProgressInfo') as Json[]).map((t) => [t.TaskAction, t.Status]), [['ModifyDBInstanceSpec', 'Processing']]);
    assert.equal(await tfFail(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', spec, 'IncorrectDBInstanceState'), 403);
    // The provider's wait before and after a spec change: Pending [DBInstanceClassChanging, ...], Target Running.
    await waitRunning(tf, id, ['DBInstanceClassChanging', 'DBInstanceNetTypeChanging']);
    const done = await attr(id);
    assert.deepEqual([done.DBInstanceClass, done.DBInstanceStorage], ['mysql.n2.large.1', 50]);
    assert.deepEqual(at(await tfOk(tf.endpoint, tf.creds, 'DescribeTasks', c({ DBInstanceId: id })), 'Items.TaskProgressInfo'), []);

    assert.equal(await tfFail(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', c({ DBInstanceId: id, PayType: 'Postpaid', DBInstanceStorage: '20' }), 'UnsupportedReduceDiskSize'), 400);
    assert.equal(await tfFail(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', c({ DBInstanceId: id, PayType: 'Prepaid', DBInstanceStorage: '60' }), 'InvalidOrderCharge.NotSupport'), 400);
    assert.equal(await tfFail(tf.endpoint, tf.creds, 'ModifyDBInstanceSpec', c({ DBInstanceId: id, EngineVersion: '5.7', AllowMajorVersionUpgrade: 'true' }), 'IncorrectEngineVersion'), 403);
  });

  test('tags: TagResources, DescribeTags, the Tags filter, UnTagResources as the provider spells it', async () => {
    const { id } = await applyInstance(tf, { ...MYSQL, tags: { env: 'dev' } });
    const { id: other } = await applyInstance(tf, MYSQL);
    await tfOk(tf.endpoint, tf.creds, 'TagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': id, 'Tag.1.Key': 'env', 'Tag.1.Value': 'prod', 'Tag.2.Key': 'team', 'Tag.2.Value': 'db' }));
    const tags = at(await tfOk(tf.endpoint, tf.creds, 'DescribeTags', c({ DBInstanceId: id })), 'Items.TagInfos') as Json[];
    assert.deepEqual(tags.map((t) => [t.TagKey, t.TagValue, at(t, 'DBInstanceIds.DBInstanceIds')]), [['env', 'prod', [id]], ['team', 'db', [id]]]);
    const list = async (filter: Record<string, string>) => (at(await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstances', c({ PageNumber: '1', PageSize: '100', Tags: JSON.stringify(filter) })), 'Items.DBInstance') as Json[]).map((i) => i.DBInstanceId);
    assert.deepEqual(await list({ env: 'prod' }), [id]);
    assert.deepEqual(await list({ env: 'prod', team: 'db' }), [id]);
    assert.deepEqual(await list({ env: 'dev' }), []);
    const mode = async (m: string) => (at(await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstances', c({ PageNumber: '1', PageSize: '100', ConnectionMode: m, Tags: '{"env":"prod"}' })), 'Items.DBInstance') as Json[]).length;
    assert.deepEqual([await mode('Standard'), await mode('Safe')], [1, 0]);
    await tfFail(tf.endpoint, tf.creds, 'DescribeDBInstances', c({ Tags: 'env=prod' }), 'Tag.InvalidTagsParameter');

    await tfOk(tf.endpoint, tf.creds, 'UnTagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': id, 'TagKey.1': 'team' }));
    assert.deepEqual((at(await tfOk(tf.endpoint, tf.creds, 'DescribeTags', c({ DBInstanceId: id })), 'Items.TagInfos') as Json[]).map((t) => t.TagKey), ['env']);
    await tfOk(tf.endpoint, tf.creds, 'UntagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': id, All: 'true' }));
    assert.deepEqual(at(await tfOk(tf.endpoint, tf.creds, 'DescribeTags', c({ DBInstanceId: id })), 'Items.TagInfos'), []);

    await tfFail(tf.endpoint, tf.creds, 'TagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': id, 'Tag.1.Key': 'aliyun-x', 'Tag.1.Value': 'v' }), 'InvalidTagKey.Malformed');
    await tfFail(tf.endpoint, tf.creds, 'TagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': id, 'Tag.1.Key': 'k', 'Tag.2.Key': 'k' }), 'Duplicate.TagKey');
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [[`Tag.${i + 1}.Key`, `k${i}`], [`Tag.${i + 1}.Value`, 'v']]).flat());
    await tfFail(tf.endpoint, tf.creds, 'TagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': id, ...many }), 'NumberExceed.Tags');
    await tfFail(tf.endpoint, tf.creds, 'TagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': 'rm-nosuchinstance0000', 'Tag.1.Key': 'a', 'Tag.1.Value': 'b' }), 'InvalidResourceId.NotFound');
    // A refused call changes nothing, on any instance it names.
    await tfFail(tf.endpoint, tf.creds, 'TagResources', c({ ResourceType: 'INSTANCE', 'ResourceId.1': other, 'ResourceId.2': 'rm-nosuchinstance0000', 'Tag.1.Key': 'a', 'Tag.1.Value': 'b' }), 'InvalidResourceId.NotFound');
    assert.deepEqual(at(await tfOk(tf.endpoint, tf.creds, 'DescribeTags', c({ DBInstanceId: other })), 'Items.TagInfos'), []);
  });

  test('what localrds cannot emulate is refused with a 4xx that says so', async () => {
    const { id } = await applyInstance(tf, MYSQL);
    // The provider sends RegionId set to its SourceIp on this call (empty, or an address).
    for (const regionId of ['', '192.0.2.10']) {
      const a = await tfCall(tf.endpoint, tf.creds, 'UpgradeDBInstanceEngineVersion', { RegionId: regionId, SourceIp: regionId, DBInstanceId: id, EngineVersion: '5.7', EffectiveTime: '', ClientToken: `TF-UpgradeDBInstanceEngineVersion-${Date.now()}-x` });
      assert.equal(a.status, 403);
      assert.equal(a.json.Code, 'IncorrectEngineVersion');
      assert.match(a.json.Message as string, /does not emulate engine version upgrades/);
    }
    await tfOk(tf.endpoint, tf.creds, 'UpgradeDBInstanceEngineVersion', { RegionId: '', SourceIp: '', DBInstanceId: id, EngineVersion: '8.0' });
    await tfFail(tf.endpoint, tf.creds, 'UpgradeDBInstanceMajorVersionPrecheck', c({ DBInstanceId: id, TargetMajorVersion: '9.0' }), 'IncorrectEngineVersion');
    await tfFail(tf.endpoint, tf.creds, 'UpgradeDBInstanceMajorVersion', c({ DBInstanceId: id, TargetMajorVersion: '9.0', PayType: 'Postpaid' }), 'IncorrectEngineVersion');
    const prepaid = await tfCall(tf.endpoint, tf.creds, 'TransformDBInstancePayType', c({ DBInstanceId: id, PayType: 'Prepaid', Period: 'Month', UsedTime: '1' }));
    assert.equal(prepaid.status, 400);
    assert.equal(prepaid.json.Code, 'InvalidOrderCharge.NotSupport');
    assert.match(prepaid.json.Message as string, /does not emulate subscription/);
    assert.equal((await tfOk(tf.endpoint, tf.creds, 'TransformDBInstancePayType', c({ DBInstanceId: id, PayType: 'Postpaid' }))).ChargeType, 'POSTPAY');

    await tfOk(tf.endpoint, tf.creds, 'CreateAccount', { SourceIp: '', DBInstanceId: id, AccountName: 'checker', AccountPassword: 'Check-Policy-2026!', AccountType: 'Normal' });
    await tfOk(tf.endpoint, tf.creds, 'ModifyAccountCheckPolicy', c({ DBInstanceId: id, AccountName: 'checker', CheckPolicy: 'false' }));
    await tfFail(tf.endpoint, tf.creds, 'ModifyAccountCheckPolicy', c({ DBInstanceId: id, AccountName: 'checker', CheckPolicy: 'true' }), 'UnsupportedParameter');
    await tfFail(tf.endpoint, tf.creds, 'ModifyAccountCheckPolicy', c({ DBInstanceId: id, AccountName: 'nobody', CheckPolicy: 'false' }), 'InvalidAccountName.NotFound');
    // deletion_protection = true, then false again.
    await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceDeletionProtection', c({ DBInstanceId: id, DeletionProtection: 'true' }));
    assert.equal((await attr(id)).DeletionProtection, true);
    await tfFail(tf.endpoint, tf.creds, 'DeleteDBInstance', c({ DBInstanceId: id }), 'OperationDenied.DeletionProtection');
    await tfOk(tf.endpoint, tf.creds, 'ModifyDBInstanceDeletionProtection', c({ DBInstanceId: id, DeletionProtection: 'false' }));
    assert.equal((await attr(id)).DeletionProtection, false);
    // Update-path actions behind optional arguments localrds does not emulate: a 4xx (never 5xx, never 404).
    assert.equal(await tfFail(tf.endpoint, tf.creds, 'ModifyDBInstanceMonitor', c({ DBInstanceId: id, Period: '60' }), 'Api.NotSupport'), 400);
  });

  test('read-path actions on a missing instance answer 4xx, never 5xx', async () => {
    const gone = 'rm-doesnotexist00000';
    const reads: Array<[string, Record<string, string>, number]> = [
      ['DescribeTags', { DBInstanceId: gone }, 404], ['DescribeDBInstanceSSL', { DBInstanceId: gone }, 404],
      ['DescribeDBInstanceMonitor', { DBInstanceId: gone }, 400], ['DescribeSQLCollectorPolicy', { DBInstanceId: gone }, 400],
      ['DescribeSQLCollectorRetention', { DBInstanceId: gone }, 400], ['DescribeParameters', { DBInstanceId: gone }, 400],
      ['DescribeSecurityGroupConfiguration', { DBInstanceId: gone }, 400], ['DescribeHASwitchConfig', { DBInstanceId: gone }, 400],
      ['DescribeHADiagnoseConfig', { DBInstanceId: gone }, 400], ['DescribeDBInstanceHAConfig', { DBInstanceId: gone }, 400],
      ['DescribeDBInstanceEncryptionKey', { DBInstanceId: gone }, 400], ['DescribeDBInstanceTDE', { DBInstanceId: gone }, 400],
      ['DescribePGHbaConfig', { DBInstanceId: gone }, 400], ['DescribeTasks', { DBInstanceId: gone }, 400],
      ['DescribeDatabases', { DBInstanceId: gone, DBName: 'tfdb' }, 404], ['DescribeAccounts', { DBInstanceId: gone, AccountName: 'tf' }, 400],
    ];
    for (const [action, body, status] of reads) {
      assert.equal(await tfFail(tf.endpoint, tf.creds, action, c(body), 'InvalidDBInstanceId.NotFound'), status, action);
    }
    await tfFail(tf.endpoint, tf.creds, 'DescribeInstanceLinkedWhitelistTemplate', { RegionId: tf.region, InsName: gone }, 'InsName.NotFound');
    const { id } = await applyInstance(tf, MYSQL);
    assert.equal(await tfFail(tf.endpoint, tf.creds, 'DescribePGHbaConfig', { SourceIp: '', DBInstanceId: id }, 'IncorrectDBInstanceType'), 400);
    // Another tenant's instance is as missing as one that never existed.
    assert.equal(await tfFail(tf.endpoint, s.other, 'DescribeDBInstanceHAConfig', { SourceIp: '', DBInstanceId: id }, 'InvalidDBInstanceId.NotFound'), 400);
  });
});

describe('DescribeParameters reads the engine hook', () => {
  test('running values from the server, defaults for what it leaves out or when it fails', async () => {
    let fail = false;
    const asked: string[][] = [];
    const s = await startTestServer({
      engineParameters: async (_id, names) => {
        asked.push(names);
        if (fail) throw new Error('server down');
        return { timezone: 'Asia/Shanghai', time_zone: '+08:00' };
      },
    });
    try {
      const tf: Tf = { endpoint: s.endpoint, creds: s.credentials, region: 'cn-hangzhou', sourceIp: '' };
      const { id } = await applyInstance(tf, PG);
      const value = async (name: string) => {
        const p = await tfOk(tf.endpoint, tf.creds, 'DescribeParameters', { RegionId: 'cn-hangzhou', SourceIp: '', DBInstanceId: id });
        return (at(p, 'RunningParameters.DBInstanceParameter') as Json[]).find((x) => x.ParameterName === name)?.ParameterValue;
      };
      assert.equal(await value('timezone'), 'Asia/Shanghai');
      assert.equal(await value('max_connections'), '100', 'the documented default where the server says nothing');
      assert.ok(asked.some((n) => n.includes('timezone') && n.includes('shared_buffers')));
      // MySQL's default_time_zone is the server's time_zone variable.
      const { id: my } = await applyInstance(tf, MYSQL);
      const p = await tfOk(tf.endpoint, tf.creds, 'DescribeParameters', { RegionId: 'cn-hangzhou', SourceIp: '', DBInstanceId: my });
      assert.equal((at(p, 'RunningParameters.DBInstanceParameter') as Json[]).find((x) => x.ParameterName === 'default_time_zone')?.ParameterValue, '+08:00');
      assert.ok(asked.some((n) => n.includes('time_zone') && !n.includes('default_time_zone')));
      fail = true;
      assert.equal(await value('timezone'), 'GMT', 'a server that cannot answer leaves the documented default, and no 5xx');
      const t = await tfOk(tf.endpoint, tf.creds, 'DescribeParameterTemplates', { RegionId: 'cn-hangzhou', SourceIp: '', DBInstanceId: id, Engine: 'PostgreSQL', EngineVersion: '16.0' });
      assert.equal(t.ParameterCount, String((at(t, 'Parameters.TemplateRecord') as Json[]).length));
    } finally {
      await s.stop();
    }
  });
});
