// The SQLite store's nonce journal (src/store/nonce-journal.ts): exact once-only answers from its fingerprint
// table, across a reopen (what a kill -9 leaves: the bytes written), with torn records and expired segments.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openNonceJournal } from '../src/store/nonce-journal.js';

const MIN = 60_000;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'localrds-nonce-journal-'));
}

describe('nonce journal', () => {
  it('answers once per nonce and key, in a batch and across batches, for many nonces (the table grows)', () => {
    const dir = tempDir();
    try {
      const j = openNonceJournal(dir);
      const now = Date.now();
      const batch = [{ accessKeyId: 'A', nonce: 'x', expiresAtMs: now + MIN }, { accessKeyId: 'A', nonce: 'x', expiresAtMs: now + MIN }, { accessKeyId: 'B', nonce: 'x', expiresAtMs: now + MIN }];
      assert.deepEqual(j.use(batch, now), [true, false, true]);
      // 100,000 distinct nonces, then every one of them again: all fresh, then all refused.
      const many = Array.from({ length: 100_000 }, (_, i) => ({ accessKeyId: 'K', nonce: `n${i}`, expiresAtMs: now + MIN }));
      for (let i = 0; i < many.length; i += 1000) assert.ok(j.use(many.slice(i, i + 1000), now).every((a) => a));
      for (let i = 0; i < many.length; i += 1000) assert.ok(j.use(many.slice(i, i + 1000), now).every((a) => !a));
      assert.equal(j.size(), 100_002);
      j.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the record format it has always read: SHA-256 bytes 0-7 as two little-endian words, expiry, check', async () => {
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const dir = tempDir();
    try {
      const now = Date.now();
      const j = openNonceJournal(dir, now);
      const exp = now + 10 * MIN;
      assert.deepEqual(j.use([{ accessKeyId: 'LTAI5tKey', nonce: '0f4e-nonce', expiresAtMs: exp }], now), [true]);
      j.close();
      const [file] = readdirSync(dir).filter((n) => n.endsWith('.nonces'));
      const rec = readFileSync(join(dir, file as string));
      const digest = createHash('sha256').update('LTAI5tKey\n0f4e-nonce').digest();
      const fa = digest.readUInt32LE(0);
      const fb = digest.readUInt32LE(4);
      const e = Math.ceil(exp / 1000);
      assert.equal(rec.length, 16);
      assert.deepEqual([rec.readUInt32LE(0), rec.readUInt32LE(4), rec.readUInt32LE(8), rec.readUInt32LE(12)], [fa, fb, e, (fa ^ fb ^ e ^ 0x6c6e6f6e) >>> 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reopened journal refuses what was written, skips a torn record, and takes over expired nonces', () => {
    const dir = tempDir();
    try {
      const now = Date.now();
      const j = openNonceJournal(dir, now);
      assert.deepEqual(j.use([{ accessKeyId: 'A', nonce: 'kept', expiresAtMs: now + 10 * MIN }, { accessKeyId: 'A', nonce: 'short', expiresAtMs: now + 2_000 }], now), [true, true]);
      j.close();
      // A crash in the middle of a write leaves part of a record: it is ignored, the records before it are not.
      const [seg] = readdirSync(dir);
      appendFileSync(join(dir, seg as string), Buffer.from([1, 2, 3, 4, 5, 6, 7]));
      const again = openNonceJournal(dir, now + 5_000);
      assert.deepEqual(again.use([
        { accessKeyId: 'A', nonce: 'kept', expiresAtMs: now + 20 * MIN },
        { accessKeyId: 'A', nonce: 'short', expiresAtMs: now + 20 * MIN },
        { accessKeyId: 'A', nonce: 'new', expiresAtMs: now + 20 * MIN },
      ], now + 5_000), [false, true, true]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a record whose check does not match is not trusted; segments whose nonces all expired are removed', () => {
    const dir = tempDir();
    try {
      const now = Date.now();
      const j = openNonceJournal(dir, now);
      j.use([{ accessKeyId: 'A', nonce: 'old', expiresAtMs: now + 1_000 }], now);
      j.close();
      // Garbage of a whole record's length (16 bytes) in a segment of its own.
      writeFileSync(join(dir, `${now + 1}.nonces`), Buffer.alloc(16, 0xab));
      // Expired but within its 5 minutes, a segment may still be written to by a server: it stays.
      openNonceJournal(dir, now + 2 * MIN).close();
      assert.equal(readdirSync(dir).length, 2);
      // Past every expiry: both segments go at open, and nothing is refused.
      const later = openNonceJournal(dir, now + 10 * MIN);
      assert.deepEqual(readdirSync(dir), []);
      assert.deepEqual(later.use([{ accessKeyId: 'A', nonce: 'old', expiresAtMs: now + 30 * MIN }], now + 10 * MIN), [true]);
      assert.equal(readdirSync(dir).length, 1);
      assert.equal(statSync(join(dir, readdirSync(dir)[0] as string)).size, 16);
      later.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a write that fails refuses the batch, and the same nonces are judged afresh after', () => {
    const dir = tempDir();
    try {
      const now = Date.now();
      const j = openNonceJournal(dir, now);
      j.use([{ accessKeyId: 'A', nonce: 'warm', expiresAtMs: now + MIN }], now);
      // The segment's directory taken away: the next segment cannot be opened, so the write fails.
      rmSync(dir, { recursive: true, force: true });
      writeFileSync(dir, 'not a directory');
      assert.throws(() => j.use([{ accessKeyId: 'A', nonce: 'lost', expiresAtMs: now + MIN }], now + 6 * MIN));
      rmSync(dir, { force: true });
      mkdirSync(dir);
      // The same journal, once it can write again: the nonce of the failed batch was not kept.
      assert.deepEqual(j.use([{ accessKeyId: 'A', nonce: 'lost', expiresAtMs: now + 7 * MIN }], now + 6 * MIN), [true]);
      assert.deepEqual(j.use([{ accessKeyId: 'A', nonce: 'lost', expiresAtMs: now + 7 * MIN }], now + 6 * MIN), [false]);
      j.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
