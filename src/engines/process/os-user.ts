// The unprivileged system user an instance server runs as. localrds and CI run as root, PostgreSQL refuses
// root, and a database server has no business with root's rights anyway: when localrds is root, servers run as
// the `postgres` / `mysql` system user; otherwise as localrds's own user (nothing to switch).
import { chmod, chown, lstat, readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  /** False when localrds is not root: the server runs as localrds's own user. */
  switched: boolean;
}

/** The user to run as: `preferred` (postgres / mysql) when localrds is root, else the current user. */
export function serverUser(preferred: string): OsUser | { problem: string } {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { name: '(current user)', uid, gid: process.getgid?.() ?? 0, switched: false };
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[0] === preferred);
  const fields = line?.split(':');
  if (!fields || fields.length < 4) {
    return { problem: `localrds runs as root and there is no "${preferred}" system user to run the server as (create one, e.g. useradd --system ${preferred})` };
  }
  return { name: preferred, uid: Number(fields[2]), gid: Number(fields[3]), switched: true };
}

/** Gives the tree to the user (data directories are the server's own; PostgreSQL insists on 0700). */
export async function chownTree(path: string, user: OsUser): Promise<void> {
  if (!user.switched) return;
  await chown(path, user.uid, user.gid);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const name of await readdir(path)) await chownTree(join(path, name), user);
}

/**
 * Makes every ancestor of `path` traversable (search bit only, never read or write) by the server's user, so
 * that it can reach its data directory when the data dir lives under /root (0700) or a mkdtemp directory.
 * Only the execute bit for "others" is added, and only where it is missing: a directory's listing stays private.
 * Returns the directories changed, for the log.
 */
export async function ensureTraversable(path: string, user: OsUser): Promise<string[]> {
  if (!user.switched) return [];
  const changed: string[] = [];
  let dir = resolve(path);
  const chain: string[] = [];
  for (;;) {
    chain.push(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of chain.reverse()) {
    const st = await stat(d);
    if (st.uid === user.uid) continue;
    const othersX = (st.mode & 0o001) !== 0;
    const groupX = (st.mode & 0o010) !== 0 && st.gid === user.gid;
    if (othersX || groupX) continue;
    await chmod(d, (st.mode & 0o7777) | 0o001);
    changed.push(d);
  }
  return changed;
}
