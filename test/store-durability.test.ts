// What tx() resolved for survives kill -9: a child process commits instances and prints each id after its
// commit; the test SIGKILLs it mid-stream, reopens the store and finds every printed id (SQLite and PostgreSQL).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BACKENDS, withStore } from './store-fixtures/backends.js';
import { acct } from './store-fixtures/records.js';

const WRITER = fileURLToPath(new URL('./store-fixtures/durability-writer.js', import.meta.url));
const KILL_AFTER = 60;

/** Runs the writer until it has printed KILL_AFTER ids, kills it with SIGKILL, returns the ids it printed. */
function runAndKill(target: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, ...target], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ids: string[] = [];
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('rm-dur-')) ids.push(l);
      if (ids.length >= KILL_AFTER && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' || ids.length < KILL_AFTER) {
        reject(new Error(`writer ended with code ${code} signal ${signal} after ${ids.length} ids\n${stderr}`));
      } else {
        resolve(ids);
      }
    });
  });
}

for (const backend of BACKENDS) {
  describe(`store durability: ${backend.name}`, () => {
    it('every id printed after a committed tx is there after SIGKILL', { timeout: 60_000 }, () => withStore(backend, async (store, iso) => {
      await store.close();
      const printed = await runAndKill(iso.target);
      const reopened = await iso.reopen();
      const all = await reopened.read((r) => r.instances.list(acct('a1'), {}, 0, 100_000));
      const stored = new Set<string>(all.items.map((i) => i.id));
      const missing = printed.filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${printed.length} committed ids lost`);
      // At most the tx in flight at the kill committed without being printed; nothing half-written shows up.
      assert.ok(all.total >= printed.length && all.total <= printed.length + 1, `stored ${all.total}, printed ${printed.length}`);
      const audit = await reopened.read((r) => r.audit.list({ accountId: 'a1', limit: 100_000 }));
      assert.equal(audit.length, all.total, 'each instance has its audit row: transactions are atomic');
      // The store still works after the crash.
      await reopened.tx((r) => r.accounts.createAccount({ id: acct('after'), name: 'after', createdAt: '' }));
    }));
  });
}
