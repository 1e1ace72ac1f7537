#!/usr/bin/env node
// Runs the tests (compiled to dist/ by `npm test`) with node's test runner. First it brings up what they need on
// a fresh machine of this kind, the same way .ci/run does, so that `npm ci && npm test` is all a newcomer types:
// PostgreSQL on 127.0.0.1:5432 and MariaDB on 127.0.0.1:3306 are started when they are down (each runs as its own
// unprivileged system user), and Debian's chromium is installed with apt-get for the explorer's browser test
// when it is missing and we are root. Never a browser downloaded by a tool.
//   node scripts/run-tests.js [substring...]   only the test files whose path contains one of the substrings
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const services = [
  { name: 'PostgreSQL', host: '127.0.0.1', port: 5432, start: 'pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start' },
  { name: 'MariaDB', host: '127.0.0.1', port: 3306, start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' },
];
const CHROMIUM = process.env.LOCALRDS_CHROMIUM ?? '/usr/bin/chromium';

function reachable(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => { s.destroy(); resolve(false); });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function waitReachable(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const fail = (msg) => { process.stderr.write(`${msg}\n`); process.exit(1); };
const sh = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'inherit', 'inherit'] });

for (const s of services) {
  if (await reachable(s.host, s.port)) continue;
  process.stderr.write(`${s.name} is not reachable on ${s.host}:${s.port}; starting it: ${s.start}\n`);
  sh(s.start);
  if (!(await waitReachable(s.host, s.port, 30))) {
    fail(`${s.name} still does not answer on ${s.host}:${s.port}; the tests need it. Start it by hand with:\n  ${s.start}`);
  }
}

// Only *.test.js files: node's runner would otherwise also run every helper under a test/ folder.
const all = ['dist/test', 'dist/src']
  .flatMap((d) => readdirSync(d, { recursive: true }).map((f) => join(d, String(f))))
  .filter((f) => f.endsWith('.test.js'))
  .sort();
const wanted = process.argv.slice(2);
const files = wanted.length ? all.filter((f) => wanted.some((w) => f.includes(w))) : all;

if (files.some((f) => f.includes('explorer-browser')) && !existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    fail(`Chromium is missing at ${CHROMIUM} (the explorer's browser test needs it). As root: apt-get install -y chromium, or set LOCALRDS_CHROMIUM.`);
  }
  process.stderr.write(`installing Debian's chromium for the explorer's browser test\n`);
  const r = sh('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null');
  if (r.status !== 0 || !existsSync(CHROMIUM)) fail('apt-get could not install chromium; install it by hand (apt-get install -y chromium).');
}

const args = ['--test', '--test-concurrency=2', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
