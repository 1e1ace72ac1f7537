// Known answers for the account and database rules (pure functions; the SDK tests cover the codes on the wire).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountNameMax, accountNameProblem, dbNameProblem, descriptionOk, parseCharacterSet, passwordOk } from './db-rules.js';

const mysql80 = { engine: 'MySQL', engineVersion: '8.0', storageType: 'cloud_essd' } as const;

test('account name lengths per engine, version and storage', () => {
  assert.equal(accountNameMax(mysql80), 32);
  assert.equal(accountNameMax({ ...mysql80, engineVersion: '5.7' }), 32);
  assert.equal(accountNameMax({ ...mysql80, engineVersion: '5.6' }), 16);
  assert.equal(accountNameMax({ ...mysql80, engineVersion: '5.5' }), 16);
  assert.equal(accountNameMax({ ...mysql80, engine: 'MariaDB', engineVersion: '10.6' }), 16);
  assert.equal(accountNameMax({ ...mysql80, engine: 'SQLServer', engineVersion: '2019_std_ha' }), 64);
  assert.equal(accountNameMax({ ...mysql80, engine: 'PostgreSQL', engineVersion: '16.0' }), 63);
  assert.equal(accountNameMax({ engine: 'PostgreSQL', engineVersion: '16.0', storageType: 'local_ssd' }), 16);
});

test('account names: characters, ends, reserved names', () => {
  const pg = { ...mysql80, engine: 'PostgreSQL', engineVersion: '16.0' } as const;
  assert.equal(accountNameProblem(mysql80, 'Ab'), undefined);
  assert.equal(accountNameProblem(mysql80, 'a_1'), undefined);
  assert.equal(accountNameProblem(pg, 'Ab'), 'format');
  assert.equal(accountNameProblem(pg, 'pgx'), 'format');
  assert.equal(accountNameProblem(pg, 'xpg'), undefined);
  for (const bad of ['a', '_a', 'a_', '1a', 'a-b', 'a b', '']) assert.equal(accountNameProblem(mysql80, bad), 'format', bad);
  for (const kw of ['root', 'ROOT', 'admin', 'localrds', 'LocalRDS_admin', 'dbo']) assert.equal(accountNameProblem(mysql80, kw), 'forbid', kw);
});

test('database names', () => {
  assert.equal(dbNameProblem('a-b_c9'), undefined);
  for (const bad of ['a', 'A1', '-a', 'a-', 'ab.c', 'a'.repeat(65)]) assert.equal(dbNameProblem(bad), 'format', bad);
  for (const kw of ['mysql', 'postgres', 'template1', 'localrds_x']) assert.equal(dbNameProblem(kw), 'forbid', kw);
});

test('passwords: 8 to 32, three of four kinds, only the documented specials', () => {
  for (const ok of ['Abcdefg1', 'abcdef1!', 'ABCDEF1!', 'Abcdefg!', 'Aa1!@#$%^&*()_+-=', 'Aa1' + 'x'.repeat(29)]) assert.ok(passwordOk(ok), ok);
  for (const bad of ['Abcde1!', 'abcdefgh', 'abcdefg1', 'ABCDEFG!', 'Abcdefg1?', 'Abcdefg1 ', 'Äbcdefg1', 'Aa1' + 'x'.repeat(30)]) assert.ok(!passwordOk(bad), bad);
});

test('descriptions', () => {
  for (const ok of ['ab', 'A note: 1, 2.', '中文描述', 'x'.repeat(256), 'httpish']) assert.ok(descriptionOk(ok), ok);
  for (const bad of ['a', '1ab', ' ab', 'http://x', 'HTTPS://x', 'x'.repeat(257)]) assert.ok(!descriptionOk(bad), bad);
});

test('character sets per engine', () => {
  assert.deepEqual(parseCharacterSet('MySQL', 'UTF8mb4'), { charset: 'utf8mb4', collate: '', ctype: '' });
  assert.equal(parseCharacterSet('MariaDB', 'utf16'), undefined);
  assert.deepEqual(parseCharacterSet('PostgreSQL', 'utf8'), { charset: 'UTF8', collate: 'C', ctype: 'en_US.utf8' });
  assert.deepEqual(parseCharacterSet('PostgreSQL', 'UTF8,,zh_CN.UTF-8'), { charset: 'UTF8', collate: 'C', ctype: 'zh_CN.UTF-8' });
  assert.deepEqual(parseCharacterSet('PostgreSQL', 'EUC_JP'), { charset: 'EUC_JP', collate: 'C', ctype: 'C' });
  assert.deepEqual(parseCharacterSet('PostgreSQL', 'sql_ascii,POSIX,POSIX'), { charset: 'SQL_ASCII', collate: 'POSIX', ctype: 'POSIX' });
  for (const bad of ['', 'UTF16', 'LATIN1,en_US.utf8', 'UTF8,C,C,C', "UTF8,C';--"]) assert.equal(parseCharacterSet('PostgreSQL', bad), undefined, bad);
  assert.deepEqual(parseCharacterSet('SQLServer', 'Chinese_PRC_CI_AS'), { charset: 'Chinese_PRC_CI_AS', collate: '', ctype: '' });
  assert.equal(parseCharacterSet('SQLServer', 'bad name'), undefined);
});
