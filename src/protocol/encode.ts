// Stage 9 and the one error writer: typed output or ApiError -> HTTP status, headers and body.
// JSON by default; Format=XML gives <ActionResponse> / <Error> with content-type exactly text/xml;charset=utf-8
// (the only XML content type the official clients' error path recognises).
import { createRequire } from 'node:module';
import { ERROR_CODES } from '../errors/codes.js';
import type { ApiError } from '../errors/api-error.js';
import type { Format } from './rpc-request.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_TYPE = 'application/json;charset=utf-8';
export const XML_TYPE = 'text/xml;charset=utf-8';

// The package's CommonJS build is one bundled file; its ESM build is dozens of modules, some 100 ms more at each start.
const { XMLBuilder } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
const xml = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });

function xmlDoc(root: string, body: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${xml.build({ [root]: body }) as string}`;
}

export function encodeSuccess(action: string, requestId: string, output: object, format: Format): WireResponse {
  const body = { RequestId: requestId, ...output };
  if (format === 'XML') {
    return { status: 200, headers: { 'content-type': XML_TYPE }, body: xmlDoc(`${action}Response`, body) };
  }
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

export interface ErrorContext {
  requestId: string;
  hostId: string;
  format: Format;
  /** Base URL of this server, for the Recommend link into the explorer's error centre. */
  baseUrl: string;
  /** The operation's own status for this code, where it differs from the catalogue's. */
  status?: number;
}

export function encodeError(err: ApiError, ctx: ErrorContext): WireResponse {
  const body = {
    RequestId: ctx.requestId,
    HostId: ctx.hostId,
    Code: err.code,
    Message: err.message,
    Recommend: `${ctx.baseUrl}/explorer/#errors/${encodeURIComponent(err.code)}`,
  };
  const status = ctx.status ?? ERROR_CODES[err.code].status;
  const headers = { ...err.headers };
  if (ctx.format === 'XML') return { status, headers: { ...headers, 'content-type': XML_TYPE }, body: xmlDoc('Error', body) };
  return { status, headers: { ...headers, 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}
