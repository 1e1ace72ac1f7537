// What a start no longer does, and that the work it put off still happens when needed: a server binary's
// --version output is reused only while the binary is the same file (src/engines/probe-cache.ts); the data
// plane's worker thread starts with the first endpoint, not before; `localrds serve` loads a handful of
// JavaScript files (the bundle's entry and shared chunks), not the engines' drivers, pg, prom-client or the
// data plane worker, until something needs them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createThreadedDataPlane } from '../src/dataplane/threaded-data-plane.js';
import { createStaticDesiredState } from '../src/dataplane/static-desired-state.js';
import { versionOutput } from '../src/engines/probe-cache.js';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { BIN, freePort } from './helpers/child-server.js';
import { pickPort } from './helpers/ports.js';

test('a binary\'s --version output is cached while the file is unchanged, and probed again once it changes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, LOCALRDS_CACHE_DIR: join(dir, 'cache') };
  const bin = join(dir, 'fake-server');
  const runs = join(dir, 'runs');
  writeFileSync(runs, '');
  const script = (version: string) => `#!/bin/sh\necho x >> '${runs}'\necho "fake-server Ver ${version}"\n`;
  writeFileSync(bin, script('1.2.3'));
  chmodSync(bin, 0o755);
  const ran = () => readFileSync(runs, 'utf8').split('\n').filter(Boolean).length;

  assert.equal(versionOutput(bin, ['--version'], env), 'fake-server Ver 1.2.3\n');
  assert.equal(ran(), 1);
  assert.equal(versionOutput(bin, ['--version'], env), 'fake-server Ver 1.2.3\n', 'the same output from the cache');
  assert.equal(ran(), 1, 'without running the binary again');
  assert.ok(readdirSync(join(dir, 'cache')).includes('server-versions.json'));

  // An upgrade: a different file (here the same path with new content) is run again.
  writeFileSync(bin, script('1.2.40'));
  assert.equal(versionOutput(bin, ['--version'], env), 'fake-server Ver 1.2.40\n');
  assert.equal(ran(), 2);

  // A binary that fails is reported as before and never cached.
  const broken = join(dir, 'broken-server');
  writeFileSync(broken, `#!/bin/sh\necho x >> '${runs}'\nexit 3\n`);
  chmodSync(broken, 0o755);
  assert.throws(() => versionOutput(broken, ['--version'], env), /Command failed|status 3/);
  assert.throws(() => versionOutput(broken, ['--version'], env));
  assert.equal(ran(), 4, 'a failing binary runs every time');

  // An unwritable cache only means the binary runs.
  const notADir = join(dir, 'a-file');
  writeFileSync(notADir, '');
  const noCache = { ...process.env, LOCALRDS_CACHE_DIR: join(notADir, 'cache') };
  assert.equal(versionOutput(bin, ['--version'], noCache), 'fake-server Ver 1.2.40\n');
});

/** Threads of this process right now (each worker thread is at least one). */
async function threads(): Promise<number> {
  return (await readdir('/proc/self/task')).length;
}

test('the data plane starts its worker thread with the first endpoint to serve, not before', async (t) => {
  // The libuv pool starts on first use; use it first so that its threads do not count below.
  await readdir(tmpdir());
  const desired = createStaticDesiredState();
  const plane = createThreadedDataPlane({
    load: desired.load, backends: {}, logger: { info() {}, warn() {}, error() {} }, retryMs: 100,
    async reportBindError() {},
  });
  t.after(() => plane.close());
  const before = await threads();
  await plane.reconcile();
  await plane.reconcile({ instanceId: 'rm-none' });
  await plane.closeUndesired({}, { endpoints: [], groups: [], engines: {}, targets: {} });
  assert.equal(await threads(), before, 'no endpoint: no worker thread');
  assert.deepEqual(plane.live(), []);
  assert.equal(plane.stats().listeners, 0);

  // The first endpoint starts the worker, which binds it; removing it later keeps the worker.
  const address = `127.${randomInt(150, 200)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  const ep: EndpointRecord = {
    accountId: 'acc-lazy' as AccountId, instanceId: 'rm-lazy' as InstanceId, connectionString: 'rm-lazy.rds.localrds.test',
    ipType: 'Public', address, port: await pickPort(address), createdAt: '2026-01-01T00:00:00Z', bindError: '',
  };
  desired.state = { endpoints: [ep], groups: [], engines: { 'rm-lazy': 'MySQL' } };
  // Inside the transaction that adds it (beforeCommit), the first endpoint boots the worker; nothing is bound yet.
  await plane.closeUndesired({ instanceId: 'rm-lazy' }, await desired.load({ instanceId: 'rm-lazy' }));
  assert.ok((await threads()) > before, 'a worker thread once an endpoint is on its way');
  assert.deepEqual(plane.live(), []);
  await plane.reconcile();
  assert.deepEqual(plane.live().map((l) => [l.connectionString, l.listening]), [[ep.connectionString, true]]);
  assert.equal(plane.stats().listeners, 1);
  desired.state = { endpoints: [], groups: [], engines: {} };
  await plane.reconcile();
  assert.equal(plane.stats().listeners, 0, 'and the worker closes it when it goes');
});

test('localrds serve reaches health 200 having loaded a handful of JavaScript files, none of the lazy ones', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-lazy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A loader hook that reports every file module this process loads.
  const hook = join(dir, 'hook.mjs');
  writeFileSync(hook, [
    "import { register } from 'node:module';",
    "register('data:text/javascript,' + encodeURIComponent(`export async function load(url, c, next) { if (url.startsWith('file:')) process._rawDebug('LOADED ' + url); return next(url, c); }`));",
  ].join('\n'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', hook, BIN, 'serve', '--port', String(port), '--data-dir', join(dir, 'data'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  child.stdout.resume();
  t.after(() => { child.kill('SIGKILL'); });
  const health = () => new Promise<number>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/_localrds/health', agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on('error', () => resolve(0));
  });
  for (let i = 0; (await health()) !== 200; i++) {
    assert.ok(i < 1000 && child.exitCode === null, `not healthy: ${err.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const loaded = [...err.matchAll(/^LOADED file:\/\/(.+)$/gm)].map((m) => m[1] as string);
  const bundled = loaded.filter((f) => f.includes('/dist/bundle/'));
  assert.ok(bundled.length > 0, `the bundle is what runs (${loaded.length} files, from ${loaded[1] ?? loaded[0]})`);
  assert.ok(loaded.length <= 8, `a handful of files, not ${loaded.length}: ${loaded.join(', ')}`);
  assert.ok(!loaded.some((f) => f.endsWith('dataplane-worker.js')), 'no worker thread for an empty store');
  // Lazily loaded chunks have the names of their entry modules; none of them ran.
  for (const name of ['promise-', 'prom-client-', 'postgres-store-', 'dns-server-', 'apply-', 'bus-']) {
    assert.ok(!bundled.some((f) => f.split('/').pop()?.startsWith(name)), `${name}* not loaded: ${bundled.join(', ')}`);
  }
  // What was put off still works on first use: a scrape loads prom-client.
  const metrics = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  assert.match(metrics, /localrds_api_requests_total/);
});
