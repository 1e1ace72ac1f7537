// Password verifiers: what the store keeps instead of a password, in the exact form each engine accepts in
// CREATE USER / ALTER USER, so that the engine reconciler can re-apply an account after a crash or on a fresh
// server without ever knowing the password. Pure functions over node:crypto.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * MySQL/MariaDB mysql_native_password: '*' + upper-case hex of SHA1(SHA1(password)), as PASSWORD() returns it and
 * `IDENTIFIED BY PASSWORD '<hash>'` (MariaDB) / `IDENTIFIED WITH mysql_native_password AS '<hash>'` (MySQL) take it.
 */
export function mysqlNativeHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return '*' + createHash('sha1').update(once).digest('hex').toUpperCase();
}

export const SCRAM_ITERATIONS = 4096;

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

/**
 * PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802 with SHA-256, RFC 7677), in the text form pg_authid.rolpassword
 * holds and `CREATE ROLE ... PASSWORD '<verifier>'` accepts: `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`
 * (standard base64). PostgreSQL SASLpreps the password first; that is the identity on the printable ASCII that
 * the RDS password rules allow, so none is done here.
 */
export function scramSha256Verifier(password: string, opts: { salt?: Buffer; iterations?: number } = {}): string {
  const salt = opts.salt ?? randomBytes(16);
  const iterations = opts.iterations ?? SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const storedKey = sha256(hmac(salted, 'Client Key'));
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const SCRAM_TEXT = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** The parts of a verifier in PostgreSQL's text form, or undefined when it is not one. */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const m = SCRAM_TEXT.exec(text);
  if (!m) return undefined;
  const [, iter, salt, stored, server] = m as unknown as [string, string, string, string, string];
  const v = { iterations: Number(iter), salt: Buffer.from(salt, 'base64'), storedKey: Buffer.from(stored, 'base64'), serverKey: Buffer.from(server, 'base64') };
  return v.storedKey.length === 32 && v.serverKey.length === 32 && v.iterations > 0 ? v : undefined;
}

/**
 * The server side of a SCRAM exchange, from the verifier alone (RFC 5802 §3): recovers ClientKey from the proof,
 * checks that its hash is StoredKey, and returns the ServerSignature the server would send, or undefined when
 * the proof is wrong.
 */
export function scramCheckProof(verifier: ScramVerifier, authMessage: string, clientProof: Buffer): Buffer | undefined {
  const signature = hmac(verifier.storedKey, authMessage);
  if (clientProof.length !== signature.length) return undefined;
  const clientKey = Buffer.alloc(signature.length);
  for (let i = 0; i < signature.length; i++) clientKey[i] = (clientProof[i] ?? 0) ^ (signature[i] ?? 0);
  if (!timingSafeEqual(sha256(clientKey), verifier.storedKey)) return undefined;
  return hmac(verifier.serverKey, authMessage);
}
