// The localrds command: serve | keys | hosts | audit, plus --help and --version.
import { openStore } from '../store/open-store.js';
import { formatHostsLines } from '../dataplane/hosts.js';
import { keys, KEYS_HELP } from './keys.js';
import { serve, SERVE_HELP } from './serve.js';
import { packageVersion, parseOrUsage, UsageError } from './usage.js';

export const HOSTS_HELP = `localrds hosts [--data-dir DIR | --db URL]    /etc/hosts lines for every connection string`;
export const NODES_HELP = `localrds nodes [--data-dir DIR | --db URL] [--json]   the nodes sharing the store: state, zone, API URL,
                         lease left, load, and the endpoints each serves`;
export const AUDIT_HELP = `localrds audit [--data-dir DIR | --db URL] [--account ID] [--limit N]   state-changing calls, newest first`;

export const HELP = `localrds: a local Alibaba Cloud RDS OpenAPI (2014-08-15) with real database endpoints

localrds --version | --help | <command> --help

${SERVE_HELP}

${KEYS_HELP}

${HOSTS_HELP}
${AUDIT_HELP}
${NODES_HELP}`;

const STORE_FLAGS = { 'data-dir': { type: 'string' }, db: { type: 'string' } } as const;

async function withStore(argv: string[], usage: string, extra: Record<string, { type: 'string' } | { type: 'boolean' }>, fn: (s: Awaited<ReturnType<typeof openStore>>, v: Record<string, string | undefined>) => Promise<void>): Promise<void> {
  const parsed = parseOrUsage(argv, { ...STORE_FLAGS, ...extra }, usage);
  if (!parsed) return;
  const v = parsed.values as Record<string, string | undefined>;
  // Checked before the store opens, so that a typo never creates a data dir.
  if (v.limit !== undefined && !/^\d+$/.test(v.limit)) throw new UsageError('--limit takes a whole number', usage);
  const store = await openStore({ dataDir: v['data-dir'] ?? process.env.LOCALRDS_DATA_DIR ?? './.localrds', db: v.db ?? process.env.LOCALRDS_DB });
  try { await fn(store, v); } finally { await store.close(); }
}

async function dispatch(cmd: string | undefined, rest: string[]): Promise<void> {
  switch (cmd) {
    case 'serve': return serve(rest);
    case 'keys': return keys(rest);
    case 'hosts':
      return withStore(rest, HOSTS_HELP, {}, async (s) => { process.stdout.write(formatHostsLines(await s.read((r) => r.endpoints.listAll()))); });
    case 'nodes':
      return withStore(rest, NODES_HELP, { json: { type: 'boolean' } }, async (s, v) => {
        const { describeNodes, formatNodes } = await import('../cluster/nodes-view.js');
        const nodes = await describeNodes(s);
        process.stdout.write((v.json as unknown) === true ? JSON.stringify({ Nodes: nodes }) + '\n' : formatNodes(nodes));
      });
    case 'audit':
      return withStore(rest, AUDIT_HELP, { account: { type: 'string' }, limit: { type: 'string' } }, async (s, v) => {
        const rows = await s.read((r) => r.audit.list({ accountId: v.account, limit: Number(v.limit ?? 100) }));
        for (const a of rows) process.stdout.write(`${a.time}\t${a.requestId}\t${a.accountId}\t${a.accessKeyId}\t${a.action}\t${a.instanceId}\t${a.result}\n`);
      });
    case '--version': case '-v': case 'version':
      process.stdout.write(`localrds ${packageVersion()}\n`);
      return;
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(HELP + '\n');
      return;
    default:
      throw new UsageError(cmd.startsWith('-') ? `Unknown option '${cmd}'` : `Unknown command '${cmd}'`, HELP);
  }
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    await dispatch(cmd, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`localrds: ${e.message}\n\n${e.usage}\n`);
    process.exitCode = 2;
  }
}
