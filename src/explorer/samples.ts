// Runnable code samples for a filled-in explorer form: each official client configured for this localrds.
// The page and the tests call the same functions (test/explorer-samples.test.ts runs the TypeScript and
// JavaScript samples against a live server), so what the page shows is what was proven to work.
// Runs in node and in the browser: no node imports.
import type { OperationDoc, ParamDoc } from './catalogue-types.js';
import { methodName, pythonMethodName, pythonName, teaFieldName } from './sdk-names.js';

export type SampleLanguage = 'typescript' | 'javascript' | 'python' | 'java' | 'go' | 'cli' | 'terraform';

export interface Sample {
  language: SampleLanguage;
  label: string;
  /** A file name that runs as shown (sample.mjs is ESM whatever the project's package.json says). */
  filename: string;
  code: string;
}

export interface SampleInput {
  op: OperationDoc;
  /** Form values by wire name; empty values are left out, as the form leaves them out of the call. */
  values: Readonly<Record<string, string>>;
  /** host:port of this localrds, as the browser reached it. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
}

const API_VERSION = '2014-08-15';
const DEFAULT_REGION = 'cn-hangzhou';

/** Operations that the Terraform resource alicloud_db_connection drives (create = Allocate, destroy = Release). */
export const TERRAFORM_OPS: ReadonlySet<string> = new Set(['AllocateInstancePublicConnection', 'ReleaseInstancePublicConnection']);

type Typed =
  | { t: 'string'; v: string }
  | { t: 'integer'; v: string; long: boolean }
  | { t: 'boolean'; v: boolean };

interface Field { param: ParamDoc; value: Typed }

/** Values as each SDK types them: Integer/Long numbers, Boolean, else strings (Port is a String on the wire). */
function typed(p: ParamDoc, raw: string): Typed {
  const s = raw.trim();
  if (p.kind === 'integer' && p.wireType !== 'String' && /^-?\d{1,15}$/.test(s)) return { t: 'integer', v: String(Number(s)), long: p.wireType === 'Long' };
  if (p.kind === 'boolean' && /^(true|false)$/i.test(s)) return { t: 'boolean', v: s.toLowerCase() === 'true' };
  return { t: 'string', v: raw };
}

/** The name the generated SDKs know the operation by (an alias such as UnTagResources exists only on the wire). */
const sdkOp = (i: SampleInput) => i.op.aliasOf ?? i.op.name;

function fieldsOf(i: SampleInput): Field[] {
  return i.op.params
    .filter((p) => (i.values[p.name] ?? '') !== '')
    .map((p) => ({ param: p, value: typed(p, i.values[p.name] as string) }));
}

/** A double-quoted literal valid in JSON, JavaScript, Java and Go. */
const dq = (s: string) => JSON.stringify(s);
/** A single-quoted literal valid in JavaScript, TypeScript and Python. */
const sq = (s: string) => `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
/** HCL strings also interpolate ${...} and %{...}. */
const hcl = (s: string) => dq(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
const shell = (s: string) => (/^[A-Za-z0-9_.,:/@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function jsValue(v: Typed): string {
  return v.t === 'string' ? sq(v.v) : String(v.v);
}

function pad(name: string, width: number): string {
  return name + ' '.repeat(Math.max(0, width - name.length));
}

function typescript(i: SampleInput): string {
  const fields = fieldsOf(i).map((f) => `    ${teaFieldName(f.param.name)}: ${jsValue(f.value)},`);
  return [
    `// TypeScript: @alicloud/rds20140815 (signature V3) against localrds at ${i.endpoint}`,
    '// npm install @alicloud/rds20140815 @alicloud/openapi-core',
    '// Run in a CommonJS project: npx tsx sample.ts (or compile with tsc)',
    "import Rds, * as $Rds from '@alicloud/rds20140815';",
    "import { $OpenApiUtil } from '@alicloud/openapi-core';",
    '',
    'const client = new Rds(new $OpenApiUtil.Config({',
    `  accessKeyId: ${sq(i.accessKeyId)},`,
    `  accessKeySecret: ${sq(i.accessKeySecret)},`,
    `  endpoint: ${sq(i.endpoint)},`,
    "  protocol: 'http',",
    '}));',
    '',
    'async function main(): Promise<void> {',
    `  const request = new $Rds.${sdkOp(i)}Request({`,
    ...fields,
    '  });',
    `  const response = await client.${methodName(sdkOp(i))}(request);`,
    '  console.log(JSON.stringify(response.body?.toMap(), null, 2));',
    '}',
    '',
    'main().catch((err) => {',
    '  // err.code is the API error code; err.data.Recommend links to the explorer\'s explanation.',
    "  console.error(err.code ?? err, err.data?.Recommend ?? '');",
    '  process.exit(1);',
    '});',
    '',
  ].join('\n');
}

