// The Terraform provider's calls for alicloud_db_instance, alicloud_db_connection and the alicloud_db_instances
// data source, request by request as shared/reference/terraform-calls.md records them (§1, §5, §6), with the
// fields each step reads checked for presence and JSON type. Each read returns the attributes the provider would
// keep in its state, so that a test can compare apply with refresh and state with configuration.
import assert from 'node:assert/strict';
import type { Creds } from './clients.js';
import { at, expectTypes, terraformClientToken, tfCall, tfOk, type Json } from './terraform-wire.js';

export interface InstanceConfig {
  engine: 'MySQL' | 'PostgreSQL';
  engineVersion: string;
  instanceType: string;
  storage: number;
  securityIps: string[];
  tags: Record<string, string>;
  /** instance_name; unset sends DBInstanceDescription= */
  name?: string;
}

export interface Tf {
  endpoint: string;
  creds: Creds;
  region: string;
  /** The provider's source_ip (empty unless configured); sent in the body of most calls. */
  sourceIp: string;
}

const common = (tf: Tf) => ({ RegionId: tf.region, SourceIp: tf.sourceIp });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CreateDBInstance's body for a minimal configuration without vswitch_id (§1.1 step 2). */
export function createBody(tf: Tf, cfg: InstanceConfig, clientToken = terraformClientToken()): Record<string, string> {
  const tags = Object.entries(cfg.tags).flatMap(([k, v], i) => [[`Tag.${i + 1}.Key`, k], [`Tag.${i + 1}.Value`, v]]);
  return {
    ...common(tf), Engine: cfg.engine, EngineVersion: cfg.engineVersion, DBInstanceClass: cfg.instanceType,
    DBInstanceStorage: String(cfg.storage), DBInstanceNetType: 'Intranet', DBInstanceDescription: cfg.name ?? '',
    InstanceNetworkType: 'Classic', PayType: 'Postpaid', SecurityIPList: cfg.securityIps.join(',') || '127.0.0.1',
    ClientToken: clientToken, ...Object.fromEntries(tags),
  };
}

/** StateChangeConf Pending [Creating] Target [Running]: any other state fails the apply (§1.1 step 3). */
export async function waitRunning(tf: Tf, id: string, pending: string[] = ['Creating']): Promise<string[]> {
  const seen: string[] = [];
  // A generous bound: with real instance servers, Creating lasts until the server accepts connections.
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    const a = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceAttribute', { ...common(tf), DBInstanceId: id });
    const status = at(a, 'Items.DBInstanceAttribute[0].DBInstanceStatus');
    assert.equal(typeof status, 'string');
    seen.push(status as string);
    if (status === 'Running') return seen;
    assert.ok(pending.includes(status as string), `unexpected state ${String(status)} (pending ${pending.join(',')})`);
    await sleep(50);
  }
  throw new Error(`${id} never reached Running: ${seen.slice(-3).join(',')}`);
}

/** apply of alicloud_db_instance: create, wait, tags (TagResources + wait), then the read. */
export async function applyInstance(tf: Tf, cfg: InstanceConfig): Promise<{ id: string; state: InstanceState; states: string[] }> {
  const created = await tfOk(tf.endpoint, tf.creds, 'CreateDBInstance', createBody(tf, cfg));
  expectTypes('CreateDBInstance', created, { DBInstanceId: 'string' });
  const id = created.DBInstanceId as string;
  const states = await waitRunning(tf, id);
  if (Object.keys(cfg.tags).length > 0) {
    const tags = Object.entries(cfg.tags).flatMap(([k, v], i) => [[`Tag.${i + 1}.Key`, k], [`Tag.${i + 1}.Value`, v]]);
    await tfOk(tf.endpoint, tf.creds, 'TagResources', { ...common(tf), ResourceType: 'INSTANCE', 'ResourceId.1': id, ...Object.fromEntries(tags) });
    await waitRunning(tf, id, []);
  }
  return { id, state: await readInstance(tf, id), states };
}

