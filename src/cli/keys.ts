// `localrds keys ...`: accounts and AccessKeys in the data dir (or --db). Works while the server runs.
import { parseArgs } from 'node:util';
import type { AccountId } from '../domain/types.js';
import { parsePolicy } from '../auth/policy.js';
import { createAccount, createKey } from '../runtime/accounts.js';
import { openStore } from '../store/open-store.js';

export const KEYS_HELP = `localrds keys <command> [--data-dir DIR | --db URL]
  accounts                          list accounts
  create-account NAME               create an account, print its id
  delete-account ID                 delete an account (its keys too)
  list [--account ID]               list AccessKeys (secrets are not shown)
  create --account ID [--policy FILE]   create a key for an account, print id and secret once
  disable KEY | enable KEY | delete KEY`;

export async function keys(argv: string[]): Promise<void> {
  const { values: v, positionals: p } = parseArgs({
    args: argv, allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, db: { type: 'string' }, account: { type: 'string' }, policy: { type: 'string' } },
  });
  const store = await openStore({ dataDir: v['data-dir'] ?? process.env.LOCALRDS_DATA_DIR ?? './.localrds', db: v.db ?? process.env.LOCALRDS_DB });
  const out = (s: string) => process.stdout.write(s + '\n');
  try {
    const [cmd, arg] = p;
    switch (cmd) {
      case 'accounts':
        for (const a of await store.read((r) => r.accounts.listAccounts())) out(`${a.id}\t${a.name}\t${a.createdAt}`);
        break;
      case 'create-account':
        if (!arg) throw new Error('create-account NAME');
        out(await createAccount(store, arg));
        break;
      case 'delete-account':
        if (!arg) throw new Error('delete-account ID');
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
        if (!v.account) throw new Error('create --account ID');
        const { readFileSync } = await import('node:fs');
        const policy = v.policy ? readFileSync(v.policy, 'utf8') : null;
        if (policy) parsePolicy(policy);
        const k = await createKey(store, v.account as AccountId, policy);
        out(`AccessKeyId     ${k.accessKeyId}\nAccessKeySecret ${k.secret}`);
        break;
      }
      case 'disable': case 'enable': case 'delete': {
        if (!arg) throw new Error(`${cmd} KEY`);
        await store.tx(async (r) => {
          const k = await r.accounts.getKey(arg);
          if (!k) throw new Error(`no key ${arg}`);
          if (cmd === 'delete') await r.accounts.deleteKey(arg);
          else await r.accounts.putKey({ ...k, status: cmd === 'disable' ? 'Inactive' : 'Active' });
        });
        break;
      }
      default:
        out(KEYS_HELP);
    }
  } finally {
    await store.close();
  }
}
