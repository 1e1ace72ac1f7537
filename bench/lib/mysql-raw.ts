// A minimal MySQL/MariaDB protocol client for the data-plane figures: handshake (mysql_native_password with an
// empty password), COM_QUERY, and a result reader that walks packet headers without copying or decoding rows,
// so that reading 100 MB costs the client next to nothing and the figure is about the path, not the client.
import net from 'node:net';

const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_CONNECT_WITH_DB = 0x8;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_TRANSACTIONS = 0x2000;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;
/** Packets up to this size are kept whole (handshake, OK/ERR/EOF, column definitions); larger ones are skipped. */
const SMALL = 4096;

interface Packet { seq: number; length: number; first: number; payload?: Buffer }

export interface QueryResult { bytes: number; rows: number }

export class RawMysql {
  private pendingHeader = Buffer.alloc(0);
  private current: { seq: number; length: number; got: number; first: number; parts: Buffer[] | undefined } | undefined;
  private waiter: ((p: Packet) => void) | undefined;
  private queue: Packet[] = [];
  private failed: Error | undefined;
  private onFail: ((e: Error) => void) | undefined;
  /** Bytes received since the last reset. */
  received = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    const fail = (e: Error): void => {
      this.failed ??= e;
      this.onFail?.(this.failed);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static async connect(o: { host: string; port: number; user?: string; database?: string; timeoutMs?: number }): Promise<RawMysql> {
    const socket = net.connect({ host: o.host, port: o.port, noDelay: true });
    const c = new RawMysql(socket);
    const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), o.timeoutMs ?? 10_000);
    try {
      const greeting = await c.next();
      if (greeting.first === 0xff) throw new Error(`server refused: ${greeting.payload?.toString('utf8', 3)}`);
      const user = Buffer.from(`${o.user ?? 'root'}\0`);
      const db = Buffer.from(`${o.database ?? 'test'}\0`);
      const head = Buffer.alloc(32);
      head.writeUInt32LE(CLIENT_LONG_PASSWORD | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH, 0);
      head.writeUInt32LE(16 * 1024 * 1024, 4);
      head[8] = 45; // utf8mb4_general_ci
      c.write(Buffer.concat([head, user, Buffer.from([0]), db, Buffer.from('mysql_native_password\0')]), greeting.seq + 1);
      let answer = await c.next();
      if (answer.first === 0xfe) {
        // Auth switch: an empty password answers with empty auth data whatever the plugin's scramble.
        c.write(Buffer.alloc(0), answer.seq + 1);
        answer = await c.next();
      }
      if (answer.first !== 0x00) throw new Error(`login failed: ${answer.payload?.toString('utf8', 3) ?? answer.first}`);
      return c;
    } catch (e) {
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs one statement and reads its whole result set, counting bytes and rows. */
  async query(sql: string): Promise<QueryResult> {
    this.received = 0;
    this.write(Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]), 0);
    const first = await this.next();
    if (first.first === 0xff) throw new Error(`query failed: ${first.payload?.toString('utf8', 9)}`);
    if (first.first === 0x00) return { bytes: this.received, rows: 0 };
    let eofs = 0;
    let rows = 0;
    while (eofs < 2) {
      const p = await this.next();
      if (p.first === 0xff) throw new Error(`query failed: ${p.payload?.toString('utf8', 9)}`);
      if (p.first === 0xfe && p.length < 9) eofs += 1;
      else if (eofs === 1) rows += 1;
    }
    return { bytes: this.received, rows };
  }

  close(): void {
    this.socket.destroy();
  }

  private write(payload: Buffer, seq: number): void {
    const h = Buffer.alloc(4);
    h.writeUIntLE(payload.length, 0, 3);
    h[3] = seq & 0xff;
    this.socket.write(Buffer.concat([h, payload]));
  }

  private next(): Promise<Packet> {
    const p = this.queue.shift();
    if (p) return Promise.resolve(p);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.onFail = reject;
    });
  }

  private deliver(p: Packet): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.onFail = undefined;
      w(p);
    } else {
      this.queue.push(p);
    }
  }

  private feed(chunk: Buffer): void {
    this.received += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      if (!this.current) {
        const need = 4 - this.pendingHeader.length;
        const take = Math.min(need, chunk.length - off);
        this.pendingHeader = Buffer.concat([this.pendingHeader, chunk.subarray(off, off + take)]);
        off += take;
        if (this.pendingHeader.length < 4) return;
        const length = this.pendingHeader.readUIntLE(0, 3);
        const seq = this.pendingHeader[3] as number;
        this.pendingHeader = Buffer.alloc(0);
        this.current = { seq, length, got: 0, first: -1, parts: length <= SMALL ? [] : undefined };
        if (length === 0) {
          this.current = undefined;
          this.deliver({ seq, length: 0, first: -1, payload: Buffer.alloc(0) });
        }
        continue;
      }
      const cur = this.current;
      const take = Math.min(cur.length - cur.got, chunk.length - off);
      if (cur.got === 0) cur.first = chunk[off] as number;
      cur.parts?.push(chunk.subarray(off, off + take));
      cur.got += take;
      off += take;
      if (cur.got === cur.length) {
        this.current = undefined;
        this.deliver({ seq: cur.seq, length: cur.length, first: cur.first, payload: cur.parts ? Buffer.concat(cur.parts) : undefined });
      }
    }
  }
}