export interface InstanceState {
  calls: number;
  attrs: Record<string, unknown>;
}

/** The read of alicloud_db_instance (§1.2): 16 calls for MySQL, 18 for PostgreSQL, each checked. */
export async function readInstance(tf: Tf, id: string): Promise<InstanceState> {
  let calls = 0;
  const call = async (action: string, body: Record<string, string>) => { calls++; return tfOk(tf.endpoint, tf.creds, action, body); };
  const byId = { ...common(tf), DBInstanceId: id };
  const attr = await call('DescribeDBInstanceAttribute', byId);
  const inst = at(attr, 'Items.DBInstanceAttribute[0]') as Json;
  expectTypes('DescribeDBInstanceAttribute', inst, {
    ServerlessConfig: 'object', 'SlaveZones.SlaveZone': 'array', Extra: 'object', Engine: 'string', DBInstanceStorageType: 'string',
    PayType: 'string', ConnectionString: 'string', EngineVersion: 'string', DBInstanceClass: 'string', DBInstanceStorage: 'number',
    VSwitchId: 'string', ZoneId: 'string', VpcId: 'string', Category: 'string', DBInstanceDescription: 'string', SecurityIPMode: 'string',
    DeletionProtection: 'boolean', Port: 'string', DBInstanceType: 'string', DBInstanceStatus: 'string', CreationTime: 'string',
    ResourceGroupId: 'string', MaintainTime: 'string', AutoUpgradeMinorVersion: 'string', CurrentKernelVersion: 'string',
  });
  // Without kindCode the provider skips its TDE wait and read (row 17).
  assert.equal('kindCode' in inst, false);
  for (const flag of ['BurstingEnabled', 'ColdDataEnabled', 'PGBouncerEnabled']) assert.ok(!(flag in inst) || inst[flag] === false || inst[flag] === 'false', flag);
  const engine = inst.Engine as string;

  const ipArray = await call('DescribeDBInstanceIPArrayList', byId);
  expectTypes('DescribeDBInstanceIPArrayList', ipArray, { 'Items.DBInstanceIPArray': 'array' });
  const groups = at(ipArray, 'Items.DBInstanceIPArray') as Json[];
  for (const g of groups) expectTypes('DBInstanceIPArray', g, { DBInstanceIPArrayName: 'string', SecurityIPList: 'string' });
  const defaultGroup = groups.find((g) => g.DBInstanceIPArrayName === 'default');

  const tags = await call('DescribeTags', byId);
  expectTypes('DescribeTags', tags, { 'Items.TagInfos': 'array' });
  const tagMap: Record<string, string> = {};
  for (const t of at(tags, 'Items.TagInfos') as Json[]) {
    expectTypes('TagInfos', t, { TagKey: 'string', TagValue: 'string' });
    if (!/^(aliyun|acs:|https?:\/\/)/.test(t.TagKey as string)) tagMap[t.TagKey as string] = t.TagValue as string;
  }

  const monitor = await call('DescribeDBInstanceMonitor', byId);
  expectTypes('DescribeDBInstanceMonitor', monitor, { Period: 'string' });
  assert.match(monitor.Period as string, /^\d+$/);
  const collector = await call('DescribeSQLCollectorPolicy', byId);
  expectTypes('DescribeSQLCollectorPolicy', collector, { SQLCollectorStatus: 'string' });
  const retention = await call('DescribeSQLCollectorRetention', byId);
  expectTypes('DescribeSQLCollectorRetention', retention, { ConfigValue: 'string' });
  assert.match(retention.ConfigValue as string, /^\d+$/);

  const net = await call('DescribeDBInstanceNetInfo', byId);
  expectTypes('DescribeDBInstanceNetInfo', net, { 'DBInstanceNetInfos.DBInstanceNetInfo': 'array' });
  const entries = at(net, 'DBInstanceNetInfos.DBInstanceNetInfo') as Json[];
  const privateEntry = entries.find((e) => e.IPType === 'Private');
  assert.ok(privateEntry, 'a Private entry');
  expectTypes('Private entry', privateEntry, { IPAddress: 'string' });

  let encryptionKey: unknown;
  if (engine === 'PostgreSQL') {
    const key = await call('DescribeDBInstanceEncryptionKey', byId);
    expectTypes('DescribeDBInstanceEncryptionKey', key, { EncryptionKey: 'string' });
    encryptionKey = key.EncryptionKey;
  }

  const ha = await call('DescribeDBInstanceHAConfig', { SourceIp: tf.sourceIp, DBInstanceId: id });
  expectTypes('DescribeDBInstanceHAConfig', ha, { 'HostInstanceInfos.NodeInfo': 'array' });
  const nodes = at(ha, 'HostInstanceInfos.NodeInfo') as Json[];
  for (const n of nodes) expectTypes('NodeInfo', n, { NodeType: 'string', NodeId: 'string' });
  const master = nodes.find((n) => n.NodeType === 'Master');
  assert.ok(master, 'a Master node');

  // Row 10: the instance's own connection string, matched by the part before the first dot.
  const net2 = await call('DescribeDBInstanceNetInfo', byId);
  const prefix = (inst.ConnectionString as string).split('.')[0] as string;
  const own = (at(net2, 'DBInstanceNetInfos.DBInstanceNetInfo') as Json[]).find((e) => (e.ConnectionString as string).startsWith(prefix));
  assert.ok(own, 'the instance connection string is listed');

  let hba: unknown;
  if (engine === 'PostgreSQL' && inst.DBInstanceStorageType !== 'local_ssd') {
    const h = await call('DescribePGHbaConfig', { SourceIp: tf.sourceIp, DBInstanceId: id });
    expectTypes('DescribePGHbaConfig', h, { RunningHbaItems: 'object', 'RunningHbaItems.HbaItem': 'array' });
    for (const item of at(h, 'RunningHbaItems.HbaItem') as Json[]) {
      expectTypes('HbaItem', item, { PriorityId: 'number', Type: 'string', Database: 'string', Address: 'string', User: 'string', Method: 'string' });
    }
    hba = h.RunningHbaItems;
  }

  let timeZone: unknown;
  if (engine === 'MySQL' || engine === 'PostgreSQL') {
    const p = await call('DescribeParameters', byId);
    expectTypes('DescribeParameters', p, { 'RunningParameters.DBInstanceParameter': 'array' });
    const want = engine === 'MySQL' ? 'default_time_zone' : 'timezone';
    const tz = (at(p, 'RunningParameters.DBInstanceParameter') as Json[]).find((x) => x.ParameterName === want);
    assert.ok(tz, `running parameter ${want}`);
    expectTypes(want, tz, { ParameterValue: 'string' });
    timeZone = tz.ParameterValue;
  }

  if (inst.PayType === 'Prepaid') {
    const r = await call('DescribeInstanceAutoRenewalAttribute', { ...byId });
    expectTypes('DescribeInstanceAutoRenewalAttribute', r, { 'Items.Item': 'array' });
  }

  const sg = await call('DescribeSecurityGroupConfiguration', byId);
  expectTypes('DescribeSecurityGroupConfiguration', sg, { 'Items.EcsSecurityGroupRelation': 'array' });

  const ssl = await call('DescribeDBInstanceSSL', byId);
  expectTypes('DescribeDBInstanceSSL', ssl, {
    RequireUpdate: 'string', SSLEnabled: 'string', CAType: 'string', ServerCert: 'string', ServerKey: 'string', ClientCACert: 'string',
    ClientCertRevocationList: 'string', ACL: 'string', ReplicationACL: 'string', ConnectionString: 'string',
  });
  assert.ok(['Yes', 'No', 'on', 'off'].includes(ssl.SSLEnabled as string), `SSLEnabled ${String(ssl.SSLEnabled)}`);
  if ('ForceEncryption' in ssl) assert.match(String(ssl.ForceEncryption), /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/);

  const haSwitch = await call('DescribeHASwitchConfig', byId);
  expectTypes('DescribeHASwitchConfig', haSwitch, { HAConfig: 'string', ManualHATime: 'string' });
  const diagnose = await call('DescribeHADiagnoseConfig', byId);
  expectTypes('DescribeHADiagnoseConfig', diagnose, { TcpConnectionType: 'string' });
  const params = await call('DescribeParameters', byId);
  const groupId = at(params, 'ParamGroupInfo.ParamGroupId');
  assert.ok(groupId === undefined || groupId === '', 'no parameter group');

  const templates = await call('DescribeInstanceLinkedWhitelistTemplate', { RegionId: tf.region, InsName: id });
  expectTypes('DescribeInstanceLinkedWhitelistTemplate', templates, { 'Data.Templates': 'array' });
  // A 200 body with a Code is an error to the provider unless Success is true.
  if (templates.Code !== undefined) assert.equal(templates.Success, true);

  return {
    calls,
    attrs: {
      engine, engine_version: inst.EngineVersion, instance_type: inst.DBInstanceClass, instance_storage: inst.DBInstanceStorage,
      instance_name: inst.DBInstanceDescription, vswitch_id: inst.VSwitchId, zone_id: inst.ZoneId, vpc_id: inst.VpcId,
      instance_charge_type: inst.PayType, security_ip_mode: inst.SecurityIPMode, deletion_protection: inst.DeletionProtection,
      port: inst.Port, connection_string: inst.ConnectionString, db_instance_storage_type: inst.DBInstanceStorageType,
      category: inst.Category, security_ips: defaultGroup ? (defaultGroup.SecurityIPList as string).split(',').filter(Boolean) : [''],
      tags: tagMap, monitoring_period: Number(monitor.Period), sql_collector_status: collector.SQLCollectorStatus === 'Enable' ? 'Enabled' : collector.SQLCollectorStatus,
      sql_collector_config_value: Number(retention.ConfigValue), private_ip_address: privateEntry.IPAddress, node_id: master.NodeId,
      encryption_key: encryptionKey, pg_hba_conf: hba, db_time_zone: timeZone, security_group_ids: at(sg, 'Items.EcsSecurityGroupRelation'),
      ssl_status: ['Yes', 'on'].includes(ssl.SSLEnabled as string) ? 'Open' : 'Close', ca_type: ssl.CAType, client_ca_cert: ssl.ClientCACert,
      client_crl: ssl.ClientCertRevocationList, ha_config: haSwitch.HAConfig, manual_ha_time: haSwitch.ManualHATime,
      tcp_connection_type: diagnose.TcpConnectionType, db_param_group_id: groupId ?? '', whitelist_templates: at(templates, 'Data.Templates'),
    },
  };
}