function javascript(i: SampleInput): string {
  const fields = fieldsOf(i).map((f) => `  ${f.param.name}: ${jsValue(f.value)},`);
  return [
    `// JavaScript: @alicloud/pop-core (signature V1) against localrds at ${i.endpoint}`,
    '// npm install @alicloud/pop-core',
    '// Run: node sample.mjs',
    "import RPCClient from '@alicloud/pop-core';",
    '',
    'const client = new RPCClient({',
    `  accessKeyId: ${sq(i.accessKeyId)},`,
    `  accessKeySecret: ${sq(i.accessKeySecret)},`,
    `  endpoint: ${sq(`http://${i.endpoint}`)},`,
    `  apiVersion: '${API_VERSION}',`,
    '});',
    '',
    'try {',
    `  const result = await client.request(${sq(i.op.name)}, {`,
    ...fields.map((l) => `  ${l}`),
    "  }, { method: 'POST' });",
    '  console.log(JSON.stringify(result, null, 2));',
    '} catch (err) {',
    "  console.error(err.code ?? err, err.data?.Recommend ?? '');",
    '  process.exit(1);',
    '}',
    '',
  ].join('\n');
}

function pyValue(v: Typed): string {
  if (v.t === 'boolean') return v.v ? 'True' : 'False';
  return v.t === 'string' ? sq(v.v) : v.v;
}

function python(i: SampleInput): string {
  const fields = fieldsOf(i).map((f) => `    ${pythonName(f.param.name)}=${pyValue(f.value)},`);
  return [
    `# Python: alibabacloud_rds20140815 (signature V3) against localrds at ${i.endpoint}`,
    '# pip install alibabacloud_rds20140815',
    'from alibabacloud_rds20140815.client import Client',
    'from alibabacloud_rds20140815 import models as rds_models',
    'from alibabacloud_tea_openapi import utils_models as open_api_util_models',
    '',
    'client = Client(open_api_util_models.Config(',
    `    access_key_id=${sq(i.accessKeyId)},`,
    `    access_key_secret=${sq(i.accessKeySecret)},`,
    `    endpoint=${sq(i.endpoint)},`,
    "    protocol='http',",
    '))',
    `request = rds_models.${sdkOp(i)}Request(`,
    ...fields,
    ')',
    `response = client.${pythonMethodName(sdkOp(i))}(request)`,
    'print(response.body.to_map())',
    '',
  ].join('\n');
}

function javaValue(v: Typed): string {
  if (v.t === 'integer') return v.long ? `${v.v}L` : v.v;
  return v.t === 'string' ? dq(v.v) : String(v.v);
}

function java(i: SampleInput): string {
  const setters = fieldsOf(i).map((f) => `            .set${f.param.name}(${javaValue(f.value)})`);
  return [
    `// Java: com.aliyun:rds20140815 (signature V3) against localrds at ${i.endpoint}`,
    '// Maven: <dependency><groupId>com.aliyun</groupId><artifactId>rds20140815</artifactId><version>LATEST</version></dependency>',
    'import com.aliyun.rds20140815.Client;',
    'import com.aliyun.rds20140815.models.*;',
    'import com.aliyun.teaopenapi.models.Config;',
    '',
    'public class Sample {',
    '    public static void main(String[] args) throws Exception {',
    '        Client client = new Client(new Config()',
    `            .setAccessKeyId(${dq(i.accessKeyId)})`,
    `            .setAccessKeySecret(${dq(i.accessKeySecret)})`,
    `            .setEndpoint(${dq(i.endpoint)})`,
    '            .setProtocol("http"));',
    `        ${sdkOp(i)}Request request = new ${sdkOp(i)}Request()${setters.length ? '' : ';'}`,
    ...setters.map((s, n) => (n === setters.length - 1 ? `${s};` : s)),
    `        ${i.op.name}Response response = client.${methodName(sdkOp(i))}(request);`,
    '        System.out.println(com.aliyun.teautil.Common.toJSONString(response.getBody().toMap()));',
    '    }',
    '}',
    '',
  ].join('\n');
}

function goValue(v: Typed): string {
  if (v.t === 'integer') return v.long ? `tea.Int64(${v.v})` : `tea.Int32(${v.v})`;
  if (v.t === 'boolean') return `tea.Bool(${String(v.v)})`;
  return `tea.String(${dq(v.v)})`;
}

