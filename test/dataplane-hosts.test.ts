// Unit test for the /etc/hosts lines (src/dataplane/hosts.ts).

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { formatHostsLines } from '../src/dataplane/hosts.js';

function endpoint(connectionString: string, address: string): EndpointRecord {
  return {
    accountId: 'acc' as AccountId,
    instanceId: 'rm-1' as InstanceId,
    connectionString,
    ipType: 'Public',
    address,
    port: 3306,
    createdAt: '2026-01-01T00:00:00Z',
    bindError: '',
  };
}

it('writes a comment header, then address<TAB>name lines sorted by name', () => {
  const text = formatHostsLines([
    endpoint('rm-b.mysql.rds.localrds.test', '127.0.1.2'),
    endpoint('rm-a.mysql.rds.localrds.test', '127.0.1.1'),
  ]);
  const lines = text.split('\n');
  assert.ok(lines[0]?.startsWith('# '));
  const body = lines.filter((line) => line !== '' && !line.startsWith('#'));
  assert.deepEqual(body, ['127.0.1.1\trm-a.mysql.rds.localrds.test', '127.0.1.2\trm-b.mysql.rds.localrds.test']);
  assert.ok(text.endsWith('\n'));
});

it('writes only the header for no endpoints', () => {
  const text = formatHostsLines([]);
  assert.ok(text.split('\n').filter((line) => line !== '').every((line) => line.startsWith('#')));
});