/** What the configuration says, in the provider's attribute names (the plan is empty when the state matches). */
export function expectMatchesConfig(state: InstanceState, cfg: InstanceConfig): void {
  const a = state.attrs;
  assert.equal(a.engine, cfg.engine, 'engine (ForceNew)');
  assert.equal(a.engine_version, cfg.engineVersion);
  assert.equal(a.instance_type, cfg.instanceType);
  assert.equal(a.instance_storage, cfg.storage);
  assert.equal(a.instance_name, cfg.name ?? '', 'instance_name is not computed');
  assert.equal(a.vswitch_id, '', 'vswitch_id (ForceNew, not computed)');
  assert.equal(a.instance_charge_type, 'Postpaid');
  assert.equal(a.security_ip_mode, 'normal');
  assert.equal(a.deletion_protection, false);
  assert.deepEqual(a.security_ips, cfg.securityIps);
  assert.deepEqual(a.tags, cfg.tags);
  assert.equal(a.db_param_group_id, '');
  assert.equal(a.client_ca_cert, '');
  assert.equal(a.client_crl, '');
  assert.equal(state.calls, cfg.engine === 'PostgreSQL' ? 18 : 16, 'calls per read');
}

/** alicloud_db_connection with the default prefix (<instance id>tf) and port "3306", also on PostgreSQL (§5). */
export async function applyConnection(tf: Tf, id: string): Promise<Record<string, unknown>> {
  const prefix = `${id}tf`;
  await tfOk(tf.endpoint, tf.creds, 'AllocateInstancePublicConnection', { ...common(tf), DBInstanceId: id, ConnectionStringPrefix: prefix, Port: '3306' });
  // A no-sleep loop until the entry appears; localrds lists it as soon as the call returns.
  const first = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceNetInfo', { ...common(tf), DBInstanceId: id });
  assert.ok((at(first, 'DBInstanceNetInfos.DBInstanceNetInfo') as Json[]).some((e) => (e.ConnectionString as string).startsWith(prefix)));
  await waitRunning(tf, id, []);
  return readConnection(tf, id, prefix);
}

