// TLS material: given files, or a CA and a server certificate that localrds generates once and keeps in the
// data dir, so that users trust one CA file (NODE_EXTRA_CA_CERTS) across restarts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  // Loaded only here: it pulls in an X.509 stack that costs start-up time on every start that already has files.
  const { default: selfsigned } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'localrds development CA' }], {
    keyType: 'ec', algorithm: 'sha256', notBeforeDate, notAfterDate,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const hosts = opts.hosts ?? [];
  const server = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec', algorithm: 'sha256', notBeforeDate, notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [
        { type: 2, value: 'localhost' }, { type: 2, value: '*.aliyuncs.com' }, { type: 2, value: 'rds.aliyuncs.com' },
        { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' },
        ...hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      ] },
    ],
  });
  writeFileSync(caPath, ca.cert, { mode: 0o644 });
  writeFileSync(certPath, `${server.cert.trim()}\n${ca.cert.trim()}\n`, { mode: 0o644 });
  writeFileSync(keyPath, server.private, { mode: 0o600 });
  return { cert: `${server.cert.trim()}\n${ca.cert.trim()}\n`, key: server.private, caPath };
}