function go(i: SampleInput): string {
  const fields = fieldsOf(i);
  const width = Math.max(0, ...fields.map((f) => f.param.name.length + 1));
  return [
    `// Go: github.com/alibabacloud-go/rds-20140815/v8 (signature V3) against localrds at ${i.endpoint}`,
    '// go get github.com/alibabacloud-go/rds-20140815/v8 github.com/alibabacloud-go/darabonba-openapi/v2',
    'package main',
    '',
    'import (',
    '\t"fmt"',
    '',
    '\topenapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"',
    '\trds "github.com/alibabacloud-go/rds-20140815/v8/client"',
    '\t"github.com/alibabacloud-go/tea/tea"',
    ')',
    '',
    'func main() {',
    '\tclient, err := rds.NewClient(&openapiutil.Config{',
    `\t\tAccessKeyId:     tea.String(${dq(i.accessKeyId)}),`,
    `\t\tAccessKeySecret: tea.String(${dq(i.accessKeySecret)}),`,
    `\t\tEndpoint:        tea.String(${dq(i.endpoint)}),`,
    '\t\tProtocol:        tea.String("http"),',
    '\t})',
    '\tif err != nil {',
    '\t\tpanic(err)',
    '\t}',
    `\tresponse, err := client.${sdkOp(i)}(&rds.${sdkOp(i)}Request{`,
    ...fields.map((f) => `\t\t${pad(`${f.param.name}:`, width)} ${goValue(f.value)},`),
    '\t})',
    '\tif err != nil {',
    '\t\tpanic(err)',
    '\t}',
    '\tfmt.Println(response.Body.String())',
    '}',
    '',
  ].join('\n');
}

function region(i: SampleInput): string {
  return i.values.RegionId || DEFAULT_REGION;
}

function cli(i: SampleInput): string {
  const lines = [
    `aliyun rds ${i.op.name}`,
    ...fieldsOf(i).map((f) => `  --${f.param.name} ${shell(String(f.value.v))}`),
    `  --endpoint ${shell(i.endpoint)}`,
    `  --region ${shell(region(i))}`,
    `  --access-key-id ${shell(i.accessKeyId)}`,
    `  --access-key-secret ${shell(i.accessKeySecret)}`,
  ];
  return [
    `# aliyun CLI against localrds at ${i.endpoint} (it answers HTTP and HTTPS on the same port;`,
    '# for HTTPS with --secure, trust the CA that `localrds serve` prints)',
    lines.map((l, n) => (n < lines.length - 1 ? `${l} \\` : l)).join('\n'),
    '',
  ].join('\n');
}

function terraform(i: SampleInput): string {
  const v = i.values;
  const instanceId = v.DBInstanceId || 'rm-xxxxxxxxxxxxxxxxx';
  // Release names the endpoint by its connection string; Terraform by its prefix (the first label).
  const prefix = v.ConnectionStringPrefix || (v.CurrentConnectionString ?? '').split('.')[0] || 'mypublicdb';
  const release = i.op.name === 'ReleaseInstancePublicConnection';
  return [
    `# Terraform: the alicloud provider against localrds at ${i.endpoint}.`,
    `# Instead of the endpoints block you can export ALIBABA_CLOUD_ENDPOINT_RDS=${i.endpoint}`,
    ...(release
      ? [
        '# Terraform calls ReleaseInstancePublicConnection when it destroys the resource. For an endpoint it',
        '# did not create, import it first:',
        `#   terraform import alicloud_db_connection.public ${instanceId}:${prefix}`,
        '#   terraform destroy -target=alicloud_db_connection.public',
      ]
      : ['# terraform apply calls AllocateInstancePublicConnection; terraform destroy releases the endpoint again.']),
    'terraform {',
    '  required_providers {',
    '    alicloud = {',
    '      source = "aliyun/alicloud"',
    '    }',
    '  }',
    '}',
    '',
    'provider "alicloud" {',
    `  access_key = ${hcl(i.accessKeyId)}`,
    `  secret_key = ${hcl(i.accessKeySecret)}`,
    `  region     = ${hcl(region(i))}`,
    '  protocol   = "HTTP"',
    '  endpoints {',
    `    rds = ${hcl(i.endpoint)}`,
    '  }',
    '}',
    '',
    'resource "alicloud_db_connection" "public" {',
    `  instance_id       = ${hcl(instanceId)}`,
    `  connection_prefix = ${hcl(prefix)}`,
    ...(v.Port ? [`  port              = ${hcl(v.Port)}`] : []),
    '}',
    '',
  ].join('\n');
}

const GENERATORS: ReadonlyArray<{ language: SampleLanguage; label: string; filename: string; make(i: SampleInput): string; applies?(op: OperationDoc): boolean }> = [
  { language: 'typescript', label: 'TypeScript', filename: 'sample.ts', make: typescript },
  { language: 'javascript', label: 'JavaScript', filename: 'sample.mjs', make: javascript },
  { language: 'python', label: 'Python', filename: 'sample.py', make: python },
  { language: 'java', label: 'Java', filename: 'Sample.java', make: java },
  { language: 'go', label: 'Go', filename: 'main.go', make: go },
  { language: 'cli', label: 'aliyun CLI', filename: 'sample.sh', make: cli },
  { language: 'terraform', label: 'Terraform', filename: 'main.tf', make: terraform, applies: (op) => TERRAFORM_OPS.has(op.name) },
];

export function generateSamples(i: SampleInput): Sample[] {
  return GENERATORS
    .filter((g) => !g.applies || g.applies(i.op))
    .map((g) => ({ language: g.language, label: g.label, filename: g.filename, code: g.make(i) }));
}

export function generateSample(language: SampleLanguage, i: SampleInput): Sample | undefined {
  return generateSamples(i).find((s) => s.language === language);
}
