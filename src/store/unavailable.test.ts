// Which driver errors count as "store unreachable" (503 ServiceUnavailable) and which stay InternalError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreUnavailable } from './unavailable.js';

const err = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

test('connection failures are unavailable', () => {
  for (const e of [
    err('connect ECONNREFUSED 127.0.0.1:5433', { code: 'ECONNREFUSED' }),
    new AggregateError([err('connect ECONNREFUSED ::1:5433', { code: 'ECONNREFUSED' }), err('connect ECONNREFUSED 127.0.0.1:5433', { code: 'ECONNREFUSED' })], ''),
    err('terminating connection due to administrator command', { code: '57P01' }),
    err('the database system is starting up', { code: '57P03' }),
    err('connection failure', { code: '08006' }),
    err('Connection terminated unexpectedly'),
    err('timeout exceeded when trying to connect'),
  ]) assert.equal(isStoreUnavailable(e), true, String(e));
});

test('everything else is not', () => {
  for (const e of [
    err('duplicate key value violates unique constraint', { code: '23505' }),
    err('could not serialize access', { code: '40001' }),
    err('syntax error at or near', { code: '42601' }),
    new TypeError('x is undefined'),
    'ECONNREFUSED',
    undefined,
    new AggregateError([], ''),
  ]) assert.equal(isStoreUnavailable(e), false, String(e));
});
