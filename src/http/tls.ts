// TLS material: given files, or a CA and a server certificate that localrds generates once and keeps in the
// data dir, so that users trust one CA file (NODE_EXTRA_CA_CERTS) across restarts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from './x509.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** Path of the CA certificate users should trust (undefined for user-provided certificates). */
  caPath?: string;
}

export async function loadOrCreateTls(opts: { dataDir: string; certFile?: string; keyFile?: string; hosts?: string[] }): Promise<TlsMaterial> {
  if (opts.certFile && opts.keyFile) {
    return { cert: readFileSync(opts.certFile, 'utf8'), key: readFileSync(opts.keyFile, 'utf8') };
  }
  const dir = join(opts.dataDir, 'tls');
  const caPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server-key.pem');
  if (existsSync(caPath) && existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), caPath };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // EC P-256 and ECDSA-SHA256, written with node:crypto (x509.ts) in about a millisecond: loading an X.509
  // library (selfsigned, with @peculiar/x509 and asn1js) and its WebCrypto calls took most of a cold start.
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const ca = issueCertificate({ commonName: 'localrds development CA', notBefore, notAfter, ca: true });
  const server = issueCertificate({
    commonName: 'localhost', notBefore, notAfter, ca: false,
    issuer: { commonName: 'localrds development CA', keyObject: ca.keyObject, keyId: ca.keyId },
    names: ['localhost', '*.aliyuncs.com', 'rds.aliyuncs.com', '127.0.0.1', '::1', ...(opts.hosts ?? [])],
  });
  // The CA's key is not kept: nothing else is ever signed with it.
  const chain = `${server.cert.trim()}\n${ca.cert.trim()}\n`;
  writeFileSync(caPath, ca.cert, { mode: 0o644 });
  writeFileSync(certPath, chain, { mode: 0o644 });
  writeFileSync(keyPath, server.key, { mode: 0o600 });
  return { cert: chain, key: server.key, caPath };
}
