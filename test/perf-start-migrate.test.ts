// The migrations' fast path (src/store/migrations.ts): a store whose schema is current is checked with two reads
// and no DDL, on a real SQLite file; a store that is not current (new, or migrated by a newer localrds) still
// takes the full path, with its checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { MIGRATIONS, migrate } from '../src/store/migrations.js';

test('a current schema is checked with reads only; a new or newer one takes the full path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'localrds-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const statements: string[] = [];
  const db = new Kysely<any>({
    dialect: new SqliteDialect({ database: new BetterSqlite3(join(dir, 'm.sqlite')) }),
    log: (e) => { if (e.level === 'query') statements.push(e.query.sql); },
  });
  t.after(() => db.destroy());
  const run = () => db.transaction().execute((trx) => migrate(trx, 'sqlite'));

  assert.deepEqual(await run(), MIGRATIONS.map((m) => m.id), 'a new database gets every migration');
  assert.ok(statements.some((s) => /create table/i.test(s)));

  statements.length = 0;
  assert.deepEqual(await run(), [], 'nothing to apply');
  const inside = statements.filter((s) => !/^(begin|commit)$/i.test(s));
  assert.equal(inside.length, 2, statements.join('\n'));
  assert.ok(inside.every((s) => /^select /i.test(s)), `reads only:\n${statements.join('\n')}`);

  // A migration this code does not know (a newer localrds ran here): refused, as before the fast path.
  await db.insertInto('schema_migrations').values({ id: '999_from_the_future', applied_at: new Date().toISOString() }).execute();
  await assert.rejects(run(), /migrations this localrds does not know: 999_from_the_future/);
});
