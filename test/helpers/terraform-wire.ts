// What the Terraform alicloud provider puts on the wire for an RDS call (shared/reference/terraform-calls.md §0):
// POST /, V1 HMAC-SHA1, the common parameters (Action, Format=json, Version, Timestamp, SignatureNonce,
// SignatureMethod, SignatureVersion, AccessKeyId, Signature) in the query, every business parameter in an
// x-www-form-urlencoded body, x-acs-action / x-acs-version headers. The signature covers query and body together.
// Also: type assertions for the fields the provider reads, by JSON path.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { v1Sign, v1StringToSign } from '../../src/protocol/signature-v1.js';
import type { Creds } from './clients.js';
import { formEncode, iso, nonce, send, type Answer } from './sign.js';

export type Json = Record<string, unknown>;

function signedRequest(endpoint: string, c: Creds, action: string, body: Record<string, string>): { path: string; headers: Record<string, string>; text: string } {
  const query: Record<string, string> = {
    Action: action, Format: 'json', Version: '2014-08-15', Timestamp: iso(), SignatureNonce: nonce(),
    SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', AccessKeyId: c.accessKeyId,
  };
  const all = new Map(Object.entries({ ...body, ...query }));
  query.Signature = v1Sign(c.accessKeySecret, v1StringToSign('POST', all));
  const text = formEncode(body);
  return {
    path: `/?${formEncode(query)}`, text,
    headers: {
      host: endpoint, 'x-acs-action': action, 'x-acs-version': '2014-08-15', 'user-agent': 'Terraform/1.9 terraform-provider-alicloud (replay)',
      'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(text)),
    },
  };
}

/** One call as the provider sends it; every answer, success or error, must be well-formed JSON with a RequestId. */
export async function tfCall(endpoint: string, c: Creds, action: string, body: Record<string, string>): Promise<Answer & { json: Json }> {
  const r = signedRequest(endpoint, c, action, body);
  const a = await send(endpoint, { method: 'POST', path: r.path, headers: r.headers, body: r.text });
  assert.ok(a.json, `${action}: not JSON (${a.status}): ${a.text.slice(0, 200)}`);
  assert.equal(typeof a.json.RequestId, 'string', `${action}: RequestId`);
  if (a.status !== 200) {
    for (const k of ['HostId', 'Code', 'Message']) assert.equal(typeof a.json[k], 'string', `${action}: error ${k}`);
  } else {
    assert.ok(a.json.Code === undefined || a.json.Code === '200', `${action}: a 200 with Code ${String(a.json.Code)}`);
  }
  return a as Answer & { json: Json };
}

/** The call must succeed; its body. */
export async function tfOk(endpoint: string, c: Creds, action: string, body: Record<string, string>): Promise<Json> {
  const a = await tfCall(endpoint, c, action, body);
  assert.equal(a.status, 200, `${action} ${JSON.stringify(body)}: ${a.status} ${a.text}`);
  return a.json;
}

/** The call must fail with this code; its HTTP status. */
export async function tfFail(endpoint: string, c: Creds, action: string, body: Record<string, string>, code: string): Promise<number> {
  const a = await tfCall(endpoint, c, action, body);
  assert.notEqual(a.status, 200, `${action}: expected ${code}, got 200 ${a.text}`);
  assert.equal(a.json.Code, code, `${action}: ${a.text}`);
  return a.status;
}

/**
 * Sends the call and drops the connection without reading the answer (a create whose answer was lost),
 * resolving once the request has been written.
 */
export async function tfDropped(endpoint: string, c: Creds, action: string, body: Record<string, string>): Promise<void> {
  const r = signedRequest(endpoint, c, action, body);
  const [host, port] = endpoint.split(':');
  await new Promise<void>((resolve, reject) => {
    const q = http.request({ host, port: Number(port), method: 'POST', path: r.path, headers: r.headers, agent: false });
    q.on('error', () => resolve());
    q.on('response', (res) => { res.destroy(); });
    q.end(r.text, () => {
      // Gone before any answer can be read: the client never learns what happened.
      q.destroy();
      resolve();
    });
    q.on('timeout', () => reject(new Error('timeout')));
  });
}

export type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** The value at a path such as Items.DBInstanceAttribute[0].Engine (undefined when absent). */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad path ${path}`);
    cur = cur !== null && typeof cur === 'object' ? (cur as Json)[m[1] as string] : undefined;
    for (const idx of (m[2] ?? '').match(/\d+/g) ?? []) cur = Array.isArray(cur) ? cur[Number(idx)] : undefined;
  }
  return cur;
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/** Each path is present with the JSON type the provider asserts (a missing object or a wrong type crashes it). */
export function expectTypes(where: string, obj: unknown, fields: Record<string, JsonType>): void {
  for (const [path, type] of Object.entries(fields)) assert.equal(typeOf(at(obj, path)), type, `${where}: ${path}`);
}

/** The ClientToken the provider generates for CreateDBInstance: 66 characters. */
export function terraformClientToken(): string {
  const t = `Terraform-Alicloud-${Math.floor(Date.now() / 1000)}-${randomUUID()}`;
  assert.equal(t.length, 66);
  return t;
}
