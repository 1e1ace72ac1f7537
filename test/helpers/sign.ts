// Hand-signed requests for what the SDKs cannot send (bad signatures, replays, stale clocks...).
// The algorithms are the server's own, proven against the recorded client vectors in signature-vectors.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { percentEncode } from '../../src/protocol/percent.js';
import { v1Sign, v1StringToSign } from '../../src/protocol/signature-v1.js';
import { v3CanonicalRequest, v3Sign, v3StringToSign } from '../../src/protocol/signature-v3.js';
import type { Creds } from './clients.js';

export const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const nonce = () => randomBytes(16).toString('hex');

export interface Answer { status: number; headers: http.IncomingHttpHeaders; text: string; json: Record<string, unknown> | undefined }

export function send(endpoint: string, o: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const r = http.request({ host, port: Number(port), method: o.method ?? 'GET', path: o.path ?? '/', headers: o.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try { json = JSON.parse(text) as Record<string, unknown>; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.on('error', reject);
    if (o.body !== undefined) r.write(o.body);
    r.end();
  });
}

/** V1-signed parameters (common parameters added), for GET (query) or POST (form body). */
export function v1Params(c: Creds, method: string, params: Record<string, string>, over: Record<string, string> = {}): Record<string, string> {
  const all: Record<string, string> = {
    Format: 'JSON', Version: '2014-08-15', AccessKeyId: c.accessKeyId, SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0', SignatureNonce: nonce(), Timestamp: iso(), ...params, ...over,
  };
  const sts = v1StringToSign(method, new Map(Object.entries(all)));
  return { ...all, Signature: over.Signature ?? v1Sign(c.accessKeySecret, sts) };
}

export const formEncode = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');

export async function v1Get(endpoint: string, c: Creds, params: Record<string, string>, over: Record<string, string> = {}): Promise<Answer> {
  return send(endpoint, { path: '/?' + formEncode(v1Params(c, 'GET', params, over)) });
}

/** V3-signed POST with the parameters in the query and an empty body (what @alicloud/rds20140815 sends). */
export function v3Headers(endpoint: string, c: Creds, action: string, query: Record<string, string>, body = '', over: Record<string, string> = {}): { path: string; headers: Record<string, string> } {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = {
    host: endpoint, 'x-acs-action': action, 'x-acs-version': '2014-08-15', 'x-acs-date': iso(),
    'x-acs-signature-nonce': nonce(), 'x-acs-content-sha256': bodyHash, ...over,
  };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const signed = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const canonical = v3CanonicalRequest({ method: 'POST', path: '/', query: Object.entries(query), headers, signedHeaders: signed, bodyHash });
  const sig = v3Sign('ACS3-HMAC-SHA256', c.accessKeySecret, v3StringToSign('ACS3-HMAC-SHA256', canonical));
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${c.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${sig}`;
  const qs = formEncode(query);
  return { path: qs ? `/?${qs}` : '/', headers };
}

export async function v3Post(endpoint: string, c: Creds, action: string, query: Record<string, string>, over: Record<string, string> = {}): Promise<Answer> {
  const { path, headers } = v3Headers(endpoint, c, action, query, '', over);
  return send(endpoint, { method: 'POST', path, headers });
}
