// Shared-server mode: which instance created each account and database on the --backend server, so that a
// reconcile drops only what localrds made for that instance and never the server's other users or databases.
// A name is recorded before it is created, so a crash in between leaves at most a record of nothing.
import { readFile, rename, writeFile } from 'node:fs/promises';

type Kind = 'account' | 'database';

export interface SharedLedger {
  owner(kind: Kind, name: string): string | undefined;
  /** Whether any name on the server belongs to this instance. */
  holds(instanceId: string): boolean;
  record(kind: Kind, name: string, instanceId: string): Promise<void>;
  forget(kind: Kind, name: string): Promise<void>;
}

export async function sharedLedger(file: string): Promise<SharedLedger> {
  let data: Record<Kind, Record<string, string>> = { account: {}, database: {} };
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as typeof data;
    data = { account: parsed.account ?? {}, database: parsed.database ?? {} };
  } catch {
    // no ledger yet
  }
  let writing = Promise.resolve();
  const save = () => {
    writing = writing.then(async () => {
      await writeFile(`${file}.tmp`, JSON.stringify(data), { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    });
    return writing;
  };
  return {
    owner: (kind, name) => data[kind][name],
    holds: (instanceId) => Object.values(data.account).includes(instanceId) || Object.values(data.database).includes(instanceId),
    async record(kind, name, instanceId) {
      if (data[kind][name] === instanceId) return;
      data[kind][name] = instanceId;
      await save();
    },
    async forget(kind, name) {
      if (!(name in data[kind])) return;
      delete data[kind][name];
      await save();
    },
  };
}
