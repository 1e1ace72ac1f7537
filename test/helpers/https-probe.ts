// Run as a child process with NODE_EXTRA_CA_CERTS set: calls localrds over HTTPS with the rds SDK's
// default protocol (no `protocol` in the config), V3 then V1, and prints what it got as JSON.
import { rdsClient, req } from './clients.js';

const [endpoint, accessKeyId, accessKeySecret] = process.argv.slice(2) as [string, string, string];
const out: Record<string, unknown> = {};
for (const v1 of [false, true]) {
  const client = rdsClient(endpoint, { accessKeyId, accessKeySecret }, { v1 });
  const r = await client.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }));
  out[v1 ? 'v1' : 'v3'] = { status: r.statusCode, requestId: r.body.requestId };
}
process.stdout.write(JSON.stringify(out));
