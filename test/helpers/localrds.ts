// Starts a real localrds server for a test: ephemeral port, temp data dir, private address pools so that
// concurrent test files never bind the same address, and a second account for isolation tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { mustCidr } from '../../src/config.js';
import type { AccountId } from '../../src/domain/types.js';
import { createAccount, createKey } from '../../src/runtime/accounts.js';
import { startLocalrds, type LocalrdsOptions, type RunningLocalrds } from '../../src/runtime/server.js';

export const PG_URL = process.env.LOCALRDS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestServer extends RunningLocalrds {
  dataDir: string;
  endpoint: string;
  other: { accessKeyId: string; accessKeySecret: string; accountId: AccountId };
  stop(): Promise<void>;
}

export const silentLogger = { info() {}, warn() {}, error() {} };

/** A /16 in 127.0.0.0/8 unlikely to be used by another test process at the same time. */
export function randomPools(): { publicPool: ReturnType<typeof mustCidr>; privatePool: ReturnType<typeof mustCidr> } {
  const a = randomInt(100, 250);
  return { publicPool: mustCidr(`127.${a}.0.0/16`), privatePool: mustCidr(`127.${a - 50}.0.0/16`) };
}

export async function startTestServer(opts: LocalrdsOptions & { keepDataDir?: string } = {}): Promise<TestServer> {
  const dataDir = opts.keepDataDir ?? mkdtempSync(join(tmpdir(), 'localrds-test-'));
  const rds = await startLocalrds({
    host: '127.0.0.1', port: 0, dataDir, tls: 'off', logger: silentLogger,
    credentials: { accessKeyId: 'testAccessKeyId0001', accessKeySecret: 'testSecretKEY0123456789' },
    // API-only unless the test asks for instance servers (engines: 'auto'); --backend engines are shared either way.
    engines: 'none',
    ...opts,
    service: { ...randomPools(), quarantineMs: 0, ...opts.service },
  });
  const accountId = await createAccount(rds.store, 'other');
  const key = await createKey(rds.store, accountId);
  return {
    ...rds, dataDir, endpoint: `127.0.0.1:${rds.port}`,
    other: { accessKeyId: key.accessKeyId, accessKeySecret: key.secret, accountId },
    stop: async () => {
      await rds.close();
      if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