export async function readConnection(tf: Tf, id: string, prefix = `${id}tf`): Promise<Record<string, unknown>> {
  const net = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceNetInfo', { ...common(tf), DBInstanceId: id });
  const e = (at(net, 'DBInstanceNetInfos.DBInstanceNetInfo') as Json[]).find((x) => (x.ConnectionString as string).startsWith(prefix));
  assert.ok(e, 'the public entry');
  expectTypes('public entry', e, { Port: 'string', ConnectionString: 'string', IPAddress: 'string' });
  return { connection_prefix: prefix, port: e.Port, connection_string: e.ConnectionString, ip_address: e.IPAddress, babelfish_port: e.BabelfishPort ?? '' };
}

export async function destroyConnection(tf: Tf, id: string, prefix = `${id}tf`): Promise<void> {
  const net = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceNetInfo', { ...common(tf), DBInstanceId: id });
  const e = (at(net, 'DBInstanceNetInfos.DBInstanceNetInfo') as Json[]).find((x) => (x.ConnectionString as string).startsWith(prefix));
  assert.ok(e);
  await tfOk(tf.endpoint, tf.creds, 'ReleaseInstancePublicConnection', { ...common(tf), DBInstanceId: id, CurrentConnectionString: e.ConnectionString as string });
  const after = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceNetInfo', { ...common(tf), DBInstanceId: id });
  assert.ok(!(at(after, 'DBInstanceNetInfos.DBInstanceNetInfo') as Json[]).some((x) => (x.ConnectionString as string).startsWith(prefix)));
}

