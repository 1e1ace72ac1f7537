#!/usr/bin/env node
// Runs every test (compiled to dist/ by `npm test`) with node's test runner, after checking that the
// databases the tests use are reachable, so that a missing service fails with a clear message.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const services = [
  ['PostgreSQL', '127.0.0.1', 5432, 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'],
  ['MariaDB', '127.0.0.1', 3306, 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd'],
];

function reachable(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

for (const [name, host, port, hint] of services) {
  if (!(await reachable(host, port))) {
    process.stderr.write(`${name} is not reachable on ${host}:${port}; the tests need it. Start it with:\n  ${hint}\n`);
    process.exit(1);
  }
}

// Only *.test.js files: node's runner would otherwise also run every helper under a test/ folder.
const all = ['dist/test', 'dist/src']
  .flatMap((d) => readdirSync(d, { recursive: true }).map((f) => join(d, String(f))))
  .filter((f) => f.endsWith('.test.js'))
  .sort();
const wanted = process.argv.slice(2);
const files = wanted.length ? all.filter((f) => wanted.some((w) => f.includes(w))) : all;
const args = ['--test', '--test-concurrency=2', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
