// The command line as a newcomer meets it: --help on every command and keys subcommand, --version, and an
// unknown flag or command refused with the usage text on stderr and exit code 2 (nothing started, nothing created).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN } from './helpers/child-server.js';
import { serveOptions } from '../src/cli/serve.js';

const cli = (args: string[], cwd?: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };

test('--version prints the package version', () => {
  for (const flag of ['--version', '-v']) {
    const r = cli([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), `localrds ${pkg.version}`);
  }
});

test('--help on every command prints its usage and exits 0', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--help'], /localrds serve \[options\][\s\S]*localrds keys <command>[\s\S]*localrds hosts[\s\S]*localrds audit/],
    [['serve', '--help'], /--metrics-public/],
    [['serve', '-h'], /--public-pool CIDR/],
    [['keys', '--help'], /create-account NAME/],
    [['keys', 'create', '--help'], /create --account ID/],
    [['keys', 'list', '-h'], /list \[--account ID\]/],
    [['hosts', '--help'], /\/etc\/hosts lines/],
    [['audit', '--help'], /--limit N/],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'localrds-cli-help-'));
  try {
    for (const [args, usage] of cases) {
      const r = cli(args, dir);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.match(r.out, usage, args.join(' '));
      assert.equal(r.err, '', args.join(' '));
    }
    // Help never opens a store: no data dir appears where it was asked for.
    assert.equal(existsSync(join(dir, '.localrds')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown flags and commands are refused with the usage text and exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-cli-bad-'));
  try {
    const cases: Array<[string[], RegExp, RegExp]> = [
      [['serve', '--prot', '8484'], /Unknown option '--prot'/, /localrds serve \[options\]/],
      [['keys', 'list', '--acount', 'x'], /Unknown option '--acount'/, /localrds keys <command>/],
      [['keys', 'lsit'], /Unknown keys command 'lsit'/, /localrds keys <command>/],
      [['keys', 'create'], /create takes --account ID/, /localrds keys <command>/],
      [['hosts', '--all'], /Unknown option '--all'/, /localrds hosts/],
      [['audit', '--limit', 'ten'], /--limit takes a whole number/, /localrds audit/],
      [['serve', '--port', 'http'], /--port takes a whole number/, /localrds serve/],
      [['serve', '--backend', 'mysql'], /--backend takes ENGINE=HOST:PORT/, /localrds serve/],
      [['serve', '--public-pool', '127.64.0.0'], /--public-pool: not a usable IPv4 CIDR block/, /localrds serve/],
      [['serv'], /Unknown command 'serv'/, /localrds serve \[options\]/],
      [['--verbose'], /Unknown option '--verbose'/, /localrds --version/],
    ];
    for (const [args, message, usage] of cases) {
      const r = cli(args, dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, message, args.join(' '));
      assert.match(r.err, usage, args.join(' '));
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
    assert.equal(existsSync(join(dir, '.localrds')), false, 'a refused command creates nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--metrics-public and LOCALRDS_METRICS_PUBLIC open /metrics beyond loopback', () => {
  assert.equal(serveOptions([], {}).metricsPublic, false);
  assert.equal(serveOptions(['--metrics-public'], {}).metricsPublic, true);
  assert.equal(serveOptions([], { LOCALRDS_METRICS_PUBLIC: '1' }).metricsPublic, true);
});
