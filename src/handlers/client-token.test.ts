// Known answers for the ClientToken request hash: what makes two calls "the same request".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestHash } from './client-token.js';

test('the request hash ignores the token, passwords and parameter order, and sees every other value', () => {
  const base = requestHash({ Engine: 'MySQL', DBInstanceStorage: 20, ClientToken: 'a' });
  assert.equal(requestHash({ ClientToken: 'b', DBInstanceStorage: 20, Engine: 'MySQL' }), base);
  assert.equal(requestHash({ Engine: 'MySQL', DBInstanceStorage: 20, AccountPassword: 'secret' }), base);
  assert.notEqual(requestHash({ Engine: 'MySQL', DBInstanceStorage: 30 }), base);
  assert.notEqual(requestHash({ Engine: 'MySQL', DBInstanceStorage: '20' }), base, 'types count: 20 is not "20"');
  assert.notEqual(requestHash({ Engine: 'MySQL' }), base);
  assert.match(base, /^[0-9a-f]{64}$/);
});
