// Replays, request by request at the wire level (V1, POST, common parameters in the query, business parameters
// with RegionId and SourceIp in a form body), what `terraform apply`, a second `terraform plan` (refresh) and
// `terraform destroy` send for a module with alicloud_db_instance, alicloud_db_connection and the
// alicloud_db_instances data source, on MySQL and on PostgreSQL (shared/reference/terraform-calls.md). It checks
// every field the provider reads, that the refresh reads back what apply wrote (an empty plan), and that destroy
// leaves nothing behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { connectOutcome } from './helpers/ports.js';
import { login, serverPids } from './helpers/engines.js';
import {
  applyConnection, applyInstance, destroyConnection, destroyInstance, expectMatchesConfig, readConnection, readDataSource,
  readInstance, type InstanceConfig, type Tf,
} from './helpers/terraform-flows.js';
import {
  applyAccount, applyDatabase, applyPrivilege, destroyAccount, destroyDatabase, destroyPrivilege, readAccount, readDatabase,
  readPrivilege, type AccountConfig,
} from './helpers/terraform-account-flows.js';
import { at, tfFail, tfOk, type Json } from './helpers/terraform-wire.js';

const SUPER: AccountConfig = { name: 'tfsuper', password: 'Tf-Super-2026!pw', type: 'Super' };
const NORMAL: AccountConfig = { name: 'tfuser', password: 'Tf-User-2026!pw', type: 'Normal', description: 'app user' };
const DB = 'tfdb';

const CONFIGS: InstanceConfig[] = [
  { engine: 'MySQL', engineVersion: '8.0', instanceType: 'mysql.n2.medium.1', storage: 20, securityIps: ['0.0.0.0/0'], tags: { env: 'tf-replay', team: 'db' } },
  { engine: 'PostgreSQL', engineVersion: '16.0', instanceType: 'pg.n2.medium.1', storage: 20, securityIps: ['0.0.0.0/0'], tags: { env: 'tf-replay', team: 'db' } },
];

