// The fast lane: plain-HTTP RPC calls (GET or POST on `/`, HTTP/1.1, Content-Length bodies) parsed straight off
// the socket and answered with one write, so that the common signed call skips node:http's IncomingMessage,
// ServerResponse and stream machinery. It sits between the front's first-byte sniff (server.ts) and the pipeline.
// The parser is deliberately strict: anything outside that subset (another path or method, HTTP/1.0, absolute-form,
// Transfer-Encoding, Expect, Upgrade, a duplicate or unusual header, a header block near the size limit, a body over
// LIMITS.maxBodyBytes, anything malformed) is handed to node:http at a request boundary, with the bytes not yet
// answered, and node:http owns the connection from then on: every edge case keeps node:http's behaviour and error bodies.
// Reads land in one buffer that every fast-lane connection of the thread shares (user-buffer-socket.ts): a read's
// callback runs before the next read of any socket, and whatever outlives it (an unfinished request, a body, the
// bytes handed to node:http) is copied out first. So a request costs no Buffer, no Readable push and no 'data'
// event; after a hand-off the connection's reads are copied into its Readable, as a plain socket's are.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type net from 'node:net';
import { adoptWithUserBuffer } from '../net/user-buffer-socket.js';
import type { WireResponse } from '../protocol/encode.js';
import { LIMITS, type RawRequest } from '../protocol/rpc-request.js';

export interface FastLaneLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderSize: number;
}

export interface FastLaneOptions {
  pipeline(raw: RawRequest): Promise<WireResponse>;
  limits: FastLaneLimits;
  /**
   * Gives the socket to node:http, the unanswered bytes already unshifted. `startedAt`: when the unfinished request
   * among them began (0 when none did), so that node:http's clock, which starts at the hand-off, can be held to it.
   */
  handOff(socket: net.Socket, startedAt: number): void;
  /** Answers a request whose headers or body took too long, as node:http does, and ends the connection. */
  timedOut(socket: net.Socket): void;
  onError(o: object, msg: string): void;
}

/** Bytes one read takes; a request longer than this arrives in several reads, joined in a copy. */
const READ_BUFFER = 64 * 1024;
let shared: Buffer | undefined;
const EMPTY = Buffer.alloc(0);

/**
 * Serves the connection from its first chunk on, until it closes or is handed off. Called in the handler of the
 * socket's first 'data' event, with the socket paused; returns the socket that carries the connection from now on
 * (its handle moved into one that reads into the shared buffer, or the same socket where that cannot be done),
 * paused, with an 'error' listener: the caller resumes it.
 */
export function serveFastLane(socket: net.Socket, first: Buffer, o: FastLaneOptions): net.Socket {
  const buffer = (shared ??= Buffer.allocUnsafeSlow(READ_BUFFER));
  let conn: FastConnection | undefined;
  const adopted = adoptWithUserBuffer(socket, { buffer, callback: (n, buf) => (conn as FastConnection).onRead(n, buf as Buffer) });
  const s = adopted ?? socket;
  if (adopted) adopted.on('error', () => adopted.destroy());
  conn = new FastConnection(s, o, adopted !== undefined);
  conn.onData(first);
  return s;
}

