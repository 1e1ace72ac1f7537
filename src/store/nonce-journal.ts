// Signature nonces of a SQLite store: a table of fingerprints in memory, made durable by an append-only journal.
// A batch of nonces costs one write() (16 bytes each), where a SQLite commit cost about 25 µs of CPU per
// request; the journal survives kill -9 (the kernel has the bytes once write() returns), not a power cut, as
// the 'relaxed' commits before it. On open, the journal's live records fill the table again.
//
// The table holds a 64-bit fingerprint of (AccessKeyId, nonce) (the first 8 bytes of its SHA-256) and the
// expiry, in seconds, in typed arrays: 12 bytes a slot, so memory follows the live nonces (the window keeps each
// about 16 minutes) at roughly 24 to 48 bytes each, never a JavaScript object per nonce. A replay has the same
// fingerprint and is always refused; a fresh nonce is refused wrongly only if its fingerprint equals a live
// one's, about one chance in 2^64 / (live nonces): once in 10^12 calls with ten million live (docs/security.md).
import { hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface NonceItem { accessKeyId: string; nonce: string; expiresAtMs: number }

export interface NonceJournal {
  /** Once-only answers for the batch, in order, after its fresh nonces were written; throws if the write failed. */
  use(items: ReadonlyArray<NonceItem>, nowMs: number): boolean[];
  /** Live nonces held (for tests and the notes). */
  size(): number;
  close(): void;
}

const RECORD = 16;
const CHECK = 0x6c6e6f6e; // 'lnon'
/** A new segment file this often; a segment goes once every nonce in it has expired. */
const SEGMENT_MS = 5 * 60_000;
const MIN_CAPACITY = 1 << 12;

/** Open addressing, linear probing; an empty slot has expiry 0, an expired one may be reused. */
class FingerprintTable {
  private cap = MIN_CAPACITY;
  private a = new Uint32Array(this.cap);
  private b = new Uint32Array(this.cap);
  private exp = new Uint32Array(this.cap);
  /** Slots ever filled since the last rebuild (live or expired). */
  private filled = 0;

  /** true when (fa, fb) was not live and is now held until expSec; false when it is live (a replay). */
  add(fa: number, fb: number, expSec: number, nowSec: number): boolean {
    const mask = this.cap - 1;
    let i = fa & mask; // fa is hash bits already
    let reuse = -1;
    // Walk the whole chain: a live copy may sit past an expired slot.
    for (;;) {
      const e = this.exp[i] as number;
      if (e === 0) break;
      if (this.a[i] === fa && this.b[i] === fb) {
        if (e > nowSec) return false;
        this.exp[i] = expSec;
        return true;
      }
      if (reuse < 0 && e <= nowSec) reuse = i;
      i = (i + 1) & mask;
    }
    if (reuse < 0) {
      reuse = i;
      this.filled += 1;
    }
    this.a[reuse] = fa;
    this.b[reuse] = fb;
    this.exp[reuse] = expSec;
    if (this.filled * 2 > this.cap) this.rebuild(nowSec);
    return true;
  }

  /** Marks a held fingerprint expired (its slot stays filled, so that probe chains through it stay whole). */
  expire(fa: number, fb: number): void {
    const mask = this.cap - 1;
    for (let i = fa & mask; (this.exp[i] as number) !== 0; i = (i + 1) & mask) {
      if (this.a[i] === fa && this.b[i] === fb) {
        this.exp[i] = 1;
        return;
      }
    }
  }

  /** Drops what expired and resizes for what is live: four slots or more per live fingerprint. */
  private rebuild(nowSec: number): void {
    const { a, b, exp } = this;
    let live = 0;
    for (let i = 0; i < exp.length; i++) if ((exp[i] as number) > nowSec) live += 1;
    let cap = MIN_CAPACITY;
    while (cap < live * 4) cap *= 2;
    this.cap = cap;
    this.a = new Uint32Array(cap);
    this.b = new Uint32Array(cap);
    this.exp = new Uint32Array(cap);
    this.filled = 0;
    for (let i = 0; i < exp.length; i++) {
      const e = exp[i] as number;
      if (e > nowSec) this.add(a[i] as number, b[i] as number, e, nowSec);
    }
  }

  live(nowSec: number): number {
    let n = 0;
    for (let i = 0; i < this.cap; i++) if ((this.exp[i] as number) > nowSec) n += 1;
    return n;
  }
}

/** A 32-bit word read little-endian from 8 hex digits (bytes in order), as Buffer.readUInt32LE reads the bytes. */
function wordLE(hex: string, at: number): number {
  const x = parseInt(hex.slice(at, at + 8), 16);
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * The fingerprint's two words: bytes 0-3 and 4-7 of the SHA-256, little-endian. Read from the hex digest, which
 * Node makes in about half the time of a digest into a new Buffer (the journal's records are unchanged).
 */
function fingerprint(accessKeyId: string, nonce: string): [number, number] {
  const hex = hash('sha256', `${accessKeyId}\n${nonce}`, 'hex');
  return [wordLE(hex, 0), wordLE(hex, 8)];
}

interface Segment { name: string; maxExpSec: number }

/** Opens (and replays) the journal in dir; nonces expired by nowMs are not loaded, and their segments go. */
export function openNonceJournal(dir: string, nowMs = Date.now()): NonceJournal {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const table = new FingerprintTable();
  const segments: Segment[] = [];
  const nowSec = Math.floor(nowMs / 1000);
  for (const name of readdirSync(dir).filter((n) => /^\d+\.nonces$/.test(n)).sort((x, y) => Number(x.split('.')[0]) - Number(y.split('.')[0]))) {
    const buf = readFileSync(join(dir, name));
    let maxExpSec = 0;
    // A record torn by a crash (a short tail, or a check that does not match) is skipped.
    for (let off = 0; off + RECORD <= buf.length; off += RECORD) {
      const fa = buf.readUInt32LE(off);
      const fb = buf.readUInt32LE(off + 4);
      const e = buf.readUInt32LE(off + 8);
      if ((buf.readUInt32LE(off + 12) ^ fa ^ fb ^ e) >>> 0 !== CHECK) continue;
      if (e > maxExpSec) maxExpSec = e;
      if (e > nowSec) table.add(fa, fb, e, nowSec);
    }
    // Only a segment past its 5 minutes can be finished: another process (`localrds keys`) opening the journal
    // must not remove the one a server is still appending to.
    if (maxExpSec <= nowSec && Number(name.split('.')[0]) + SEGMENT_MS <= nowMs) rmSync(join(dir, name), { force: true });
    else segments.push({ name, maxExpSec });
  }

  let fd = -1;
  let current: Segment | undefined;
  let segmentUntil = 0;
  const roll = (now: number): void => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    // A new file per segment; the directory entry made durable so that the file is found after a power cut too.
    current = { name: `${now}.nonces`, maxExpSec: 0 };
    fd = openSync(join(dir, current.name), 'a', 0o600);
    try {
      const dfd = openSync(dir, 'r');
      try { fsyncSync(dfd); } finally { closeSync(dfd); }
    } catch { /* a directory that cannot be fsynced (some file systems) still holds the file */ }
    segments.push(current);
    segmentUntil = now + SEGMENT_MS;
    // Segments whose nonces have all expired are no longer needed.
    const sec = Math.floor(now / 1000);
    for (let i = segments.length - 2; i >= 0; i--) {
      const s = segments[i] as Segment;
      if (s.maxExpSec <= sec) {
        rmSync(join(dir, s.name), { force: true });
        segments.splice(i, 1);
      }
    }
  };

  return {
    use(items, now) {
      if (now >= segmentUntil || fd < 0) roll(now);
      const seg = current as Segment;
      const sec = Math.floor(now / 1000);
      const out: boolean[] = new Array<boolean>(items.length);
      const rec = Buffer.allocUnsafe(items.length * RECORD);
      let n = 0;
      const added: Array<[number, number]> = [];
      for (let i = 0; i < items.length; i++) {
        const it = items[i] as NonceItem;
        const [fa, fb] = fingerprint(it.accessKeyId, it.nonce);
        // Rounded up: a nonce is never forgotten before its expiry.
        const e = Math.ceil(it.expiresAtMs / 1000);
        const fresh = table.add(fa, fb, e, sec);
        out[i] = fresh;
        if (!fresh) continue;
        added.push([fa, fb]);
        rec.writeUInt32LE(fa, n);
        rec.writeUInt32LE(fb, n + 4);
        rec.writeUInt32LE(e, n + 8);
        rec.writeUInt32LE((fa ^ fb ^ e ^ CHECK) >>> 0, n + 12);
        n += RECORD;
        if (e > seg.maxExpSec) seg.maxExpSec = e;
      }
      if (n > 0) {
        try {
          let off = 0;
          while (off < n) off += writeSync(fd, rec, off, n - off);
        } catch (err) {
          // Not recorded: the caller forgets them so that a retry is judged afresh; here they expire at once.
          for (const [fa, fb] of added) table.expire(fa, fb);
          throw err;
        }
      }
      return out;
    },
    size: () => table.live(Math.floor(Date.now() / 1000)),
    close() {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  };
}
