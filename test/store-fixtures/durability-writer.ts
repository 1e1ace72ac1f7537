// Child process of store-durability.test.ts: opens the store given on the command line and commits one
// instance per tx forever, writing each id to stdout only after its tx() resolved. The parent kills it with
// SIGKILL and checks that every id it saw is in the store.
//   node durability-writer.js sqlite <file>
//   node durability-writer.js postgres <url> <schema>
import { writeSync } from 'node:fs';
import type { StateStore } from '../../src/store/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { instance } from './records.js';

async function open(argv: string[]): Promise<StateStore> {
  const [kind, where, schema] = argv;
  if (kind === 'sqlite' && where) return openSqliteStore({ file: where });
  if (kind === 'postgres' && where) return openPostgresStore({ url: where, schema });
  throw new Error(`usage: durability-writer sqlite <file> | postgres <url> <schema>; got ${argv.join(' ')}`);
}

const store = await open(process.argv.slice(2));
writeSync(1, 'ready\n');
for (let i = 0; ; i++) {
  const id = `rm-dur-${String(i).padStart(6, '0')}`;
  await store.tx(async (r) => {
    await r.instances.insert(instance('a1', id));
    await r.audit.append({ time: new Date().toISOString(), requestId: id, accountId: 'a1', accessKeyId: 'k', action: 'CreateDBInstance', instanceId: id, result: 'OK' });
  });
  // Synchronous write: once the parent can read the id, the commit that preceded it has returned.
  writeSync(1, `${id}\n`);
}