const HEAD_END = Buffer.from('\r\n\r\n');
// Leave the header blocks near node:http's limit to node:http, so that its own count decides them.
const HEAD_MARGIN = 256;
const REQUEST_LINE = /^(GET|POST) (\/(?:\?[!"$-~]*)?) HTTP\/1\.1$/;
const PARTIAL_TARGET = /^\/(?:\?[!"$-~]*)?$/;
// Every header line at once, each opening with the CRLF that ends the line before it: a token, a colon, a value of
// visible ASCII, space and tab. One test of the whole block cost a tenth of a regex test per name and per value.
const HEADER_LINES = /^(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t -~]*)*$/;
const CONTENT_LENGTH = /^[0-9]{1,9}$/;

interface Head {
  method: string;
  rawQuery: string;
  headers: Record<string, string>;
  bodyStart: number;
  bodyLength: number;
  close: boolean;
}

class FastConnection {
  /** Bytes received and not yet answered (a view of the last chunk when nothing was left over). */
  private buf: Buffer | undefined;
  /** The head of the request in `buf` once parsed, while its body is still arriving. */
  private head: Head | undefined;
  /** A request is in the pipeline (or its answer waits for the socket to drain). */
  private busy = false;
  /** Handed off, closing or closed: the lane does nothing more. */
  private done = false;
  private readPaused = false;
  private peerEnded = false;
  /** When the first byte of the unfinished request in `buf` was seen (0: no unfinished request). */
  private requestStart = 0;
  private idleSince = 0;
  // One timer per connection, for the idle, header and request deadlines alike: refreshed after each answer
  // (no allocation) and replaced only when a request arrives in pieces.
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  private timerDue = 0;
  private readonly remoteAddress: string;

  /** Handed to node:http: reads (on the shared buffer) now go to the socket's Readable. */
  private handedOff = false;

  constructor(private readonly socket: net.Socket, private readonly o: FastLaneOptions, private readonly sharedReads: boolean) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.onData = this.onData.bind(this);
    this.onTimer = this.onTimer.bind(this);
    this.onDrain = this.onDrain.bind(this);
    this.onEnd = this.onEnd.bind(this);
    this.onClose = this.onClose.bind(this);
    if (!sharedReads) socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
  }

  /** A read into the shared buffer (its first n bytes): nothing may point into it once this returns. */
  onRead(n: number, buf: Buffer): boolean {
    if (this.handedOff) return this.socket.push(Buffer.from(buf.subarray(0, n)));
    this.onData(buf.subarray(0, n));
    const kept = this.buf;
    if (kept !== undefined && kept.buffer === buf.buffer) this.buf = Buffer.from(kept);
    return true;
  }

  onData(chunk: Buffer): void {
    if (this.done) return;
    const buf = this.buf;
    this.buf = buf === undefined || buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (this.busy) {
      // Pipelined requests wait for the one in the pipeline; stop reading once a whole request's worth is queued.
      if (this.buf.length > this.o.limits.maxHeaderSize + LIMITS.maxBodyBytes && !this.readPaused) {
        this.readPaused = true;
        this.socket.pause();
      }
      return;
    }
    this.safeNext();
  }

  private safeNext(): void {
    try {
      this.next();
    } catch (e) {
      // Not expected (the parser refuses by handing off), but a listener that throws would end the process.
      this.o.onError({ err: String(e) }, 'fast lane failed');
      this.detach();
      this.socket.destroy();
    }
  }

  /** Answers the whole requests in `buf`, one at a time, in order. */
  private next(): void {
    const limits = this.o.limits;
    while (!this.busy && !this.done) {
      const buf = this.buf;
      if (buf === undefined || buf.length === 0) { this.buf = undefined; return; }
      if (this.requestStart === 0) this.requestStart = Date.now();
      let head = this.head;
      if (head === undefined) {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) {
          if (buf.length > limits.maxHeaderSize - HEAD_MARGIN || !startsLikeRpc(buf)) { this.handOff(); return; }
          this.waitUntil(this.requestStart + limits.headersTimeoutMs);
          return;
        }
        if (end + 4 > limits.maxHeaderSize - HEAD_MARGIN) { this.handOff(); return; }
        head = parseHead(buf, end);
        if (head === undefined) { this.handOff(); return; }
      }
      const total = head.bodyStart + head.bodyLength;
      if (buf.length < total) {
        this.head = head;
        this.waitUntil(this.requestStart + limits.requestTimeoutMs);
        return;
      }
      this.head = undefined;
      this.requestStart = 0;
      this.buf = buf.length === total ? undefined : buf.subarray(total);
      this.dispatch(head, buf.subarray(head.bodyStart, total));
    }
  }

  private dispatch(head: Head, body: Buffer): void {
    this.busy = true;
    // The same RawRequest as serve() in server.ts builds for node:http's requests.
    const requestId = randomUUID().toUpperCase();
    const raw: RawRequest = {
      requestId, method: head.method, path: '/', rawQuery: head.rawQuery, headers: head.headers,
      receivedAt: Date.now(), remoteAddress: this.remoteAddress, scheme: 'http',
      // The pipeline may read the body after an await, when the shared buffer holds another read.
      body: body.length === 0 ? EMPTY : this.sharedReads ? Buffer.from(body) : body,
    };
    this.o.pipeline(raw).then(
      (wire) => this.answer(wire.status, wire.headers, requestId, wire.body, head.close),
      (e: unknown) => this.failed(e, head.close),
    ).catch((e: unknown) => {
      this.o.onError({ err: String(e) }, 'fast lane failed');
      this.socket.destroy();
    });
  }

  private answer(status: number, headers: Record<string, string>, requestId: string | undefined, body: string, close: boolean): void {
    this.busy = false;
    const socket = this.socket;
    if (this.done) return;
    if (!socket.writable) { this.detach(); socket.destroy(); return; }
    const closing = close || headers.connection === 'close';
    const flushed = socket.write(responseText(status, headers, requestId, body, closing, this.o.limits));
    if (closing) {
      // As node:http does after a `Connection: close` exchange: end, and destroy once the answer is out.
      this.detach();
      socket.end();
      socket.once('finish', () => socket.destroy());
      return;
    }
    this.idleSince = Date.now();
    this.armIdle();
    if (this.readPaused) { this.readPaused = false; socket.resume(); }
    if (!flushed) { this.busy = true; socket.once('drain', this.onDrain); return; }
    if (this.buf !== undefined) this.safeNext();
  }

  /** The pipeline itself failed (it answers every request error itself): as serve()'s catch in server.ts. */
  private failed(e: unknown, close: boolean): void {
    if (this.socket.destroyed || (e as { code?: string }).code === 'ECONNRESET') { this.busy = false; this.detach(); this.socket.destroy(); return; }
    this.o.onError({ err: String(e) }, 'request failed outside the pipeline');
    this.answer(500, {}, undefined, '', close);
  }

  private onDrain(): void {
    this.busy = false;
    if (!this.done && this.buf !== undefined) this.safeNext();
  }

  private onEnd(): void { this.peerEnded = true; }

  private onClose(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private onTimer(): void {
    this.timerDue = 0; // fired: nothing is armed until arm() runs again
    if (this.done || this.busy) return; // a request in the pipeline has no deadline (nor has it in node:http)
    const now = Date.now();
    const limits = this.o.limits;
    const deadline = this.requestStart !== 0
      ? this.requestStart + (this.head === undefined ? limits.headersTimeoutMs : limits.requestTimeoutMs)
      : this.idleSince + limits.keepAliveTimeoutMs;
    // Timers and Date.now() may disagree by a millisecond.
    if (now + 2 < deadline) { this.arm(deadline - now); return; }
    this.detach();
    if (this.requestStart !== 0) this.o.timedOut(this.socket);
    else this.socket.destroy(); // an idle keep-alive connection ends without an answer, as in node:http
  }

  /** Arms the timer for a request's deadline, unless it already is (a request trickling in re-arms nothing). */
  private waitUntil(deadline: number): void {
    if (this.timerDue === deadline) return;
    this.arm(Math.max(1, deadline - Date.now()));
    this.timerDue = deadline;
  }

  /**
   * The keep-alive deadline after an answer. A timer already armed for the keep-alive span is left as it is, not
   * refreshed per answer: it fires at most that early, and onTimer, which reads idleSince, arms it for the rest.
   */
  private armIdle(): void {
    const ms = this.o.limits.keepAliveTimeoutMs;
    if (this.timer !== undefined && this.timerMs === ms && this.timerDue !== 0) return;
    this.arm(ms);
  }

  private arm(ms: number): void {
    this.timerDue = Date.now() + ms;
    if (this.timer !== undefined && this.timerMs === ms) { this.timer.refresh(); return; }
    clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  private detach(): void {
    this.done = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (!this.sharedReads) socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onClose);
  }

  private handOff(): void {
    const socket = this.socket;
    // Paused before the listener goes: a flowing socket with no 'data' listener drops what it reads.
    socket.pause();
    this.detach();
    // After the peer's end a stream takes no unshift; node:http could not answer either (the front does not
    // allow half-open connections, so the socket's writing side is ending too).
    if (this.peerEnded) { socket.destroy(); return; }
    const rest = this.buf;
    this.buf = undefined;
    this.handedOff = true;
    // A copy: rest may be a view of the shared read buffer.
    if (rest !== undefined && rest.length > 0) socket.unshift(this.sharedReads ? Buffer.from(rest) : rest);
    this.o.handOff(socket, this.requestStart);
  }
}

/**
 * Whether an unfinished first line can still become a fast-lane request line. Anything else is handed off at
 * once, so that node:http answers (or times out) what it alone serves with its own timing.
 */
function startsLikeRpc(buf: Buffer): boolean {
  const eol = buf.indexOf(13);
  const line = buf.toString('latin1', 0, eol < 0 ? Math.min(buf.length, 8192) : eol);
  if (eol >= 0 && eol + 1 < buf.length) return REQUEST_LINE.test(line);
  const m = line.startsWith('GET ') ? 4 : line.startsWith('POST ') ? 5 : -1;
  if (m < 0) return 'GET '.startsWith(line) || 'POST '.startsWith(line);
  const sp = line.indexOf(' ', m);
  if (!PARTIAL_TARGET.test(sp < 0 ? line.slice(m) : line.slice(m, sp))) return line.length === m;
  return sp < 0 || 'HTTP/1.1'.startsWith(line.slice(sp + 1));
}

const isOws = (c: number): boolean => c === 32 || c === 9;

const KNOWN_HEADERS = new Map([
  'host', 'connection', 'content-length', 'content-type', 'accept', 'accept-encoding', 'user-agent', 'date',
  'authorization', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256',
  'x-acs-signature-method', 'x-acs-signature-version', 'x-acs-security-token', 'x-sdk-client', 'x-acs-request-id',
].map((n) => [n, n]));

/** The request line and headers (`end`: where the blank line starts), or undefined for anything to hand off. */
function parseHead(buf: Buffer, end: number): Head | undefined {
  const text = buf.toString('latin1', 0, end);
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const line = REQUEST_LINE.exec(text.slice(0, eol));
  if (line === null) return undefined;
  // No obs-fold (a line opening with white space is no token), no control characters, no bare CR or LF.
  if (eol < text.length && !HEADER_LINES.test(text.slice(eol))) return undefined;
  const target = line[2] as string;
  // Like IncomingMessage.headers: lower-case names. Duplicates are handed off rather than joined.
  const headers: Record<string, string> = {};
  let bodyLength = 0;
  let close = false;
  let at = eol + 2;
  while (at < text.length) {
    let next = text.indexOf('\r\n', at);
    if (next < 0) next = text.length;
    const colon = text.indexOf(':', at);
    const name = text.slice(at, colon).toLowerCase();
    // A known name as its literal (an internalized string): storing it as a key then needs no string-table lookup.
    const key = KNOWN_HEADERS.get(name) ?? name;
    // Optional white space around the value is spaces and tabs only (HEADER_LINES allows no other).
    let from = colon + 1;
    let to = next;
    while (from < to && isOws(text.charCodeAt(from))) from += 1;
    while (to > from && isOws(text.charCodeAt(to - 1))) to -= 1;
    const v = text.slice(from, to);
    at = next + 2;
    if (key === '__proto__' || Object.hasOwn(headers, key)) return undefined;
    switch (key) {
      case 'transfer-encoding': case 'expect': case 'upgrade': case 'http2-settings':
        return undefined;
      case 'content-length':
        if (!CONTENT_LENGTH.test(v)) return undefined;
        bodyLength = Number(v);
        if (bodyLength > LIMITS.maxBodyBytes) return undefined;
        break;
      case 'connection': {
        const c = v.toLowerCase();
        if (c === 'close') close = true;
        else if (c !== 'keep-alive') return undefined;
        break;
      }
    }
    headers[key] = v;
  }
  const q = target.indexOf('?');
  return { method: line[1] as string, rawQuery: q < 0 ? '' : target.slice(q + 1), headers, bodyStart: end + 4, bodyLength, close };
}

const statusLines = new Map<number, string>();
let dateSecond = -1;
let dateText = '';

/**
 * The answer as node:http writes `writeHead(status, {...headers, 'x-acs-request-id', 'content-length'})` + `end(body)`
 * (serve() in server.ts): the given headers in order, then Date, Connection and Keep-Alive.
 */
function responseText(status: number, headers: Record<string, string>, requestId: string | undefined, body: string, close: boolean, limits: FastLaneLimits): string {
  let text = statusLines.get(status);
  if (text === undefined) {
    text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    statusLines.set(status, text);
  }
  let userConnection = false;
  for (const name in headers) {
    if (name === 'x-acs-request-id' || name === 'content-length') continue;
    if (name === 'connection') userConnection = true;
    text += `${name}: ${headers[name] as string}\r\n`;
  }
  if (requestId !== undefined) text += `x-acs-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  text += `Date: ${dateText}\r\n`;
  if (!userConnection) text += close ? 'Connection: close\r\n' : `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(limits.keepAliveTimeoutMs / 1000)}\r\n`;
  // node:http writes its own Content-Length when the handler gave none (the 500 of a failed pipeline).
  if (requestId === undefined) text += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return `${text}\r\n${body}`;
}
