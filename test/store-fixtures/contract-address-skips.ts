// Store contract, skipped addresses (migration 004): an address held by another process is passed over with its
// reason until its retry time, then handed out again; a skipped endpoint can move to another address.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4ToNumber as ip } from '../../src/store/ipv4.js';
import { withStore, type Backend } from './backends.js';
import { acct, iid } from './records.js';

const owner = { accountId: acct('a1'), instanceId: iid('rm-1') };

export function addressSkipsContract(b: Backend): void {
  it('addresses: a skipped address waits for its retry time, with its reason listed, then comes back', () => withStore(b, async (store) => {
    const alloc = (now: number) => store.tx((r) => r.addresses.allocate('private', ip('10.9.0.1'), ip('10.9.0.3'), owner, now));
    assert.equal(await alloc(0), '10.9.0.1');
    await store.tx((r) => r.addresses.skip('private', '10.9.0.1', '10.9.0.1:3306 held by another process', 500));
    assert.equal(await store.read((r) => r.addresses.countHeld('private')), 0, 'a skipped address is not held');
    assert.deepEqual(await store.read((r) => r.addresses.listSkipped('private', 100)), [{ address: '10.9.0.1', reason: '10.9.0.1:3306 held by another process', retryAtMs: 500 }]);
    assert.deepEqual(await store.read((r) => r.addresses.listSkipped('public', 100)), [], 'per pool');
    assert.equal(await alloc(100), '10.9.0.2', 'skipped until its retry time');
    assert.deepEqual(await store.read((r) => r.addresses.listSkipped('private', 500)), [], 'due: no longer listed');
    assert.equal(await alloc(500), '10.9.0.1', 'due for a retry: handed out again, lowest first');
    assert.deepEqual(await store.read((r) => r.addresses.listSkipped('private', 0)), [], 'the reason is cleared when it is taken');
    // A plain release after a skip leaves no reason behind either.
    await store.tx((r) => r.addresses.skip('private', '10.9.0.2', 'held', 900));
    await store.tx((r) => r.addresses.release('private', '10.9.0.2', 900));
    assert.deepEqual(await store.read((r) => r.addresses.listSkipped('private', 0)), []);
  }));
}

export function endpointMoveContract(b: Backend): void {
  it('endpoints: setAddress moves an endpoint to another address and clears its bind error', () => withStore(b, async (store) => {
    const e = { accountId: acct('a1'), instanceId: iid('rm-1'), connectionString: 'moved.test', ipType: 'Private' as const, address: '10.9.1.1', port: 3306, createdAt: '2026-01-01T00:00:00Z', bindError: '' };
    await store.tx((r) => r.endpoints.insert(e));
    await store.tx((r) => r.endpoints.setBindError('moved.test', 'listen EADDRINUSE: address already in use 10.9.1.1:3306'));
    await store.tx((r) => r.endpoints.setAddress('moved.test', '10.9.1.2'));
    assert.deepEqual(await store.read((r) => r.endpoints.getByConnectionString('moved.test')), { ...e, address: '10.9.1.2' });
  }));
}
