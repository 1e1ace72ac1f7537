// The admin login localrds keeps on each instance server: a random secret in the instance's directory (0600,
// never logged), handed to the server only as the engine's own verifier so that no statement or server log
// ever carries it in plain text.
import { createHash, pbkdf2Sync, randomBytes, createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export const ADMIN_SECRET_FILE = 'admin.secret';

export async function readOrCreateSecret(path: string): Promise<{ secret: string; created: boolean }> {
  try {
    const s = (await readFile(path, 'utf8')).trim();
    if (s.length >= 16) return { secret: s, created: false };
  } catch {
    // none yet
  }
  const secret = randomBytes(24).toString('base64url');
  await writeFile(path, secret + '\n', { mode: 0o600 });
  return { secret, created: true };
}

/** mysql_native_password's stored form: '*' + upper hex SHA1(SHA1(password)). */
export function mysqlNativeHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return '*' + createHash('sha1').update(once).digest('hex').toUpperCase();
}

/** PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802/7677), the form pg_authid keeps and CREATE ROLE accepts. */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