/** The data source alicloud_db_instances with enable_details, filtered by engine and tags (§6). */
export async function readDataSource(tf: Tf, filter: { engine: string; tags: Record<string, string> }): Promise<Array<Record<string, unknown>>> {
  const list = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstances', {
    ...common(tf), PageNumber: '1', PageSize: '100', Engine: filter.engine, Tags: JSON.stringify(filter.tags),
  });
  expectTypes('DescribeDBInstances', list, { 'Items.DBInstance': 'array', TotalRecordCount: 'number' });
  const out: Array<Record<string, unknown>> = [];
  for (const item of at(list, 'Items.DBInstance') as Json[]) {
    expectTypes('DBInstance', item, {
      'ReadOnlyDBInstanceIds.ReadOnlyDBInstanceId': 'array', DBInstanceId: 'string', DBInstanceDescription: 'string', PayType: 'string',
      DBInstanceType: 'string', RegionId: 'string', ExpireTime: 'string', DBInstanceStatus: 'string', Engine: 'string', EngineVersion: 'string',
      DBInstanceNetType: 'string', DBInstanceClass: 'string', ZoneId: 'string', VpcId: 'string', VSwitchId: 'string',
    });
    const id = item.DBInstanceId as string;
    const byId = { ...common(tf), DBInstanceId: id };
    const attr = at(await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceAttribute', byId), 'Items.DBInstanceAttribute[0]') as Json;
    expectTypes('data source attribute', attr, {
      ConnectionString: 'string', Port: 'string', DBInstanceStorageType: 'string', DBInstanceStorage: 'number', MasterZone: 'string',
      DeletionProtection: 'boolean', DBInstanceType: 'string', 'SlaveZones.SlaveZone': 'array',
    });
    const ssl = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceSSL', byId);
    for (const k of ['SSLExpireTime', 'RequireUpdate', 'ACL', 'CAType', 'ClientCACert', 'ClientCACertExpireTime', 'ClientCertRevocationList', 'LastModifyStatus',
      'ModifyStatusReason', 'ReplicationACL', 'RequireUpdateItem', 'RequireUpdateReason', 'SSLCreateTime', 'SSLEnabled', 'ServerCAUrl', 'ServerCert', 'ServerKey']) {
      expectTypes('data source SSL', ssl, { [k]: 'string' });
    }
    const key = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceEncryptionKey', byId);
    for (const k of ['Creator', 'DeleteDate', 'Description', 'EncryptionKey', 'EncryptionKeyStatus', 'KeyUsage', 'MaterialExpireTime', 'Origin']) {
      expectTypes('data source key', key, { [k]: 'string' });
    }
    const templates = await tfOk(tf.endpoint, tf.creds, 'DescribeParameterTemplates', { ...byId, Engine: item.Engine as string, EngineVersion: item.EngineVersion as string });
    expectTypes('DescribeParameterTemplates', templates, { 'Parameters.TemplateRecord': 'array' });
    for (const r of at(templates, 'Parameters.TemplateRecord') as Json[]) {
      expectTypes('TemplateRecord', r, { ForceModify: 'string', CheckingCode: 'string', ParameterValue: 'string', ForceRestart: 'string', ParameterName: 'string', ParameterDescription: 'string' });
    }
    const ha = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceHAConfig', byId);
    expectTypes('data source HA', ha, { HAMode: 'string', SyncMode: 'string', 'HostInstanceInfos.NodeInfo': 'array' });
    for (const n of at(ha, 'HostInstanceInfos.NodeInfo') as Json[]) {
      expectTypes('NodeInfo', n, { LogSyncTime: 'string', NodeType: 'string', ZoneId: 'string', SyncStatus: 'string', DataSyncTime: 'string', NodeId: 'string', RegionId: 'string' });
    }
    out.push({
      id, name: item.DBInstanceDescription, engine: item.Engine, engine_version: item.EngineVersion, instance_type: item.DBInstanceClass,
      status: item.DBInstanceStatus, connection_string: attr.ConnectionString, port: attr.Port, ssl_enabled: ssl.SSLEnabled, ha_mode: ha.HAMode,
      parameters: (at(templates, 'Parameters.TemplateRecord') as Json[]).map((r) => r.ParameterName),
    });
  }
  return out;
}

