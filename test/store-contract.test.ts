// Runs the store contract (test/store-fixtures/contract.ts) against SQLite and PostgreSQL, and checks openStore.
// PostgreSQL: postgres://postgres@127.0.0.1:5432/test unless LOCALRDS_TEST_PG_URL says otherwise.
import { describe } from 'node:test';
import { BACKENDS } from './store-fixtures/backends.js';
import { storeContract } from './store-fixtures/contract.js';
import { openStoreCases } from './store-fixtures/open-store-cases.js';

for (const backend of BACKENDS) {
  describe(`store contract: ${backend.name}`, () => storeContract(backend));
}
describe('openStore', openStoreCases);
