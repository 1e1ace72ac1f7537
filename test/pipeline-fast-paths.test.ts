// The signed call's fast paths (issue 11) against the plain forms they stand in for, over many generated
// inputs: each must give the same answer, or the same error, as the slow form would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimestamp } from '../src/auth/authenticate.js';
import { ApiError } from '../src/errors/api-error.js';
import { decodeParams } from '../src/protocol/decode.js';
import { decodePairs, DecodeError } from '../src/protocol/percent.js';
import { peekFormat } from '../src/protocol/rpc-request.js';
import { byteOrder } from '../src/protocol/signature-v1.js';
import { constantTimeEqual, parseV3Authorization, v3CanonicalRequest } from '../src/protocol/signature-v3.js';
import { OPERATIONS } from '../src/api/catalogue.js';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

test('byteOrder agrees with comparing the UTF-8 encodings, surrogates (paired and lone) included', () => {
  const r = rng(1);
  const units = ['a', 'b', 'Z', '0', '-', '.', '_', '~', 'é', 'ÿ', 'Ā', '中', '\uffff', '\ue000', '\ud83d\ude00', '\ud83d', '\ude00', '\udbff\udfff', '\ud800'];
  const word = () => Array.from({ length: Math.floor(r() * 5) }, () => pick(r, units)).join('');
  const ref = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  for (let i = 0; i < 20_000; i++) {
    const a = word();
    const b = r() < 0.3 ? a + word() : word();
    assert.equal(byteOrder(a, b), ref(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(byteOrder(b, a), ref(b, a), `${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
  }
});

test('parseTimestamp gives what the regex and Date.parse give, for good and bad stamps alike', () => {
  // The form it had before its fast path.
  const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;
  const slow = (s: string): number | string => {
    const m = TIMESTAMP.exec(s);
    if (!m) return 'InvalidTimeStamp.Format';
    const t = Date.parse(s);
    if (Number.isNaN(t) || new Date(t).getUTCDate() !== Number(m[3])) return 'InvalidTimeStamp.Format';
    return t;
  };
  const fast = (s: string): number | string => {
    try {
      return parseTimestamp(s);
    } catch (e) {
      assert.ok(e instanceof ApiError);
      return e.code;
    }
  };
  const r = rng(2);
  const two = () => String(Math.floor(r() * 100)).padStart(2, '0');
  const field = (lo: number, hi: number) => String(lo + Math.floor(r() * (hi - lo + 1))).padStart(2, '0');
  const cases: string[] = ['2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z', '2024-12-31T23:59:59Z', '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z', '2024-01-01T23:59:60Z',
    '0099-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2024-00-10T00:00:00Z', '2024-13-10T00:00:00Z',
    '2024-01-00T00:00:00Z', '2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.123Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00z',
    '2024-1-01T00:00:00Z', '+02024-01-01T00:00:00Z', '２０２４-01-01T00:00:00Z', '2024-01-01T0a:00:00Z', '', 'Z'];
  for (let i = 0; i < 20_000; i++) {
    const y = r() < 0.8 ? String(1960 + Math.floor(r() * 200)) : String(Math.floor(r() * 10_000)).padStart(4, '0');
    const wild = r() < 0.3;
    const mo = wild ? two() : field(1, 12);
    const d = wild ? two() : field(1, 31);
    const h = wild ? two() : field(0, 23);
    const mi = wild ? two() : field(0, 59);
    const s = wild ? two() : field(0, 59);
    cases.push(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  }
  for (const s of cases) assert.equal(fast(s), slow(s), s);
});

test('decodePairs: a string with nothing to decode comes back as the pairs a decoding would give', () => {
  const r = rng(3);
  const chars = ['a', 'B', '1', '=', '&', '.', '-', '_', '~', '%20', '%2B', '+', '%41', 'é', '%E4%B8%AD', '%', '%zz', '%C3'];
  const decodeOne = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  const ref = (s: string): [string, string][] | 'DecodeError' => {
    try {
      return s.split('&').filter((p) => p !== '').map((p) => {
        const eq = p.indexOf('=');
        return [decodeOne(eq < 0 ? p : p.slice(0, eq)), eq < 0 ? '' : decodeOne(p.slice(eq + 1))];
      });
    } catch {
      return 'DecodeError';
    }
  };
  for (let i = 0; i < 20_000; i++) {
    const s = Array.from({ length: Math.floor(r() * 12) }, () => pick(r, chars)).join('');
    let got: [string, string][] | 'DecodeError';
    try {
      got = decodePairs(s);
    } catch (e) {
      assert.ok(e instanceof DecodeError);
      got = 'DecodeError';
    }
    assert.deepEqual(got, ref(s), s);
  }
});

test('peekFormat finds Format in the query and in a form body exactly as the regex over them does', () => {
  const r = rng(4);
  const parts = ['Format=XML', 'Format=xml', 'Format=JSON', 'Format=json', 'Format=XMLX', 'XFormat=XML', 'Format=', 'A=1', 'Format=XM', '&'];
  const re = /(?:^|&)Format=([A-Za-z]{3,4})(?:&|$)/;
  const ref = (q: string, b: string, ct: string | undefined) => {
    const form = ct !== undefined && ct.toLowerCase().startsWith('application/x-www-form-urlencoded');
    const f = (re.exec(q)?.[1] ?? (form ? re.exec(b)?.[1] : undefined) ?? '').toUpperCase();
    return f === 'XML' ? 'XML' : 'JSON';
  };
  for (let i = 0; i < 5_000; i++) {
    const q = Array.from({ length: Math.floor(r() * 4) }, () => pick(r, parts)).join('&');
    const b = Array.from({ length: Math.floor(r() * 4) }, () => pick(r, parts)).join('&');
    const ct = pick(r, [undefined, 'application/x-www-form-urlencoded', 'application/json', 'Application/X-WWW-Form-Urlencoded; charset=utf-8']);
    assert.equal(peekFormat(q, Buffer.from(b, 'latin1'), ct), ref(q, b, ct), `${q} | ${b} | ${ct}`);
  }
});

test('constantTimeEqual is string equality', () => {
  const r = rng(5);
  const hex = '0123456789abcdef';
  for (let i = 0; i < 5_000; i++) {
    const a = Array.from({ length: 64 }, () => pick(r, [...hex])).join('');
    const b = r() < 0.3 ? a : r() < 0.5 ? a.slice(0, 63) + pick(r, [...hex]) : a.slice(0, 1 + Math.floor(r() * 63));
    assert.equal(constantTimeEqual(a, b), a === b);
  }
  assert.equal(constantTimeEqual('', ''), true);
  assert.equal(constantTimeEqual('\ud83d', '\ude00'), false);
});

test('the V3 canonical request is the same for SignedHeaders in any order, and for a query in any order', () => {
  const headers = { host: 'h', 'x-acs-action': 'A', 'x-acs-date': '2024-01-01T00:00:00Z', 'x-acs-version': 'V', 'content-type': 'x' };
  const names = Object.keys(headers).sort();
  const query: Array<[string, string]> = [['b', '2'], ['a', '1 ~*'], ['ä', 'x'], ['B', '']];
  const base = v3CanonicalRequest({ method: 'POST', path: '/', query: [...query].sort((x, y) => byteOrder(x[0], y[0])), headers, signedHeaders: names, bodyHash: 'h' });
  assert.match(base, /^POST\n\/\nB=&a=1%20~%2A&b=2&%C3%A4=x\ncontent-type:x\nhost:h\n/);
  const r = rng(6);
  for (let i = 0; i < 200; i++) {
    const shuffled = [...names].sort(() => r() - 0.5);
    const q = [...query].sort(() => r() - 0.5);
    assert.equal(v3CanonicalRequest({ method: 'post', path: '/', query: q, headers, signedHeaders: shuffled, bodyHash: 'h' }), base);
  }
  // Paths other than "/" are still decoded and encoded.
  assert.match(v3CanonicalRequest({ method: 'GET', path: '/a%20b/c', query: [], headers, signedHeaders: names, bodyHash: 'h' }), /^GET\n\/a%20b\/c\n\n/);
});

test('parseV3Authorization agrees with splitting on "," into a Map of fields, over generated headers', () => {
  // The form it had before it scanned in place.
  const ref = (header: string) => {
    const sp = header.indexOf(' ');
    if (sp < 0) return undefined;
    const algorithm = header.slice(0, sp);
    if (!['ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3'].includes(algorithm)) return undefined;
    const fields = new Map<string, string>();
    for (const part of header.slice(sp + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) return undefined;
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const accessKeyId = fields.get('Credential');
    const signed = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (!accessKeyId || !signed || !signature) return undefined;
    return { algorithm, accessKeyId, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()), signature: signature.toLowerCase() };
  };
  const r = rng(7);
  const parts = ['Credential=AK', 'Credential=', ' Credential = AK2 ', 'SignedHeaders=host;X-Acs-Date', 'SignedHeaders= a ; b ', 'SignedHeaders=',
    'Signature=ABCdef', 'Signature=', 'Signature==x', 'Other=1', 'junk', '', '=', ' '];
  for (let i = 0; i < 20_000; i++) {
    const alg = pick(r, ['ACS3-HMAC-SHA256 ', 'ACS3-HMAC-SM3 ', 'ACS3-HMAC-MD5 ', 'ACS3-HMAC-SHA256', '']);
    const h = alg + Array.from({ length: Math.floor(r() * 5) }, () => pick(r, parts)).join(pick(r, [',', ',', ', ']));
    assert.deepEqual(parseV3Authorization(h), ref(h), h);
  }
});

test('parseV3Authorization: the last field of a name wins, unknown fields are ignored, a part without "=" is malformed', () => {
  const a = parseV3Authorization('ACS3-HMAC-SHA256 Credential=AK1, Other=x ,SignedHeaders=Host; X-Acs-Date,Signature=ABCD,Credential=AK2');
  assert.deepEqual(a, { algorithm: 'ACS3-HMAC-SHA256', accessKeyId: 'AK2', signedHeaders: ['host', 'x-acs-date'], signature: 'abcd' });
  assert.equal(parseV3Authorization('ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=ab,junk'), undefined);
  assert.equal(parseV3Authorization('ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab'), undefined);
  assert.equal(parseV3Authorization('ACS3-HMAC-MD5 Credential=AK,SignedHeaders=host,Signature=ab'), undefined);
});

test('decodeParams counts string lengths in code points, as [...s].length does', () => {
  const op = OPERATIONS.DescribeDBInstanceNetInfo;
  const emoji = '\ud83d\ude00';
  // DBInstanceId takes at most 64 characters: 64 emoji (128 code units) pass, 65 do not; a lone surrogate counts once.
  assert.equal(decodeParams(op, new Map([['DBInstanceId', emoji.repeat(64)]])).DBInstanceId, emoji.repeat(64));
  assert.throws(() => decodeParams(op, new Map([['DBInstanceId', emoji.repeat(65)]])), (e: unknown) => e instanceof ApiError && e.code === 'InvalidParameter');
  assert.equal(decodeParams(op, new Map([['DBInstanceId', '\ud83d'.repeat(64)]])).DBInstanceId, '\ud83d'.repeat(64));
  assert.throws(() => decodeParams(op, new Map([['DBInstanceId', `${'\ude00'.repeat(64)}a`]])), (e: unknown) => e instanceof ApiError);
});