/** destroy of alicloud_db_instance: attribute, DeleteDBInstance, then DescribeTasks until the instance is not found (§1.4). */
export async function destroyInstance(tf: Tf, id: string): Promise<void> {
  const attr = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceAttribute', { ...common(tf), DBInstanceId: id });
  expectTypes('attribute before delete', attr, { 'Items.DBInstanceAttribute[0].PayType': 'string' });
  await tfOk(tf.endpoint, tf.creds, 'DeleteDBInstance', { ...common(tf), DBInstanceId: id });
  const pending = ['Processing', 'Pending', 'NoStart', 'Failed', 'Default'];
  for (let i = 0; i < 100; i++) {
    const t = await tfCall(tf.endpoint, tf.creds, 'DescribeTasks', { ...common(tf), DBInstanceId: id });
    if (t.status !== 200) {
      assert.equal(t.json.Code, 'InvalidDBInstanceId.NotFound', `DescribeTasks: ${t.text}`);
      return;
    }
    expectTypes('DescribeTasks', t.json, { 'Items.TaskProgressInfo': 'array' });
    const del = (at(t.json, 'Items.TaskProgressInfo') as Json[]).find((x) => x.TaskAction === 'DeleteDBInstance');
    if (del) assert.ok(pending.includes(del.Status as string), `a DeleteDBInstance task in state ${String(del.Status)} fails the destroy`);
    await sleep(25);
  }
  throw new Error('DescribeTasks never reported the instance gone');
}
