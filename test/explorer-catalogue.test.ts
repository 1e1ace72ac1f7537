// The explorer's data and routes: catalogue.json is OPERATIONS + ERROR_CODES (nothing lost, nothing invented),
// every error code is accounted for, the SDK naming rules match the installed official SDK, and the page,
// its assets and the Recommend links are served by the API port itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPERATIONS } from '../src/api/catalogue.js';
import type { OpSpec } from '../src/api/op.js';
import { ERROR_CODES, type ErrorCode } from '../src/errors/codes.js';
import { buildCatalogueDoc, GATEWAY_ERRORS } from '../src/explorer/catalogue-json.js';
import { methodName, pythonMethodName, pythonName, teaFieldName } from '../src/explorer/sdk-names.js';
import { rdsModule } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/localrds.js';
import { send } from './helpers/sign.js';

const ops = Object.values(OPERATIONS) as OpSpec[];

describe('catalogue.json', () => {
  const doc = buildCatalogueDoc();

  test('lists every operation with every parameter, in JSON that survives a round trip', () => {
    assert.deepEqual(doc.operations.map((o) => o.name).sort(), Object.keys(OPERATIONS).sort());
    for (const op of ops) {
      const d = doc.operations.find((o) => o.name === op.name);
      assert.ok(d);
      assert.deepEqual(d.params.map((p) => p.name).sort(), Object.keys(op.params).sort(), op.name);
      assert.deepEqual(d.output, JSON.parse(JSON.stringify(op.output)));
      for (const p of d.params) {
        const spec = op.params[p.name];
        assert.ok(spec);
        assert.equal(p.required, spec.required);
        assert.equal(p.wireType, spec.wireType);
        assert.deepEqual(p.enum, spec.enum ? [...spec.enum] : undefined);
        assert.equal(p.min, spec.min);
        assert.equal(p.max, spec.max);
      }
      // Required first, so the form starts with what must be filled in.
      const firstOptional = d.params.findIndex((p) => !p.required);
      assert.ok(firstOptional === -1 || d.params.slice(firstOptional).every((p) => !p.required), op.name);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  test('serialises RegExp patterns as their source', () => {
    const usedTime = doc.operations.find((o) => o.name === 'CreateDBInstance')?.params.find((p) => p.name === 'UsedTime');
    assert.equal(usedTime?.pattern, '^\\d+$');
    assert.ok(new RegExp(usedTime.pattern).test('12'));
  });

  test('every error code is in the error center with its status, message and hint', () => {
    assert.deepEqual(doc.errors.map((e) => e.code).sort(), Object.keys(ERROR_CODES).sort());
    for (const e of doc.errors) {
      const spec = ERROR_CODES[e.code as ErrorCode];
      assert.equal(e.status, spec.status);
      assert.equal(e.message, spec.message);
      assert.equal(e.hint, spec.hint);
    }
  });

  test('every code is either a gateway code or declared by an operation that raises it', () => {
    for (const e of doc.errors) {
      assert.ok(e.gateway || e.raisedBy.length > 0, `${e.code}: neither a gateway code nor declared by any operation`);
    }
    for (const code of GATEWAY_ERRORS) assert.ok(code in ERROR_CODES, code);
  });

  test("an operation's errors include its parameters' invalid codes", () => {
    for (const op of ops) {
      const d = doc.operations.find((o) => o.name === op.name);
      for (const code of op.errors) assert.ok(d?.errors.includes(code), `${op.name} ${code}`);
      for (const p of Object.values(op.params)) if (p.invalidCode) assert.ok(d?.errors.includes(p.invalidCode), `${op.name} ${p.invalidCode}`);
    }
    const raisers = doc.errors.find((e) => e.code === 'InvalidCurrentConnectionString.NotFound')?.raisedBy;
    assert.deepEqual(raisers, ['ReleaseInstancePublicConnection']);
  });
});

describe('SDK naming rules', () => {
  test('TypeScript/Java field names match the models of the installed @alicloud/rds20140815', () => {
    let checked = 0;
    for (const op of ops) {
      if (op.aliasOf) continue; // a spelling only the Terraform provider sends; the SDKs call the original
      const Model = rdsModule[`${op.name}Request`] as { names(): Record<string, string> } | undefined;
      assert.ok(Model, `no model ${op.name}Request`);
      assert.equal(typeof rdsModule.default.prototype[methodName(op.name)], 'function', `no method ${methodName(op.name)}`);
      const fieldOf = new Map(Object.entries(Model.names()).map(([field, wire]) => [wire, field]));
      for (const wire of Object.keys(op.params)) {
        const field = fieldOf.get(wire);
        if (field === undefined) continue; // a parameter the SDK model does not declare (OwnerId on some models)
        assert.equal(teaFieldName(wire), field, `${op.name}.${wire}`);
        checked++;
      }
    }
    assert.ok(checked > 60, `only ${checked} parameters checked`);
  });

  test('Python names follow the generator (known answers from alibabacloud_rds20140815)', () => {
    const known: Record<string, string> = {
      DBInstanceId: 'dbinstance_id', VSwitchId: 'v_switch_id', VPCId: 'vpcid', VpcId: 'vpc_id', SecurityIPList: 'security_iplist',
      ZoneIdSlave1: 'zone_id_slave_1', DBInstanceNetRWSplitType: 'dbinstance_net_rwsplit_type', PGBouncerPort: 'pgbouncer_port',
      CurrentConnectionString: 'current_connection_string', OwnerId: 'owner_id',
    };
    for (const [wire, py] of Object.entries(known)) assert.equal(pythonName(wire), py, wire);
    assert.equal(pythonMethodName('DescribeDBInstanceIPArrayList'), 'describe_dbinstance_iparray_list');
    assert.equal(pythonMethodName('ReleaseInstancePublicConnection'), 'release_instance_public_connection');
    assert.equal(pythonMethodName('DescribeDBInstances'), 'describe_dbinstances');
  });
});

describe('explorer routes', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.stop(); });

  test('/explorer redirects to /explorer/, which serves the page under a strict CSP', async () => {
    const r = await send(s.endpoint, { path: '/explorer?x=1' });
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, '/explorer/?x=1');
    const page = await send(s.endpoint, { path: '/explorer/' });
    assert.equal(page.status, 200, page.text);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.text, /<script defer src="app\.js"><\/script>/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(page.text, /<script>|style=/, 'no inline script or style');
  });

  test('serves the bundled script and stylesheet with validators', async () => {
    const js = await send(s.endpoint, { path: '/explorer/app.js' });
    assert.equal(js.status, 200, js.text);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.ok(js.text.length > 5000);
    // One self-contained IIFE: nothing to load at run time, nothing from a CDN.
    assert.match(js.text, /^"use strict";\(\(\)=>\{/);
    assert.match(js.text.trimEnd(), /\}\)\(\);$/);
    assert.doesNotMatch(js.text, /https?:\/\/(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\.(com|net|org|io)\/[^"'`\s]*\.(js|css)/i, 'no CDN');
    const again = await send(s.endpoint, { path: '/explorer/app.js', headers: { 'if-none-match': String(js.headers.etag) } });
    assert.equal(again.status, 304);
    const css = await send(s.endpoint, { path: '/explorer/app.css' });
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(css.text, /@media/);
  });

  test('catalogue.json is the catalogue', async () => {
    const r = await send(s.endpoint, { path: '/explorer/catalogue.json' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, JSON.parse(JSON.stringify(buildCatalogueDoc())));
  });

  test('unknown explorer paths are 404 and other methods 405; the API path is untouched', async () => {
    assert.equal((await send(s.endpoint, { path: '/explorer/nothing' })).status, 404);
    const post = await send(s.endpoint, { method: 'POST', path: '/explorer/', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const head = await send(s.endpoint, { method: 'HEAD', path: '/explorer/catalogue.json' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    const api = await send(s.endpoint, { path: '/?Action=DescribeDBInstances' });
    assert.equal(api.json?.Code, 'MissingParameter');
  });

  test("an error body's Recommend link leads to the explorer page", async () => {
    const r = await send(s.endpoint, { path: '/?Action=NoSuchThing&Version=2014-08-15' });
    assert.equal(r.json?.Code, 'InvalidAction.NotFound');
    const recommend = new URL(String(r.json?.Recommend));
    assert.equal(recommend.pathname, '/explorer/');
    assert.equal(recommend.hash, '#errors/InvalidAction.NotFound');
    assert.equal((await send(s.endpoint, { path: recommend.pathname })).status, 200);
  });
});
