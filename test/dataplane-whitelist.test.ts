// Unit tests for whitelist parsing and matching (src/dataplane/whitelist.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesWhitelist, parseIPv4, parseWhitelistEntry } from '../src/dataplane/whitelist.js';

describe('parseWhitelistEntry', () => {
  it('reads a bare address as /32', () => {
    const entry = parseWhitelistEntry('10.23.12.24');
    assert.deepEqual(entry, { text: '10.23.12.24', network: parseIPv4('10.23.12.24'), prefix: 32, matchesNothing: false });
  });

  it('clears host bits under the mask and trims', () => {
    const entry = parseWhitelistEntry(' 10.23.12.24/24 ');
    assert.equal(entry?.network, parseIPv4('10.23.12.0'));
    assert.equal(entry?.prefix, 24);
    assert.equal(entry?.text, '10.23.12.24/24');
  });

  it('marks only the bare 127.0.0.1 as matching nothing', () => {
    assert.equal(parseWhitelistEntry('127.0.0.1')?.matchesNothing, true);
    assert.equal(parseWhitelistEntry('127.0.0.1/32')?.matchesNothing, false);
    assert.equal(parseWhitelistEntry('127.0.0.2')?.matchesNothing, false);
  });

  it('accepts the edges 0.0.0.0/0 and 255.255.255.255/32', () => {
    assert.equal(parseWhitelistEntry('0.0.0.0/0')?.prefix, 0);
    assert.equal(parseWhitelistEntry('255.255.255.255/32')?.network, 0xffffffff);
  });

  for (const bad of ['', 'abc', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4/33', '1.2.3.4/', '1.2.3.4/08',
    '1.2.3.4/-1', '::1', '2001:db8::/32', '1.2.3.4 /24', '1.2.3.4/24/1', '+1.2.3.4', '1.2.3.0x4']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(parseWhitelistEntry(bad), undefined);
    });
  }
});

describe('matchesWhitelist', () => {
  it('0.0.0.0/0 admits everyone, whatever the family', () => {
    for (const address of ['1.2.3.4', '127.0.0.1', '::ffff:10.0.0.1', '::1']) {
      assert.equal(matchesWhitelist(address, ['0.0.0.0/0']), true, address);
    }
  });

  it('the bare default 127.0.0.1 admits nobody, not even 127.0.0.1', () => {
    assert.equal(matchesWhitelist('127.0.0.1', ['127.0.0.1']), false);
    assert.equal(matchesWhitelist('::ffff:127.0.0.1', ['127.0.0.1']), false);
  });

  it('127.0.0.1/32 and 127.0.0.0/8 do admit 127.0.0.1', () => {
    assert.equal(matchesWhitelist('127.0.0.1', ['127.0.0.1/32']), true);
    assert.equal(matchesWhitelist('::ffff:127.0.0.1', ['127.0.0.0/8']), true);
    assert.equal(matchesWhitelist('127.0.0.2', ['127.0.0.1/32']), false);
  });

  it('matches CIDR boundaries exactly', () => {
    const entries = ['192.168.1.0/24'];
    assert.equal(matchesWhitelist('192.168.1.0', entries), true);
    assert.equal(matchesWhitelist('192.168.1.255', entries), true);
    assert.equal(matchesWhitelist('192.168.2.0', entries), false);
    assert.equal(matchesWhitelist('192.168.0.255', entries), false);
  });

  it('handles masks with the high bit set (unsigned arithmetic)', () => {
    assert.equal(matchesWhitelist('200.1.1.1', ['128.0.0.0/1']), true);
    assert.equal(matchesWhitelist('100.1.1.1', ['128.0.0.0/1']), false);
    assert.equal(matchesWhitelist('255.255.255.255', ['255.255.255.254/31']), true);
  });

  it('is the union of entries, and a bare address is one host', () => {
    const entries = ['127.0.0.1', '10.0.0.0/8', '172.16.5.9'];
    assert.equal(matchesWhitelist('10.200.3.4', entries), true);
    assert.equal(matchesWhitelist('172.16.5.9', entries), true);
    assert.equal(matchesWhitelist('172.16.5.10', entries), false);
    assert.equal(matchesWhitelist('127.0.0.1', entries), false);
  });

  it('admits nobody with no entries, with unparseable entries, or for a non-IPv4 client', () => {
    assert.equal(matchesWhitelist('10.0.0.1', []), false);
    assert.equal(matchesWhitelist('10.0.0.1', ['garbage', '10.0.0.0/99']), false);
    assert.equal(matchesWhitelist('::1', ['127.0.0.0/8']), false);
    assert.equal(matchesWhitelist('', ['127.0.0.0/8']), false);
  });
});
