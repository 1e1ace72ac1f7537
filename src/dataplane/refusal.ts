// Protocol-level refusals: when an instance has no reachable server, the client reads an error in its own
// wire protocol carrying the reason (a MySQL ERR packet where the server greeting would be, a PostgreSQL
// ErrorResponse after the startup message) instead of a bare close that drivers report as "connection lost".

import type net from 'node:net';

/** Engines whose wire protocol we can speak a refusal in; anything else gets a plain close. */
export type RefusalProtocol = 'mysql' | 'postgresql' | 'none';

export function refusalProtocol(engine: string): RefusalProtocol {
  const e = engine.toLowerCase();
  if (e === 'mysql' || e === 'mariadb') return 'mysql';
  if (e === 'postgresql') return 'postgresql';
  return 'none';
}

// CR_CONN_HOST_ERROR: the code clients themselves use for "cannot reach the server", which is what the user
// should read; SQLSTATE HY000 is MySQL's general error.
const MYSQL_ERROR_CODE = 2003;
// 57P03 cannot_connect_now: what a PostgreSQL server says while it cannot take connections (starting, in recovery).
const PG_SQLSTATE = '57P03';
// A client that never sends its startup packet is dropped after this long.
const STARTUP_WAIT_MS = 10_000;
// PostgreSQL's own limit on a startup packet; more is not a client we can talk to.
const PG_MAX_STARTUP = 10_000;
const PG_SSL_REQUEST = 80877103;
const PG_GSSENC_REQUEST = 80877104;
const PG_CANCEL_REQUEST = 80877102;

/** A MySQL ERR packet with sequence id 0, sent in place of the server greeting. */
export function mysqlErrPacket(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const payload = Buffer.alloc(1 + 2 + 6 + text.length);
  payload[0] = 0xff;
  payload.writeUInt16LE(code, 1);
  payload.write('#HY000', 3, 'latin1');
  text.copy(payload, 9);
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = 0;
  return Buffer.concat([header, payload]);
}

/** A PostgreSQL ErrorResponse ('E') with severity FATAL. */
export function pgErrorResponse(sqlstate: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`SFATAL\0VFATAL\0C${sqlstate}\0`, 'latin1'),
    Buffer.from(`M${message}\0`, 'utf8'),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header[0] = 0x45;
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/**
 * Answers the client with the engine's error and ends the connection. Resolves once the socket has closed.
 * The socket must not have been read from yet (PostgreSQL's answer comes after the client's first packet).
 */
export function refuseConnection(client: net.Socket, protocol: RefusalProtocol, reason: string): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    if (client.closed) resolve();
    else client.once('close', () => resolve());
  });
  client.on('error', () => client.destroy());
  const timer = setTimeout(() => client.destroy(), STARTUP_WAIT_MS);
  timer.unref();
  void closed.then(() => clearTimeout(timer));
  const finish = (answer: Buffer): void => {
    client.removeAllListeners('data');
    client.end(answer);
  };

  if (protocol === 'mysql') {
    // The MySQL server speaks first, so the error goes out at once.
    finish(mysqlErrPacket(MYSQL_ERROR_CODE, reason));
  } else if (protocol === 'postgresql') {
    // The client speaks first: an optional SSLRequest/GSSENCRequest (answered 'N', no encryption), then the
    // StartupMessage, after which a FATAL ErrorResponse is what a real server sends to a refused login.
    let buffered: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8) {
        const length = buffered.readInt32BE(0);
        if (length < 8 || length > PG_MAX_STARTUP) {
          client.destroy();
          return;
        }
        if (buffered.length < length) return;
        const code = buffered.readInt32BE(4);
        buffered = buffered.subarray(length);
        if (code === PG_CANCEL_REQUEST) {
          // Nothing to cancel; a real server closes without an answer too.
          client.destroy();
          return;
        }
        if (code === PG_SSL_REQUEST || code === PG_GSSENC_REQUEST) {
          client.write('N');
          continue;
        }
        finish(pgErrorResponse(PG_SQLSTATE, reason));
        return;
      }
    });
  } else {
    client.destroy();
  }
  return closed;
}
