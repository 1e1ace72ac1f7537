// The floor under an Allocate+Release cycle, run as its own pinned process: the work a cycle cannot avoid,
// done directly: two durable commits (one row written, then removed) and one listener bound and closed.
// No HTTP, no signature, no Kysely, no reconciler. Usage: bare-writes.js sqlite DIR MS | postgres URL MS.
// Prints one JSON line: { cycles, seconds }.
import net from 'node:net';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

const ADDRESS = '127.254.0.1';

function listenClose(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: ADDRESS, port, exclusive: true }, () => s.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const [kind, where, msText] = process.argv.slice(2);
  const ms = Number(msText);
  let cycle: (i: number) => Promise<void>;
  let close = async (): Promise<void> => undefined;
  if (kind === 'sqlite') {
    const db = new BetterSqlite3(join(where as string, 'floor.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table if not exists endpoints (cs text primary key, address text not null, port integer not null)');
    const ins = db.prepare('insert into endpoints values (?, ?, ?)');
    const del = db.prepare('delete from endpoints where cs = ?');
    cycle = async (i) => {
      db.exec('begin immediate'); ins.run(`e${i}`, ADDRESS, 3306); db.exec('commit');
      await listenClose(3306);
      db.exec('begin immediate'); del.run(`e${i}`); db.exec('commit');
    };
    close = async () => { db.close(); };
  } else {
    const client = new pg.Client({ connectionString: where });
    await client.connect();
    await client.query('create temporary table endpoints (cs text primary key, address text not null, port integer not null)');
    const txn = async (text: string, values: unknown[]): Promise<void> => {
      await client.query('begin isolation level serializable');
      await client.query(text, values);
      await client.query('commit');
    };
    cycle = async (i) => {
      await txn('insert into endpoints values ($1, $2, $3)', [`e${i}`, ADDRESS, 3306]);
      await listenClose(3306);
      await txn('delete from endpoints where cs = $1', [`e${i}`]);
    };
    close = () => client.end();
  }
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) await cycle(n++);
  const seconds = (performance.now() - t0) / 1000;
  await close();
  process.stdout.write(JSON.stringify({ cycles: n, seconds }) + '\n');
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
