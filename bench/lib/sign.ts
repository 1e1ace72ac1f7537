// Request signers for the load generator and the setup calls: Alibaba Cloud V3 (ACS3-HMAC-SHA256, through the
// project's own canonicalisation in src/protocol/signature-v3.ts) and Azure Storage SharedKey (for Azurite).
// Every call returns a fresh nonce and a current date: the server refuses a replayed nonce (SignatureNonceUsed).
import { createHmac, randomUUID } from 'node:crypto';
import { v3CanonicalRequest, v3Hash, v3Sign, v3StringToSign } from '../../src/protocol/signature-v3.js';
import { percentEncode } from '../../src/protocol/percent.js';

export interface Creds { accessKeyId: string; accessKeySecret: string }

export interface SignedRequest {
  method: string;
  /** Path and query, as sent on the request line. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

const EMPTY_SHA256 = v3Hash('ACS3-HMAC-SHA256', '');

// x-acs-date has one-second resolution; the string is rebuilt once per second, not per request.
let dateSecond = -1;
let dateText = '';
function acsDate(): string {
  const s = Math.floor(Date.now() / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return dateText;
}

/** A V3-signed RPC call as the official SDK sends it: parameters in the query, Action/Version in headers. */
export function signV3(o: { host: string; action: string; params: Record<string, string>; creds: Creds; method?: string }): SignedRequest {
  const method = o.method ?? 'POST';
  const query = Object.entries(o.params).map(([k, v]) => [k, v] as const);
  const headers: Record<string, string> = {
    host: o.host,
    'x-acs-action': o.action,
    'x-acs-version': '2014-08-15',
    'x-acs-date': acsDate(),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': EMPTY_SHA256,
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = v3CanonicalRequest({ method, path: '/', query, headers, signedHeaders, bodyHash: EMPTY_SHA256 });
  const signature = v3Sign('ACS3-HMAC-SHA256', o.creds.accessKeySecret, v3StringToSign('ACS3-HMAC-SHA256', canonical));
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${o.creds.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  const qs = query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  return { method, path: qs ? `/?${qs}` : '/', headers, body: '' };
}

/** Azurite's development storage account (documented, public). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AZURITE_KEY_BYTES = Buffer.from(AZURITE_KEY, 'base64');

/**
 * A SharedKey-signed Blob request in Azurite's path style (/account/container). The canonicalised resource
 * repeats the account: /devstoreaccount1/devstoreaccount1/container.
 */
export function signSharedKey(o: { host: string; method: string; container: string; query: Record<string, string>; contentLength?: number }): SignedRequest {
  const msHeaders: Record<string, string> = {
    'x-ms-date': new Date().toUTCString(),
    'x-ms-version': '2021-10-04',
    'x-ms-client-request-id': randomUUID(),
  };
  const names = Object.keys(msHeaders).sort();
  const canonHeaders = names.map((n) => `${n}:${msHeaders[n]}\n`).join('');
  const queryNames = Object.keys(o.query).sort();
  const canonResource = `/${AZURITE_ACCOUNT}/${AZURITE_ACCOUNT}/${o.container}` + queryNames.map((k) => `\n${k}:${o.query[k]}`).join('');
  const len = o.contentLength ? String(o.contentLength) : '';
  const stringToSign = [o.method, '', '', len, '', '', '', '', '', '', '', ''].join('\n') + '\n' + canonHeaders + canonResource;
  const sig = createHmac('sha256', AZURITE_KEY_BYTES).update(stringToSign, 'utf8').digest('base64');
  const qs = queryNames.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(o.query[k] as string)}`).join('&');
  return {
    method: o.method,
    path: `/${AZURITE_ACCOUNT}/${o.container}${qs ? `?${qs}` : ''}`,
    headers: { host: o.host, ...msHeaders, authorization: `SharedKey ${AZURITE_ACCOUNT}:${sig}` },
    body: '',
  };
}
