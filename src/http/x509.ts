// A minimal X.509 v3 certificate writer on node:crypto, for the local CA and the server certificate that
// src/http/tls.ts makes on a first start: EC P-256 keys, ECDSA with SHA-256, the extensions TLS clients check
// (basic constraints, key usage, extended key usage, subject alternative names, key identifiers). A key pair
// and two certificates take about a millisecond; an X.509 library took a large share of a cold start to load.
// DER only as far as these certificates need it (RFC 5280, X.690).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/** A DER TLV: tag byte, definite length, content. */
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, c: Buffer) => tlv(0xa0 | n, c);

/** A non-negative INTEGER from big-endian bytes (a leading zero where the top bit is set, none redundant). */
function uint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1] as number) < 0x80) i++;
  const v = b.subarray(i);
  return tlv(0x02, (v[0] as number) >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * (arcs[0] as number) + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const b: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5), to the second, in UTC. */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-12-01T21:37:13.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const commonName = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** KeyUsage bits, numbered as in RFC 5280 (digitalSignature = 0, keyCertSign = 5, cRLSign = 6). */
function keyUsage(bits: number[]): Buffer {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  const unused = v === 0 ? 0 : Math.min(...bits.map((b) => 7 - b));
  return tlv(0x03, Buffer.from([unused, v]));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand '::' and write the eight 16-bit groups.
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** SubjectAltName entries: IP addresses (v4 or v6) as iPAddress, anything else as dNSName. */
function altNames(names: string[]): Buffer {
  return seq(...names.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')))));
}

export interface IssuedCert {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
  /** The key, for signing further certificates. */
  keyObject: KeyObject;
  /** SubjectKeyIdentifier, for the AuthorityKeyIdentifier of certificates this one signs. */
  keyId: Buffer;
}

export interface CertRequest {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate (may sign certificates, not serve TLS) or a server one (TLS server, names below). */
  ca: boolean;
  /** Subject alternative names of a server certificate: host names (wildcards allowed) and IP addresses. */
  names?: string[];
  /** The issuer; absent for a self-signed certificate. */
  issuer?: { commonName: string; keyObject: KeyObject; keyId: Buffer };
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A new EC P-256 key pair and a certificate for it, signed by the issuer (or by itself). */
export function issueCertificate(r: CertRequest): IssuedCert {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (the SPKI's last 65 bytes for P-256).
  const keyId = createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
  // 16 random bytes, top bit clear: a positive serial of at most 20 octets, unique enough for a local CA.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  const issuerKeyId = r.issuer?.keyId ?? keyId;
  const exts = r.ca
    ? [
      extension('2.5.29.19', true, seq(bool(true))), // basicConstraints: cA
      extension('2.5.29.15', true, keyUsage([5, 6])), // keyUsage: keyCertSign, cRLSign
      extension('2.5.29.14', false, octets(keyId)), // subjectKeyIdentifier
    ]
    : [
      extension('2.5.29.19', false, seq()), // basicConstraints: not a CA
      extension('2.5.29.15', true, keyUsage([0])), // keyUsage: digitalSignature (ECDHE_ECDSA)
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', false, altNames(r.names ?? [])), // subjectAltName
      extension('2.5.29.14', false, octets(keyId)),
      extension('2.5.29.35', false, seq(tlv(0x80, issuerKeyId))), // authorityKeyIdentifier: keyIdentifier
    ];
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    ECDSA_SHA256,
    commonName(r.issuer?.commonName ?? r.commonName),
    seq(time(r.notBefore), time(r.notAfter)),
    commonName(r.commonName),
    spki,
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, r.issuer?.keyObject ?? privateKey);
  const der = seq(tbs, ECDSA_SHA256, bitString(signature));
  return {
    cert: pem('CERTIFICATE', der),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    keyObject: privateKey,
    keyId,
  };
}
