// A throwaway PostgreSQL 15 server that demands SCRAM-SHA-256 passwords (the machine's 5432 server trusts
// everyone, so it cannot tell a right password from a wrong one). initdb and postgres run as the unprivileged
// `postgres` system user in a temp dir, on a free loopback port; stop() ends that one process and removes the dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pickPort } from './ports.js';

export const PG15_BIN = '/usr/lib/postgresql/15/bin';

export interface ThrowawayPostgres {
  port: number;
  superuser: string;
  superPassword: string;
  /** Runs one statement as the superuser (password login over TCP). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  /** Tries a password login over TCP; resolves 'ok' or the server's error code (28P01 for a wrong password). */
  login(user: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no system user ${name}`);
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const owner = systemUser('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'localrds-scram-'));
  let proc: ChildProcess | undefined;
  const cleanup = async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc?.once('exit', resolve));
      proc.kill('SIGINT'); // fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    chownSync(dir, owner.uid, owner.gid);
    const superPassword = randomBytes(12).toString('hex');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, superPassword);
    chownSync(pwfile, owner.uid, owner.gid);
    const data = join(dir, 'data');
    const init = spawnSync(join(PG15_BIN, 'initdb'), ['-D', data, '-A', 'scram-sha-256', '-U', 'postgres', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], {
      ...owner, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' }, encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const port = await pickPort('127.0.0.1');
    proc = spawn(join(PG15_BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=20'], { ...owner, cwd: dir, stdio: 'ignore', env: { LC_ALL: 'C' } });
    const connect = async (user: string, password: string) => {
      const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
      await c.connect();
      return c;
    };
    const login = async (user: string, password: string) => {
      try {
        const c = await connect(user, password);
        await c.end();
        return 'ok';
      } catch (e) {
        return String((e as { code?: unknown }).code ?? (e as Error).message);
      }
    };
    for (let attempt = 0; ; attempt++) {
      const r = await login('postgres', superPassword);
      if (r === 'ok') break;
      if (attempt > 300 || proc.exitCode !== null) throw new Error(`throwaway postgres did not start: ${r}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    return {
      port, superuser: 'postgres', superPassword, login,
      query: async (text, values) => {
        const c = await connect('postgres', superPassword);
        try { return await c.query(text, values); } finally { await c.end(); }
      },
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
