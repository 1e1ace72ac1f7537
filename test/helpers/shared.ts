// Locates the project's shared/ folder (beside the checkout, in development and in CI).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findShared(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const cand = join(dir, 'shared', rel);
    if (existsSync(cand)) return cand;
    const local = join(dir, 'test', 'fixtures', 'shared', rel);
    if (existsSync(local)) return local;
    dir = resolve(dir, '..');
  }
  throw new Error(`shared/${rel} not found`);
}
