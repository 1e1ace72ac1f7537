// The store contract: one suite of behaviours every StateStore implementation must show. Each test opens its
// own fresh store (temp dir or schema), so tests neither share data nor depend on their order.
import { identityContract } from './contract-identity.js';
import { instancesContract } from './contract-instances.js';
import { networkContract } from './contract-network.js';
import { addressesContract } from './contract-addresses.js';
import { addressSkipsContract, endpointMoveContract } from './contract-address-skips.js';
import { txContract } from './contract-tx.js';
import { tagsTokensContract } from './contract-tags-tokens.js';
import { dbAccountsContract } from './contract-db-accounts.js';
import type { Backend } from './backends.js';

export function storeContract(b: Backend): void {
  identityContract(b);
  instancesContract(b);
  networkContract(b);
  addressesContract(b);
  addressSkipsContract(b);
  endpointMoveContract(b);
  txContract(b);
  tagsTokensContract(b);
  dbAccountsContract(b);
}
