// The package as a stranger gets it: `npm pack`, `npm install <tarball>` into an empty directory (dependencies
// only, from the npm registry or its local cache), then `npx localrds serve` there answers a signed call from the
// official SDK with 200 and serves the explorer, whose browser code esbuild bundles at run time.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rdsClient, req } from './helpers/clients.js';
import { freePort } from './helpers/child-server.js';
import { randomPools } from './helpers/localrds.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The environment without npm's own variables (set when this runs under `npm test`), so the child npm acts fresh. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_TEST_CONTEXT'));
}

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 540_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm pack, npm install <tarball> in an empty dir, npx localrds serve: signed 200 and the explorer', { timeout: 600_000 }, async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.prepack, /npm run build/, 'npm pack builds first');
  assert.equal(pkg.dependencies.esbuild !== undefined, true, 'the explorer bundles at run time with esbuild, so it is a dependency');

  const dir = mkdtempSync(join(tmpdir(), 'localrds-pkg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // dist/ is already built by `npm test`; --ignore-scripts keeps prepack from rebuilding it under running tests.
  mkdirSync(join(dir, 'pack'));
  npm(['pack', '--ignore-scripts', '--pack-destination', join(dir, 'pack')], ROOT);
  const tarball = readdirSync(join(dir, 'pack'))[0] ?? '';
  assert.ok(tarball?.endsWith('.tgz'));

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'someone-elses-project', private: true }));
  npm(['install', join(dir, 'pack', tarball), '--no-audit', '--no-fund', '--prefer-offline'], app);
  const installed = join(app, 'node_modules');
  assert.ok(existsSync(join(installed, 'localrds', 'dist', 'src', 'index.js')), 'built files are in the package');
  assert.ok(!existsSync(join(installed, 'localrds', 'dist', 'test')), 'tests are not');
  for (const dev of ['typescript', '@alicloud/rds20140815', 'playwright-core']) assert.ok(!existsSync(join(installed, dev)), `${dev} (a devDependency) is not installed`);

  const port = await freePort();
  const pools = randomPools();
  const server = spawn('npx', ['--no-install', 'localrds', 'serve', '--port', String(port), '--no-tls', '--data-dir', join(app, '.localrds'),
    '--public-pool', pools.publicPool.text, '--private-pool', pools.privatePool.text, '--log-level', 'warn'], { cwd: app, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  server.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise((r) => server.once('exit', r));
  t.after(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      process.kill(-(server.pid as number), 'SIGTERM');
      await exited;
    }
  });
  for (let i = 0; ; i++) {
    assert.ok(server.exitCode === null, `npx localrds serve exited: ${out}`);
    assert.ok(i < 600, `npx localrds serve did not become healthy: ${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/_localrds/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(out, /localrds is ready/);
  const key = /AccessKey\s+(\S+)/.exec(out)?.[1] as string;
  const secret = /Secret\s+(\S+)/.exec(out)?.[1] as string;
  const c = rdsClient(`127.0.0.1:${port}`, { accessKeyId: key, accessKeySecret: secret }, { protocol: 'http' });
  const r = await c.describeDBInstances(req('DescribeDBInstances', { regionId: 'cn-hangzhou' }));
  assert.equal(r.statusCode, 200);
  assert.equal(r.body.totalRecordCount, 0);
  const js = await fetch(`http://127.0.0.1:${port}/explorer/app.js`);
  assert.equal(js.status, 200, 'the explorer bundles from the installed package');
  assert.ok((await js.text()).length > 1000);
  assert.equal((await fetch(`http://127.0.0.1:${port}/explorer/`)).status, 200);
});