describe('terraform apply / plan / destroy, replayed on the wire', () => {
  let s: TestServer;
  let tf: Tf;
  // Real instance servers (the machine's MariaDB, embedded PostgreSQL), so that the Normal account really logs in
  // through the public connection; Creating lasts until the server accepts connections.
  before(async () => {
    s = await startTestServer({ engines: 'auto', service: { createMs: 150 } });
    tf = { endpoint: s.endpoint, creds: s.credentials, region: 'cn-hangzhou', sourceIp: '' };
  });
  after(async () => {
    await s.stop();
    assert.deepEqual(serverPids(s.dataDir), [], 'no instance server outlives localrds');
  });

  for (const cfg of CONFIGS) {
    test(`${cfg.engine}: instance, Super and Normal accounts, database, privilege, public connection, data source`, async () => {
      const privilege = cfg.engine === 'PostgreSQL' ? 'DBOwner' : 'ReadWrite';
      // ---- terraform apply ----
      const { id, state: applied } = await applyInstance(tf, cfg);
      assert.match(id, cfg.engine === 'PostgreSQL' ? /^pgm-/ : /^rm-/);
      expectMatchesConfig(applied, cfg);
      const superAccount = await applyAccount(tf, id, SUPER);
      const normalAccount = await applyAccount(tf, id, NORMAL);
      assert.deepEqual(superAccount, { instance_id: id, account_name: SUPER.name, account_type: 'Super', description: '', status: 'Available', check_policy: false });
      assert.deepEqual(normalAccount, { instance_id: id, account_name: NORMAL.name, account_type: 'Normal', description: 'app user', status: 'Available', check_policy: false });
      const database = await applyDatabase(tf, id, DB);
      assert.equal(database.instance_id, id, 'instance_id echoes (ForceNew)');
      assert.equal(database.description, '', 'description is not computed');
      assert.match(database.character_set as string, /^utf8/i, 'character_set compares case-insensitively with utf8');
      const grant = await applyPrivilege(tf, id, NORMAL.name, privilege, [DB]);
      assert.deepEqual(grant, { instance_id: id, account_name: NORMAL.name, privilege, db_names: [DB] });
      const connection = await applyConnection(tf, id);
      assert.equal(connection.port, '3306');
      assert.match(connection.connection_string as string, new RegExp(`^${id}tf\\.${cfg.engine === 'PostgreSQL' ? 'pgsql' : 'mysql'}\\.`));
      const data = await readDataSource(tf, { engine: cfg.engine, tags: cfg.tags });
      assert.deepEqual(data.map((d) => d.id), [id], 'the data source finds the instance by engine and tags');
      assert.ok((data[0]?.parameters as string[]).includes(cfg.engine === 'MySQL' ? 'default_time_zone' : 'timezone'));

      // ---- terraform plan: the refresh reads back exactly what apply wrote ----
      const refreshed = await readInstance(tf, id);
      assert.deepEqual(refreshed.attrs, applied.attrs);
      expectMatchesConfig(refreshed, cfg);
      assert.deepEqual(await readAccount(tf, id, SUPER.name), superAccount);
      assert.deepEqual(await readAccount(tf, id, NORMAL.name), normalAccount);
      assert.deepEqual(await readDatabase(tf, id, DB), database);
      assert.deepEqual(await readPrivilege(tf, id, NORMAL.name, privilege, [DB]), grant);
      assert.deepEqual(await readConnection(tf, id), connection);
      assert.deepEqual(await readDataSource(tf, { engine: cfg.engine, tags: cfg.tags }), data);

      // The public endpoint is a real listener while it exists.
      const pub = (at(await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstanceNetInfo', { RegionId: tf.region, SourceIp: '', DBInstanceId: id }),
        'DBInstanceNetInfos.DBInstanceNetInfo') as Json[]).find((e) => e.IPType === 'Public') as Json;
      assert.equal(await connectOutcome(pub.IPAddress as string, Number(pub.Port)), 'connected');
      // The Normal account logs in through the public connection and uses the database it was granted.
      const app = await login(cfg.engine, { host: pub.IPAddress as string, port: Number(pub.Port) }, NORMAL.name, NORMAL.password, DB);
      await app.q('CREATE TABLE orders (id int primary key, item varchar(20))');
      await app.q("INSERT INTO orders VALUES (1, 'tea')");
      assert.equal((await app.q('SELECT item FROM orders')).length, 1);
      await app.end();

      // ---- terraform destroy: dependents first (privilege, then database and accounts, connection, instance) ----
      await destroyPrivilege(tf, id, NORMAL.name, privilege, [DB]);
      await destroyDatabase(tf, id, DB);
      await destroyAccount(tf, id, NORMAL.name);
      await destroyAccount(tf, id, SUPER.name);
      await destroyConnection(tf, id);
      assert.equal(await connectOutcome(pub.IPAddress as string, Number(pub.Port)), 'ECONNREFUSED');
      await destroyInstance(tf, id);
      const left = await tfOk(tf.endpoint, tf.creds, 'DescribeDBInstances', { RegionId: tf.region, SourceIp: '', PageNumber: '1', PageSize: '100', Engine: cfg.engine });
      assert.deepEqual(at(left, 'Items.DBInstance'), []);
      const tags = await tfOk(tf.endpoint, tf.creds, 'DescribeTags', { RegionId: tf.region, SourceIp: '' });
      assert.deepEqual(at(tags, 'Items.TagInfos'), [], 'no tags left');
      assert.equal(await connectOutcome(applied.attrs.private_ip_address as string, Number(applied.attrs.port)), 'ECONNREFUSED');
      const held = await s.store.read(async (r) => [await r.addresses.countHeld('public'), await r.addresses.countHeld('private')]);
      assert.deepEqual(held, [0, 0], 'every address went back to its pool');
      assert.deepEqual((await s.store.read((r) => r.endpoints.listAll())).filter((e) => e.instanceId === id), []);
      assert.deepEqual(await s.store.read((r) => r.dbAccounts.listByInstanceIds([id])), []);
      await tfFail(tf.endpoint, tf.creds, 'DescribeAccounts', { RegionId: tf.region, SourceIp: '', DBInstanceId: id, AccountName: NORMAL.name }, 'InvalidDBInstanceId.NotFound');
    });
  }
});
