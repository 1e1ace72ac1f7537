// The TLS material localrds writes on a first start (src/http/x509.ts through src/http/tls.ts): an EC P-256 CA
// and a server certificate it signed, checked by OpenSSL through node:crypto (issuer, signature, names, key
// usage) and by real TLS handshakes from a client that trusts only that CA, as the SDKs do with
// NODE_EXTRA_CA_CERTS (test/api-https.test.ts runs the SDK itself).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOrCreateTls } from '../src/http/tls.js';

const certs = (pem: string): X509Certificate[] =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c));

test('the generated CA signs an EC P-256 server certificate with the names clients connect to', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const m = await loadOrCreateTls({ dataDir: dir, hosts: ['10.9.8.7', 'rds.example.test', 'fd00::5'] });
  assert.ok(m.caPath);
  const ca = new X509Certificate(readFileSync(m.caPath));
  const [leaf, chainCa, ...rest] = certs(m.cert);
  assert.ok(leaf && chainCa);
  assert.equal(rest.length, 0, 'the served chain is the server certificate and the CA');
  assert.equal(chainCa.fingerprint256, ca.fingerprint256);

  assert.equal(ca.ca, true);
  assert.equal(ca.subject, 'CN=localrds development CA');
  assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
  assert.equal(ca.publicKey.asymmetricKeyType, 'ec');
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');

  assert.equal(leaf.ca, false);
  assert.ok(leaf.checkIssued(ca), 'issued by the CA');
  assert.ok(leaf.verify(ca.publicKey), 'signed by the CA key');
  assert.ok(!leaf.verify(leaf.publicKey), 'and not by its own key');
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: TLS server');
  for (const host of ['localhost', 'rds.aliyuncs.com', 'x.aliyuncs.com', 'rds.example.test']) assert.notEqual(leaf.checkHost(host), undefined, host);
  assert.equal(leaf.checkHost('example.com'), undefined);
  for (const ip of ['127.0.0.1', '::1', '10.9.8.7', 'fd00::5']) assert.equal(leaf.checkIP(ip), ip, ip);
  assert.equal(leaf.checkIP('10.9.8.8'), undefined);
  const from = Date.parse(leaf.validFrom);
  const to = Date.parse(leaf.validTo);
  assert.ok(from < Date.now() && to > Date.now() + 5 * 365 * 86400_000, `${leaf.validFrom} .. ${leaf.validTo}`);
  assert.equal(statSync(join(dir, 'tls', 'server-key.pem')).mode & 0o777, 0o600, 'the key is private to its owner');

  // Kept: a second start reads the same files.
  const again = await loadOrCreateTls({ dataDir: dir });
  assert.equal(again.cert, m.cert);
  assert.equal(again.key, m.key);
});

test('a TLS client that trusts only the generated CA connects by name and by address, and refuses other names', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const m = await loadOrCreateTls({ dataDir: dir });
  const server = https.createServer({ key: m.key, cert: m.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  const ca = readFileSync(m.caPath as string);
  const get = (servername: string | undefined) => new Promise<string>((resolve, reject) => {
    const r = https.get({ host: '127.0.0.1', port, path: '/', ca, agent: false, ...(servername ? { servername } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(body));
    });
    r.on('error', reject);
  });
  assert.equal(await get(undefined), 'ok', 'by IP address (127.0.0.1)');
  assert.equal(await get('localhost'), 'ok');
  assert.equal(await get('rds.aliyuncs.com'), 'ok');
  await assert.rejects(get('localrds.invalid'), /ERR_TLS_CERT_ALTNAME_INVALID|does not match/);
  // Without the CA the chain is not trusted at all.
  await assert.rejects(new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/', agent: false }, resolve).on('error', reject);
  }), /self[- ]signed|unable to (get|verify)/i);
});
