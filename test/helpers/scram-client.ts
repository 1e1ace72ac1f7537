// The client side of a SCRAM-SHA-256 exchange (RFC 5802 §3, RFC 7677), written from the RFC independently of
// src/domain/password-verifiers.ts, so that tests can check a stored verifier against a password.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export function scramClientProof(password: string, salt: Buffer, iterations: number, authMessage: string): { proof: Buffer; serverSignature: Buffer } {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { proof, serverSignature: createHmac('sha256', serverKey).update(authMessage).digest() };
}
