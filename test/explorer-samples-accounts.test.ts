// The explorer picks up the account and database operations from the catalogue: each gets samples in every
// language (SDK names checked), and the generated JavaScript (pop-core, V1) and TypeScript (rds20140815, V3)
// samples run against a live server: create an account and a database, grant, and read both back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { buildCatalogueDoc } from '../src/explorer/catalogue-json.js';
import { generateSample, generateSamples, type SampleLanguage } from '../src/explorer/samples.js';
import { insideApi } from './helpers/inside-api.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'test-artifacts', 'explorer-samples-accounts');
const doc = buildCatalogueDoc();
const NEW_OPS = ['CreateAccount', 'DescribeAccounts', 'DeleteAccount', 'ResetAccountPassword', 'ResetAccount', 'ModifyAccountDescription',
  'LockAccount', 'UnlockAccount', 'GrantAccountPrivilege', 'RevokeAccountPrivilege', 'CreateDatabase', 'DescribeDatabases', 'DeleteDatabase', 'ModifyDBDescription'];
const opDoc = (name: string) => {
  const op = doc.operations.find((o) => o.name === name);
  assert.ok(op, name);
  return op;
};

test('every account and database operation is in the catalogue, grouped, with samples in each language', () => {
  for (const name of NEW_OPS) {
    const op = opDoc(name);
    assert.ok(['accounts', 'databases'].includes(op.group), name);
    const values = Object.fromEntries(op.params.filter((p) => p.required).map((p) => [p.name, p.example ?? 'x']));
    const samples = generateSamples({ op, values, endpoint: '127.0.0.1:8484', accessKeyId: 'AK', accessKeySecret: 'SK' });
    assert.deepEqual(samples.map((s) => s.language), ['typescript', 'javascript', 'python', 'java', 'go', 'cli'], name);
    const method = name[0]?.toLowerCase() + name.slice(1);
    assert.ok(samples[0]?.code.includes(`client.${method}(`), `${name}: TypeScript calls ${method}`);
    assert.ok(samples[1]?.code.includes(`'${name}'`), `${name}: JavaScript names the action`);
    assert.ok(samples[5]?.code.includes(`aliyun rds ${name} `), `${name}: CLI`);
  }
  const py = generateSample('python', { op: opDoc('GrantAccountPrivilege'), values: { DBInstanceId: 'rm-1', AccountName: 'a', DBName: 'd', AccountPrivilege: 'ReadOnly' }, endpoint: 'h:1', accessKeyId: 'a', accessKeySecret: 'b' });
  for (const s of ["dbinstance_id='rm-1'", "account_name='a'", "dbname='d'", "account_privilege='ReadOnly'", 'client.grant_account_privilege(request)']) {
    assert.ok(py?.code.includes(s), `python lacks ${s}`);
  }
});

describe('account and database samples against a live server', () => {
  let s: TestServer;
  let id: string;
  before(async () => {
    mkdirSync(DIR, { recursive: true });
    s = await startTestServer();
    id = await insideApi(s).createInstance('MySQL');
  });
  after(async () => {
    await s.stop();
    rmSync(DIR, { recursive: true, force: true });
  });

  const sample = (language: SampleLanguage, action: string, values: Record<string, string>) => {
    const out = generateSample(language, { op: opDoc(action), values, endpoint: s.endpoint, ...s.credentials });
    assert.ok(out, `${language} ${action}`);
    return out.code;
  };
  async function node(file: string): Promise<Record<string, unknown>> {
    const r = await run(process.execPath, [file], { cwd: ROOT, timeout: 30_000 }).catch((e: { stdout?: string; stderr?: string }) => assert.fail(`${file}: ${e.stderr ?? ''}${e.stdout ?? ''}`));
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.match(String(body.RequestId), /^[0-9A-F-]{36}$/);
    return body;
  }
  const js = async (name: string, code: string) => { const f = join(DIR, `${name}.mjs`); writeFileSync(f, code); return node(f); };

  test('JavaScript creates an account and a database and grants; TypeScript reads them back', async () => {
    await js('create-account', sample('javascript', 'CreateAccount', { DBInstanceId: id, AccountName: 'sample_user', AccountPassword: 'Sample#Pass1', AccountDescription: "it's \"quoted\"" }));
    await js('create-db', sample('javascript', 'CreateDatabase', { DBInstanceId: id, DBName: 'sample_db', CharacterSetName: 'utf8mb4' }));
    await js('grant', sample('javascript', 'GrantAccountPrivilege', { DBInstanceId: id, AccountName: 'sample_user', DBName: 'sample_db', AccountPrivilege: 'ReadWrite' }));

    const source = sample('typescript', 'DescribeAccounts', { DBInstanceId: id, AccountName: 'sample_user' });
    const ts = join(DIR, 'describe-accounts.ts');
    writeFileSync(ts, source);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2020', '--module', 'commonjs', '--esModuleInterop', '--skipLibCheck', '--types', 'node', ts], { cwd: ROOT })
      .catch((e: { stdout?: string }) => assert.fail(`the TypeScript sample does not type-check:\n${e.stdout ?? String(e)}`));
    const cjs = join(DIR, 'describe-accounts.cjs');
    writeFileSync(cjs, (await transform(source, { loader: 'ts', format: 'cjs', target: 'node20' })).code);
    const body = await node(cjs) as { Accounts: { DBInstanceAccount: Array<Record<string, any>> } };
    const account = body.Accounts.DBInstanceAccount[0];
    assert.equal(account?.AccountDescription, "it's \"quoted\"");
    assert.deepEqual(account?.DatabasePrivileges.DatabasePrivilege.map((p: any) => [p.DBName, p.AccountPrivilege]), [['sample_db', 'ReadWrite']]);

    const dbs = await js('describe-dbs', sample('javascript', 'DescribeDatabases', { DBInstanceId: id })) as { Databases: { Database: Array<Record<string, any>> } };
    assert.deepEqual(dbs.Databases.Database.map((d) => [d.DBName, d.CharacterSetName, d.Accounts.AccountPrivilegeInfo[0]?.Account]), [['sample_db', 'utf8mb4', 'sample_user']]);
  });
});
