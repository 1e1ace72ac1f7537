// openStore's choice of implementation: PostgreSQL for postgres:// and postgresql:// URLs, else SQLite in dataDir.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, SQLITE_FILE_NAME } from '../../src/store/open-store.js';
import { BACKENDS, PG_URL, dropSchema } from './backends.js';

export function openStoreCases(): void {
  it('openStore: SQLite at <dataDir>/localrds.sqlite, creating the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'localrds-open-'));
    try {
      const dataDir = join(dir, 'a', 'b');
      const store = await openStore({ dataDir, db: '' });
      assert.equal(store.kind, 'sqlite');
      await store.close();
      assert.ok((await stat(join(dataDir, SQLITE_FILE_NAME))).isFile());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  if (!BACKENDS.some((b) => b.name === 'postgres')) return;
  it('openStore: PostgreSQL for a postgresql:// URL, honouring ?schema=', async () => {
    const schema = `store_test_${randomBytes(6).toString('hex')}`;
    const url = `${PG_URL.replace(/^postgres:/, 'postgresql:')}?schema=${schema}`;
    try {
      const store = await openStore({ dataDir: '/nonexistent/never-created', db: url });
      assert.equal(store.kind, 'postgres');
      await store.tx((r) => r.audit.append({ time: 't', requestId: 'r', accountId: 'a', accessKeyId: 'k', action: 'A', instanceId: '', result: 'OK' }));
      assert.equal((await store.read((r) => r.audit.list({ limit: 5 }))).length, 1);
      await store.close();
    } finally {
      await dropSchema(schema);
    }
  });
}
