// The localrds command: serve | keys | hosts | audit.
import { openStore } from '../store/open-store.js';
import { formatHostsLines } from '../dataplane/hosts.js';
import { keys, KEYS_HELP } from './keys.js';
import { serve, SERVE_HELP } from './serve.js';
import { parseArgs } from 'node:util';

const HELP = `localrds: a local Alibaba Cloud RDS OpenAPI (2014-08-15) with real database endpoints

${SERVE_HELP}

${KEYS_HELP}

localrds hosts [--data-dir DIR | --db URL]    /etc/hosts lines for every connection string
localrds audit [--data-dir DIR | --db URL] [--account ID] [--limit N]   state-changing calls, newest first`;

async function withStore<T>(argv: string[], fn: (s: Awaited<ReturnType<typeof openStore>>, v: Record<string, string | undefined>) => Promise<T>): Promise<T> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, db: { type: 'string' }, account: { type: 'string' }, limit: { type: 'string' } } });
  const store = await openStore({ dataDir: values['data-dir'] ?? process.env.LOCALRDS_DATA_DIR ?? './.localrds', db: values.db ?? process.env.LOCALRDS_DB });
  try { return await fn(store, values); } finally { await store.close(); }
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': return serve(rest);
    case 'keys': return keys(rest);
    case 'hosts':
      return withStore(rest, async (s) => { process.stdout.write(formatHostsLines(await s.read((r) => r.endpoints.listAll()))); });
    case 'audit':
      return withStore(rest, async (s, v) => {
        const rows = await s.read((r) => r.audit.list({ accountId: v.account, limit: Number(v.limit ?? 100) }));
        for (const a of rows) process.stdout.write(`${a.time}\t${a.requestId}\t${a.accountId}\t${a.accessKeyId}\t${a.action}\t${a.instanceId}\t${a.result}\n`);
      });
    default:
      process.stdout.write(HELP + '\n');
      if (cmd && cmd !== 'help' && cmd !== '--help') process.exitCode = 2;
  }
}
