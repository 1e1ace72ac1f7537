// Password verifiers against the engines that consume them: the MySQL native hash against MariaDB's own
// PASSWORD() and a real login as a user created from the hash alone; the SCRAM-SHA-256 verifier against the
// RFC 7677 exchange, and against a real PostgreSQL 15 that demands SCRAM (its own verifier recomputed from its
// salt, and a login as a role created from our verifier alone).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { mysqlNativeHash, parseScramVerifier, scramCheckProof, scramSha256Verifier } from '../src/domain/password-verifiers.js';
import { scramClientProof } from './helpers/scram-client.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './helpers/throwaway-postgres.js';

const clientProof = scramClientProof;

describe('SCRAM-SHA-256 verifier (RFC 5802 / RFC 7677)', () => {
  // RFC 7677 section 3: user "user", password "pencil".
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const clientFirstBare = 'n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinalNoProof = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinalNoProof}`;

  test('the RFC 7677 client proof verifies against our verifier, and the server signature is the RFC one', () => {
    const text = scramSha256Verifier('pencil', { salt });
    assert.match(text, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    const v = parseScramVerifier(text);
    assert.ok(v);
    const { proof, serverSignature } = clientProof('pencil', salt, 4096, authMessage);
    assert.equal(proof.toString('base64'), 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'client side matches the RFC');
    const server = scramCheckProof(v, authMessage, proof);
    assert.equal(server?.toString('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    assert.deepEqual(server, serverSignature);
  });

  test('a proof from a wrong password is refused; salts are random 16 bytes', () => {
    const v = parseScramVerifier(scramSha256Verifier('pencil', { salt }));
    assert.ok(v);
    assert.equal(scramCheckProof(v, authMessage, clientProof('pencil!', salt, 4096, authMessage).proof), undefined);
    assert.equal(scramCheckProof(v, authMessage, Buffer.alloc(5)), undefined);
    const a = parseScramVerifier(scramSha256Verifier('same'));
    const b = parseScramVerifier(scramSha256Verifier('same'));
    assert.equal(a?.salt.length, 16);
    assert.notDeepEqual(a?.salt, b?.salt);
    assert.notDeepEqual(a?.storedKey, b?.storedKey);
    assert.equal(parseScramVerifier('md5abc'), undefined);
    assert.equal(parseScramVerifier('SCRAM-SHA-256$4096:AAAA$AAAA:AAAA'), undefined, 'keys must be 32 bytes');
  });
});

describe('MySQL native hash against MariaDB on 127.0.0.1:3306', () => {
  let root: mysql.Connection;
  const user = `lr_hash_${randomBytes(4).toString('hex')}`;
  before(async () => { root = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' }); });
  after(async () => {
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root.end();
  });

  test('equals PASSWORD() for several passwords', async () => {
    for (const pw of ['x', 'Passw0rd!', 'Ab1!@#$%^&*()_+-=', 'a'.repeat(32), 'ünïcødé']) {
      const [rows] = await root.query('SELECT PASSWORD(?) AS h', [pw]);
      assert.equal(mysqlNativeHash(pw), (rows as Array<{ h: string }>)[0]?.h, pw);
    }
  });

  test('a user created from the hash alone logs in with the password, and not with another', async () => {
    const password = `Pw${randomBytes(6).toString('hex')}!`;
    await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY PASSWORD '${mysqlNativeHash(password)}'`);
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user, password });
    const [rows] = await conn.query('SELECT CURRENT_USER() AS u');
    assert.equal((rows as Array<{ u: string }>)[0]?.u, `${user}@%`);
    await conn.end();
    const wrong = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user, password: `${password}x` }).then(
      async (c) => { await c.end(); return 'connected'; }, (e: { code?: string }) => e.code);
    assert.equal(wrong, 'ER_ACCESS_DENIED_ERROR');
  });
});

describe('SCRAM-SHA-256 verifier against a real PostgreSQL 15 (scram-sha-256 authentication)', () => {
  let server: ThrowawayPostgres;
  before(async () => { server = await startThrowawayPostgres(); });
  after(async () => { await server?.stop(); });

  test("PostgreSQL's own verifier equals ours for the same salt and iterations", async () => {
    const password = 'Xy7!pencil';
    await server.query(`CREATE ROLE theirs LOGIN PASSWORD '${password}'`);
    const { rows } = await server.query<{ p: string }>("SELECT rolpassword AS p FROM pg_authid WHERE rolname = 'theirs'");
    const theirs = rows[0]?.p ?? '';
    const parsed = parseScramVerifier(theirs);
    assert.ok(parsed, theirs);
    assert.equal(scramSha256Verifier(password, { salt: parsed.salt, iterations: parsed.iterations }), theirs);
  });

  test('a role created from our verifier alone logs in with the password; a wrong one gets 28P01', async () => {
    const password = `Pw${randomBytes(6).toString('hex')}!`;
    const verifier = scramSha256Verifier(password);
    await server.query(`CREATE ROLE ours LOGIN PASSWORD '${verifier}'`);
    const { rows } = await server.query<{ p: string }>("SELECT rolpassword AS p FROM pg_authid WHERE rolname = 'ours'");
    assert.equal(rows[0]?.p, verifier, 'stored as given, not re-hashed');
    assert.equal(await server.login('ours', password), 'ok');
    assert.equal(await server.login('ours', `${password}x`), '28P01');
  });
});
