// Unit tests for the reconcile diff (reconcile-plan.ts) and the queue that serialises passes (serial-queue.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountId, EndpointRecord, InstanceId } from '../src/domain/types.js';
import { planReconcile, type LiveEndpointKey } from '../src/dataplane/reconcile-plan.js';
import { createSerialQueue } from '../src/dataplane/serial-queue.js';

function endpoint(connectionString: string, port: number, instanceId = 'rm-1', address = '127.0.9.1'): EndpointRecord {
  return {
    accountId: 'acc' as AccountId,
    instanceId: instanceId as InstanceId,
    connectionString,
    ipType: 'Public',
    address,
    port,
    createdAt: '2026-01-01T00:00:00Z',
    bindError: '',
  };
}

function live(e: EndpointRecord): LiveEndpointKey {
  return { connectionString: e.connectionString, instanceId: e.instanceId, address: e.address, port: e.port };
}

/** Applies a plan to a list of live keys, the way the reconciler applies it to listeners. */
function apply(current: LiveEndpointKey[], desired: EndpointRecord[]): LiveEndpointKey[] {
  const plan = planReconcile(current, desired);
  return [
    ...plan.keep.map((k) => k.listener),
    ...plan.rekey.map((r) => ({ ...r.listener, connectionString: r.endpoint.connectionString })),
    ...plan.open.map(live),
  ];
}

describe('planReconcile', () => {
  it('opens what is missing and closes what is gone', () => {
    const a = endpoint('a', 1000);
    const b = endpoint('b', 1001);
    const plan = planReconcile([live(a)], [b]);
    assert.deepEqual(plan.open, [b]);
    assert.deepEqual(plan.close, [live(a)]);
    assert.equal(plan.keep.length + plan.rekey.length, 0);
  });

  it('keeps an unchanged endpoint, and a second pass changes nothing', () => {
    const desired = [endpoint('a', 1000), endpoint('b', 1001, 'rm-2')];
    const once = apply([], desired);
    const plan = planReconcile(once, desired);
    assert.equal(plan.keep.length, 2);
    assert.deepEqual([plan.open, plan.close, plan.rekey], [[], [], []]);
  });

  it('treats a new name on the same address:port as a rename', () => {
    const old = live(endpoint('old', 1000));
    const plan = planReconcile([old], [endpoint('new', 1000)]);
    assert.equal(plan.rekey.length, 1);
    assert.equal(plan.rekey[0]?.listener, old);
    assert.deepEqual([plan.open, plan.close], [[], []]);
  });

  it('treats a port move as close plus open', () => {
    const old = live(endpoint('a', 1000));
    const plan = planReconcile([old], [endpoint('a', 1002)]);
    assert.deepEqual(plan.close, [old]);
    assert.equal(plan.open[0]?.port, 1002);
  });

  it('does not rename across instances or addresses', () => {
    const plan = planReconcile([live(endpoint('a', 1000, 'rm-1'))], [endpoint('b', 1000, 'rm-2')]);
    assert.equal(plan.rekey.length, 0);
    const other = planReconcile([live(endpoint('a', 1000))], [endpoint('b', 1000, 'rm-1', '127.0.9.2')]);
    assert.equal(other.rekey.length, 0);
  });

  it('reports duplicate names and keeps the first', () => {
    const plan = planReconcile([], [endpoint('a', 1000), endpoint('a', 1001)]);
    assert.deepEqual(plan.duplicates, ['a']);
    assert.deepEqual(plan.open.map((e) => e.port), [1000]);
  });
});

describe('createSerialQueue', () => {
  it('runs tasks one at a time in order, and a failure does not block the next', async () => {
    const queue = createSerialQueue();
    const events: string[] = [];
    let running = 0;
    const task = (name: string, ms: number, fail = false) => async () => {
      running += 1;
      assert.equal(running, 1, 'overlap');
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      events.push(`end ${name}`);
      running -= 1;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([
      queue.run(task('a', 20)),
      queue.run(task('b', 5, true)),
      queue.run(task('c', 1)),
    ]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(results[1]?.status, 'rejected');
    assert.deepEqual(results[2], { status: 'fulfilled', value: 'c' });
  });
});
