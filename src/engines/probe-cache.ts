// What `<server binary> --version` printed, remembered per binary file, so that a start does not run mariadbd
// and postgres only to read their versions again (two or three process spawns, a large share of a start).
// An entry holds while the file is the same one: same resolved path, device, inode, size, modification and
// change times; an upgrade or any replacement of the binary changes one of them and the next start runs it
// again. Kept per OS user in $XDG_CACHE_HOME/localrds (~/.cache/localrds), or LOCALRDS_CACHE_DIR; a cache that
// cannot be read or written only means the binary runs, as it did without one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

interface Entry {
  /** dev:ino:size:mtimeMs:ctimeMs of the resolved file. */
  id: string;
  out: string;
}

type CacheFile = Record<string, Entry>;

export function probeCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.LOCALRDS_CACHE_DIR ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'localrds');
  return join(dir, 'server-versions.json');
}

let memo: { file: string; data: CacheFile } | undefined;

function load(file: string): CacheFile {
  if (memo?.file === file) return memo.data;
  let data: CacheFile = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as CacheFile;
  } catch {
    // missing or unreadable: start empty
  }
  memo = { file, data };
  return data;
}

function save(file: string, data: CacheFile): void {
  try {
    // Two levels by hand, not { recursive: true }: that loops forever on some paths (under /proc, for one).
    const dir = dirname(file);
    for (const d of [dirname(dir), dir]) {
      try {
        mkdirSync(d, { mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    // Written whole under another name and renamed: a concurrent start never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // read-only home or no home: the next start runs the binary again
  }
}

function fileId(path: string): { real: string; id: string } | undefined {
  try {
    const real = realpathSync(path);
    const s = statSync(real);
    return { real, id: `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` };
  } catch {
    return undefined;
  }
}

/**
 * `binary args...`'s standard output (as execFileSync with utf8 would return it), from the cache when the file
 * is unchanged since it was run. Throws what execFileSync throws when the binary fails (never cached).
 */
export function versionOutput(binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const file = probeCacheFile(env);
  const f = fileId(binary);
  const key = `${f?.real ?? binary} ${args.join(' ')}`;
  const data = load(file);
  const hit = data[key];
  if (f && hit && hit.id === f.id && typeof hit.out === 'string') return hit.out;
  const out = execFileSync(binary, args, { encoding: 'utf8' });
  if (f) {
    data[key] = { id: f.id, out };
    save(file, data);
  }
  return out;
}
