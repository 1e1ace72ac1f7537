// `localrds keys ...`: accounts and AccessKeys in the data dir (or --db). Works while the server runs.
import type { AccountId } from '../domain/types.js';
import { parsePolicy } from '../auth/policy.js';
import { createAccount, createKey } from '../runtime/accounts.js';
import { openStore } from '../store/open-store.js';
import { parseOrUsage, UsageError } from './usage.js';

export const KEYS_HELP = `localrds keys <command> [--data-dir DIR | --db URL]
  accounts                          list accounts
  create-account NAME               create an account, print its id
  delete-account ID                 delete an account (its keys too)
  list [--account ID]               list AccessKeys (secrets are not shown)
  create --account ID [--policy FILE]   create a key for an account, print id and secret once
  disable KEY | enable KEY | delete KEY
  (every command takes --help)`;

const NEEDS: Record<string, 'arg' | 'account'> = { 'create-account': 'arg', 'delete-account': 'arg', disable: 'arg', enable: 'arg', delete: 'arg', create: 'account' };
const COMMANDS = new Set(['accounts', 'create-account', 'delete-account', 'list', 'create', 'disable', 'enable', 'delete']);

export async function keys(argv: string[]): Promise<void> {
  const parsed = parseOrUsage(argv, { 'data-dir': { type: 'string' }, db: { type: 'string' }, account: { type: 'string' }, policy: { type: 'string' } }, KEYS_HELP, true);
  if (!parsed) return;
  const v = parsed.values as Record<string, string | undefined>;
  const p = parsed.positionals;
  if (p[0] === undefined || p[0] === 'help') { process.stdout.write(KEYS_HELP + '\n'); return; }
  // Checked before the store opens, so that a typo never creates a data dir.
  if (!COMMANDS.has(p[0])) throw new UsageError(`Unknown keys command '${p[0]}'`, KEYS_HELP);
  const needs = NEEDS[p[0]];
  if (needs === 'arg' && !p[1]) throw new UsageError(`${p[0]} takes ${p[0] === 'create-account' ? 'NAME' : p[0] === 'delete-account' ? 'ID' : 'KEY'}`, KEYS_HELP);
  if (needs === 'account' && !v.account) throw new UsageError('create takes --account ID', KEYS_HELP);
  const store = await openStore({ dataDir: v['data-dir'] ?? process.env.LOCALRDS_DATA_DIR ?? './.localrds', db: v.db ?? process.env.LOCALRDS_DB });
  const out = (s: string) => process.stdout.write(s + '\n');
  try {
    const [cmd, arg] = p;
    switch (cmd) {
      case 'accounts':
        for (const a of await store.read((r) => r.accounts.listAccounts())) out(`${a.id}\t${a.name}\t${a.createdAt}`);
        break;
      case 'create-account':
        if (!arg) throw new UsageError('create-account takes NAME', KEYS_HELP);
        out(await createAccount(store, arg));
        break;
      case 'delete-account':
        if (!arg) throw new UsageError('delete-account takes ID', KEYS_HELP);
        await store.tx(async (r) => {
          for (const k of await r.accounts.listKeys(arg as AccountId)) await r.accounts.deleteKey(k.accessKeyId);
          await r.accounts.deleteAccount(arg as AccountId);
        });
        break;
      case 'list':
        for (const k of await store.read((r) => r.accounts.listKeys(v.account as AccountId | undefined))) {
          out(`${k.accessKeyId}\t${k.accountId}\t${k.status}\t${k.policy ? 'policy' : 'full-access'}\t${k.createdAt}`);
        }
        break;
      case 'create': {
        if (!v.account) throw new UsageError('create takes --account ID', KEYS_HELP);
        const { readFileSync } = await import('node:fs');
        const policy = v.policy ? readFileSync(v.policy, 'utf8') : null;
        if (policy) parsePolicy(policy);
        const k = await createKey(store, v.account as AccountId, policy);
        out(`AccessKeyId     ${k.accessKeyId}\nAccessKeySecret ${k.secret}`);
        break;
      }
      case 'disable': case 'enable': case 'delete': {
        if (!arg) throw new UsageError(`${cmd} takes KEY`, KEYS_HELP);
        await store.tx(async (r) => {
          const k = await r.accounts.getKey(arg);
          if (!k) throw new Error(`no key ${arg}`);
          if (cmd === 'delete') await r.accounts.deleteKey(arg);
          else await r.accounts.putKey({ ...k, status: cmd === 'disable' ? 'Inactive' : 'Active' });
        });
        break;
      }
      default:
        throw new UsageError(`Unknown keys command '${String(cmd)}'`, KEYS_HELP);
    }
  } finally {
    await store.close();
  }
}
