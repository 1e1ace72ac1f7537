// The admin login localrds keeps on each instance server: a random secret in the instance's directory (0600,
// never logged), handed to the server only as the engine's own verifier so that no statement or server log
// ever carries it in plain text.
import { randomBytes } from 'node:crypto';
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

export { mysqlNativeHash, scramSha256Verifier as scramVerifier } from '../domain/password-verifiers.js';
