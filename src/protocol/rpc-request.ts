// Stage 2 of the pipeline: turn the raw HTTP request into RPC parameters.
// Query and x-www-form-urlencoded body are merged; Action/Version may also come from x-acs-* headers.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors/api-error.js';
import { decodePairs, DecodeError } from './percent.js';

export interface RawRequest {
  requestId: string;
  method: string;
  /** Path without the query. */
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
  remoteAddress: string;
  /** How the caller reached us: http, or https through the TLS front. */
  scheme?: 'http' | 'https';
}

export type Format = 'JSON' | 'XML';

export interface RpcRequest extends RawRequest {
  query: [string, string][];
  bodyParams: [string, string][];
  /** Query and body merged (each name at most once). */
  params: Map<string, string>;
  action: string | undefined;
  version: string | undefined;
  format: Format;
}

export const LIMITS = {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: 256 * 1024,
  /** Most parameters in query and body together. */
  maxParams: 512,
  /** Longest parameter value, in characters. */
  maxValueChars: 64 * 1024,
};

const FORMAT_PARAM = /(?:^|&)Format=([A-Za-z]{3,4})(?:&|$)/;

/** Reads the Format parameter as early as possible, so that even a parse error is written as asked. */
export function peekFormat(rawQuery: string, body: Buffer, contentType: string | undefined): Format {
  // Most calls name no Format: a substring search then spares the regex (and the body's string).
  const q = rawQuery.includes('Format=') ? FORMAT_PARAM.exec(rawQuery)?.[1] : undefined;
  const b = body.length > 0 && body.length < LIMITS.maxBodyBytes && isForm(contentType) && body.includes('Format=', 0, 'latin1')
    ? FORMAT_PARAM.exec(body.toString('latin1'))?.[1] : undefined;
  const f = (q ?? b ?? '').toUpperCase();
  return f === 'XML' ? 'XML' : 'JSON';
}

export function parseRpc(raw: RawRequest): RpcRequest {
  if (raw.method !== 'GET' && raw.method !== 'POST') throw new ApiError('UnsupportedHTTPMethod');
  let query: [string, string][];
  let bodyParams: [string, string][] = [];
  try {
    query = decodePairs(raw.rawQuery);
    if (raw.body.length > 0 && isForm(raw.headers['content-type'])) {
      const text = raw.body.toString('utf8');
      if (Buffer.byteLength(text, 'utf8') !== raw.body.length) throw new DecodeError('body is not valid UTF-8');
      bodyParams = decodePairs(text);
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new ApiError('InvalidRequest.Malformed', { detail: e.message });
    throw e;
  }
  if (query.length + bodyParams.length > LIMITS.maxParams) {
    throw new ApiError('InvalidRequest.TooLarge', { limit: `${LIMITS.maxParams} parameters` });
  }
  const params = new Map<string, string>();
  const add = ([k, v]: [string, string]) => {
    if (params.has(k)) throw new ApiError('InvalidRequest.Malformed', { detail: `parameter "${k.slice(0, 64)}" is given more than once` });
    if (v.length > LIMITS.maxValueChars) throw new ApiError('InvalidRequest.TooLarge', { limit: `${LIMITS.maxValueChars} characters per value` });
    // PostgreSQL text cannot hold NUL, and no RDS parameter has a use for it.
    if (k.includes('\0') || v.includes('\0')) throw new ApiError('InvalidRequest.Malformed', { detail: 'a parameter contains a NUL character' });
    params.set(k, v);
  };
  query.forEach(add);
  bodyParams.forEach(add);
  const format = params.get('Format');
  if (format !== undefined && !/^(json|xml)$/i.test(format)) {
    throw new ApiError('InvalidParameter', { name: 'Format', detail: 'Use JSON or XML.' });
  }
  // The raw request grows into the RPC request (a copy of every field per stage cost microseconds per call).
  const rpc = raw as RpcRequest;
  rpc.query = query;
  rpc.bodyParams = bodyParams;
  rpc.params = params;
  rpc.action = params.get('Action') ?? header(raw.headers, 'x-acs-action');
  rpc.version = params.get('Version') ?? header(raw.headers, 'x-acs-version');
  rpc.format = format?.toUpperCase() === 'XML' ? 'XML' : 'JSON';
  return rpc;
}

function isForm(ct: string | undefined): boolean {
  return ct !== undefined && ct.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
