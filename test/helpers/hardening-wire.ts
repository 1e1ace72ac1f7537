// Raw-socket HTTP for the hardening suites: send any bytes (malformed on purpose), read back one response, and
// check that it is a well-formed localrds error in the shape the official clients understand.
import assert from 'node:assert/strict';
import net from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { findOperation } from '../../src/api/catalogue.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors/codes.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type RawOutcome =
  | { kind: 'answer'; answer: RawAnswer }
  /** The server closed the connection without writing a byte. */
  | { kind: 'closed' }
  /** No complete answer within the time limit. */
  | { kind: 'timeout'; partial: string };

export interface RawSendOptions {
  /** Half-close after writing (the client says it is done). Default true. */
  end?: boolean;
  timeoutMs?: number;
  /** The answer to a HEAD request has no body whatever Content-Length says. */
  head?: boolean;
  /** Write the bytes in these pieces, waiting pauseMs between them. */
  pieces?: number;
  pauseMs?: number;
}

/** Parses one HTTP/1.1 response from the front of buf; undefined while incomplete. */
export function parseResponse(buf: Buffer, head = false): RawAnswer | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const status = Number(m[1]);
  if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  const rest = buf.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n) } : undefined;
  }
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = rest.indexOf('\r\n', at);
      if (nl < 0) return undefined;
      const size = parseInt(rest.subarray(at, nl).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (size === 0) return { status, headers, body: Buffer.concat(out) };
      if (rest.length < nl + 2 + size + 2) return undefined;
      out.push(rest.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
  }
  return undefined; // body runs to the close; the caller decides on close
}

/** Opens a connection to 127.0.0.1:port, writes bytes, and returns the first response (or what happened). */
export function rawSend(port: number, bytes: Buffer, o: RawSendOptions = {}): Promise<RawOutcome> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (r: RawOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', partial: Buffer.concat(chunks).toString('latin1').slice(0, 200) }), timeoutMs);
    const tryParse = (closing: boolean) => {
      const buf = Buffer.concat(chunks);
      if (buf.length === 0) {
        if (closing) finish({ kind: 'closed' });
        return;
      }
      let a: RawAnswer | undefined;
      try {
        a = parseResponse(buf, o.head);
      } catch (e) {
        finish({ kind: 'timeout', partial: `unparseable: ${String(e)}: ${buf.toString('latin1').slice(0, 200)}` });
        return;
      }
      if (a) finish({ kind: 'answer', answer: a });
      else if (closing) {
        const end = buf.indexOf('\r\n\r\n');
        const headOnly = end >= 0 ? parseResponse(buf.subarray(0, end + 4), true) : undefined;
        if (headOnly) finish({ kind: 'answer', answer: { ...headOnly, body: buf.subarray(end + 4) } });
        else finish({ kind: 'timeout', partial: `truncated: ${buf.toString('latin1').slice(0, 200)}` });
      }
    };
    socket.on('data', (d: Buffer) => { chunks.push(d); tryParse(false); });
    socket.on('error', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    socket.on('connect', async () => {
      const pieces = Math.max(1, o.pieces ?? 1);
      const size = Math.ceil(bytes.length / pieces);
      for (let i = 0; i < pieces && !done; i++) {
        if (i > 0 && o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
        if (!socket.destroyed) socket.write(bytes.subarray(i * size, (i + 1) * size));
      }
      if (o.end !== false && !socket.destroyed) socket.end();
    });
  });
}

/** Builds an HTTP/1.1 request: start line, headers (Host and Content-Length added unless given), body. */
export function httpBytes(o: { method: string; target: string; headers?: Array<[string, string]>; body?: Buffer; version?: string; noContentLength?: boolean }): Buffer {
  const body = o.body ?? Buffer.alloc(0);
  const headers = [...(o.headers ?? [])];
  if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.unshift(['Host', '127.0.0.1']);
  if (!o.noContentLength && body.length > 0 && !headers.some(([k]) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding')) {
    headers.push(['Content-Length', String(body.length)]);
  }
  const head = `${o.method} ${o.target} ${o.version ?? 'HTTP/1.1'}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export const JSON_TYPE = 'application/json;charset=utf-8';
export const XML_TYPE = 'text/xml;charset=utf-8';
const xml = new XMLParser({ parseTagValue: false });

export interface ErrorBody { RequestId: string; HostId: string; Code: string; Message: string }

/**
 * Asserts that an answer is a catalogued localrds error: the catalogue's status for its Code (or the operation's
 * own status for it, when `action` names one that declares errorStatus), the RequestId also in x-acs-request-id,
 * JSON or (when asked for) XML with content-type exactly text/xml;charset=utf-8.
 * `format` undefined accepts either. Returns the parsed body.
 */
export function assertWireError(a: RawAnswer, format: 'JSON' | 'XML' | undefined, ctx = '', action?: string): ErrorBody {
  const type = a.headers['content-type'];
  const isXml = type === XML_TYPE;
  assert.ok(isXml || type === JSON_TYPE, `${ctx} content-type ${type}`);
  if (format !== undefined) assert.equal(isXml ? 'XML' : 'JSON', format, `${ctx} format`);
  const text = a.body.toString('utf8');
  let e: Record<string, unknown>;
  if (isXml) {
    assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?><Error>'), `${ctx} XML error root: ${text.slice(0, 120)}`);
    e = (xml.parse(text) as { Error: Record<string, unknown> }).Error;
  } else {
    e = JSON.parse(text) as Record<string, unknown>;
  }
  for (const k of ['RequestId', 'HostId', 'Code', 'Message']) assert.equal(typeof e[k], 'string', `${ctx} ${k} in ${text.slice(0, 300)}`);
  const code = e.Code as string;
  assert.ok(Object.prototype.hasOwnProperty.call(ERROR_CODES, code), `${ctx} uncatalogued code ${code}`);
  // An operation may document its own status for a shared code (errorStatus in the catalogue).
  const own = action === undefined ? undefined : findOperation(action)?.errorStatus?.[code as ErrorCode];
  assert.equal(a.status, own ?? ERROR_CODES[code as ErrorCode].status, `${ctx} status for ${code}`);
  assert.ok(a.status >= 400 && a.status < 500, `${ctx} a client mistake must not get ${a.status} (${code}): ${text.slice(0, 300)}`);
  assert.match(e.RequestId as string, /^[0-9A-F-]{36}$/, `${ctx} RequestId`);
  assert.equal(a.headers['x-acs-request-id'], e.RequestId, `${ctx} x-acs-request-id`);
  return e as unknown as ErrorBody;
}

/** Bounded-concurrency map: runs fn over items, at most `width` at a time, results in order. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  }));
  return out;
}
