// HTTPS: the server generates a CA in its data dir; a client that trusts it through NODE_EXTRA_CA_CERTS
// reaches the API with the SDK's default protocol (HTTPS) on the same port that also answers plain HTTP.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { rdsClient, req } from './helpers/clients.js';
import { startTestServer } from './helpers/localrds.js';

const run = promisify(execFile);

test('the rds SDK with its default HTTPS protocol, trusting the generated CA', async () => {
  const s = await startTestServer({ tls: 'auto' });
  try {
    assert.ok(s.caPath && existsSync(s.caPath), 'CA file in the data dir');
    const probe = fileURLToPath(new URL('./helpers/https-probe.js', import.meta.url));
    const { stdout } = await run(process.execPath, [probe, s.endpoint, s.credentials.accessKeyId, s.credentials.accessKeySecret], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: s.caPath }, timeout: 30_000,
    });
    const got = JSON.parse(stdout) as Record<string, { status: number; requestId: string }>;
    assert.equal(got.v3?.status, 200);
    assert.equal(got.v1?.status, 200);
    assert.match(got.v3?.requestId ?? '', /^[0-9A-F-]{36}$/);
    // Without trusting the CA the TLS handshake fails: the certificate really is checked.
    await assert.rejects(run(process.execPath, [probe, s.endpoint, s.credentials.accessKeyId, s.credentials.accessKeySecret], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, timeout: 30_000,
    }));
    // Plain HTTP still works on the same port.
    const plain = rdsClient(s.endpoint, s.credentials, { protocol: 'http' });
    assert.equal((await plain.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }))).statusCode, 200);
  } finally {
    await s.stop();
  }
});

test('the generated CA is kept across restarts', async () => {
  const s = await startTestServer({ tls: 'auto' });
  const dir = s.dataDir;
  const { readFileSync, rmSync } = await import('node:fs');
  const first = readFileSync(s.caPath as string, 'utf8');
  await s.close();
  const again = await startTestServer({ tls: 'auto', keepDataDir: dir });
  try {
    assert.equal(readFileSync(again.caPath as string, 'utf8'), first);
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
