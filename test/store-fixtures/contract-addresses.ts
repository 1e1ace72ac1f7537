// Store contract, address pools: lowest first, quarantine, reuse, exhaustion, no leaks, scale, concurrency.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4ToNumber, numberToIpv4 } from '../../src/store/ipv4.js';
import { withStore, type Backend } from './backends.js';
import { acct, iid } from './records.js';

const owner = { accountId: acct('a1'), instanceId: iid('rm-1') };
const ip = ipv4ToNumber;

export function addressesContract(b: Backend): void {
  it('addresses: lowest free first, quarantine respected, reused after it, exhaustion is undefined', () => withStore(b, async (store) => {
    const [first, last] = [ip('10.1.0.1'), ip('10.1.0.4')];
    const alloc = (now: number) => store.tx((r) => r.addresses.allocate('private', first, last, owner, now));
    assert.deepEqual([await alloc(0), await alloc(0), await alloc(0)], ['10.1.0.1', '10.1.0.2', '10.1.0.3']);

    await store.tx((r) => r.addresses.release('private', '10.1.0.2', 1000));
    assert.equal(await store.read((r) => r.addresses.countHeld('private')), 2);
    assert.equal(await alloc(999), '10.1.0.4', 'quarantined .2 is skipped');
    assert.equal(await alloc(999), undefined, 'pool exhausted while .2 is quarantined');
    assert.equal(await alloc(1000), '10.1.0.2', 'quarantine over: .2 comes back');
    assert.equal(await alloc(5000), undefined);

    await store.tx(async (r) => { await r.addresses.release('private', '10.1.0.3', 0); await r.addresses.release('private', '10.1.0.1', 0); });
    assert.equal(await alloc(1), '10.1.0.1', 'lowest reusable row wins');
    assert.equal(await store.read((r) => r.addresses.countHeld('private')), 3);
    // Pools are independent: the same numbers are all free in the public pool.
    assert.equal(await store.tx((r) => r.addresses.allocate('public', first, last, owner, 0)), '10.1.0.1');
    assert.equal(await store.read((r) => r.addresses.countHeld('public')), 1);
    assert.equal(await store.tx((r) => r.addresses.allocate('public', last, first, owner, 0)), undefined, 'empty range');
  }));

  it('addresses: a narrower or moved range finds holes below existing rows', () => withStore(b, async (store) => {
    const a = (first: string, last: string) => store.tx((r) => r.addresses.allocate('private', ip(first), ip(last), owner, 0));
    assert.equal(await a('10.2.0.5', '10.2.0.9'), '10.2.0.5');
    assert.equal(await a('10.2.0.5', '10.2.0.9'), '10.2.0.6');
    assert.equal(await a('10.2.0.8', '10.2.0.9'), '10.2.0.8');
    assert.equal(await a('10.2.0.1', '10.2.0.9'), '10.2.0.1', 'range moved down');
    assert.equal(await a('10.2.0.5', '10.2.0.9'), '10.2.0.7', 'hole between rows');
    assert.equal(await a('10.2.0.5', '10.2.0.9'), '10.2.0.9');
    assert.equal(await a('10.2.0.5', '10.2.0.9'), undefined);
  }));

  it('addresses: 200 allocate/release cycles leave nothing held and reuse the same address', () => withStore(b, async (store) => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const now = i * 10;
      const got = await store.tx(async (r) => {
        const addr = await r.addresses.allocate('public', ip('172.16.0.1'), ip('172.16.0.10'), owner, now);
        assert.ok(addr, `cycle ${i} got an address`);
        await r.addresses.release('public', addr, now);
        return addr;
      });
      seen.add(got);
    }
    assert.deepEqual([...seen], ['172.16.0.1']);
    assert.equal(await store.read((r) => r.addresses.countHeld('public')), 0);
  }));

  it('addresses: allocation does not slow down with 10,000 held in a /16', { timeout: 120_000 }, () => withStore(b, async (store) => {
    const [first, last] = [ip('10.9.0.1'), ip('10.9.255.254')];
    // Median time of n allocations inside one tx: no commit (fsync) in the measurement, only the lookups.
    const timed = (n: number) => store.tx(async (r) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await r.addresses.allocate('private', first, last, owner, 0);
        ms.push(performance.now() - t0);
      }
      return ms.sort((x, y) => x - y)[Math.floor(n / 2)] ?? Infinity;
    });
    await timed(200);
    const early = await timed(50);
    while (await store.read((r) => r.addresses.countHeld('private')) < 10_000) await timed(1000);
    const late = await timed(50);
    const held = await store.read((r) => r.addresses.countHeld('private'));
    await store.tx((r) => r.addresses.release('private', '10.9.20.0', 0));
    // A scan over the held rows would cost several times more at 10,000 rows than at 250.
    assert.ok(late < early * 3 + 0.5, `median allocation ${early.toFixed(2)} ms at 250 held, ${late.toFixed(2)} ms at 10,000`);
    const next = await store.tx(async (r) => [
      await r.addresses.allocate('private', first, last, owner, 1),
      await r.addresses.allocate('private', first, last, owner, 1),
    ]);
    assert.deepEqual(next, ['10.9.20.0', numberToIpv4(first + held)], 'released address first, then the next never used');
    assert.equal(await store.read((r) => r.addresses.countHeld('private')), held + 1);
  }));

  it('addresses: 64 concurrent allocations, each in its own tx, are all distinct', { timeout: 60_000 }, () => withStore(b, async (store) => {
    const [first, last] = [ip('10.3.0.1'), ip('10.3.0.254')];
    await store.tx(async (r) => {
      for (let i = 0; i < 8; i++) await r.addresses.allocate('private', first, last, owner, 0);
      await r.addresses.release('private', '10.3.0.3', 0);
      await r.addresses.release('private', '10.3.0.6', 0);
    });
    const got = await Promise.all(Array.from({ length: 64 }, (_, i) =>
      store.tx((r) => r.addresses.allocate('private', first, last, { accountId: acct('a1'), instanceId: iid(`rm-${i}`) }, 1))));
    assert.equal(got.filter((a) => a === undefined).length, 0);
    assert.equal(new Set(got).size, 64, 'no address handed out twice');
    const expected = ['10.3.0.3', '10.3.0.6', ...Array.from({ length: 62 }, (_, i) => `10.3.0.${9 + i}`)];
    assert.deepEqual([...got].sort((x, y) => ip(x ?? '') - ip(y ?? '')), expected, 'the 64 lowest free addresses');
    assert.equal(await store.read((r) => r.addresses.countHeld('private')), 70);
  }));
}
