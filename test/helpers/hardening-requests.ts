// Hostile requests for the property-based suite: a fast-check arbitrary of request *plans* (which action,
// which parameters, which key, how the signature and the bytes on the wire are broken) and a builder that turns
// a plan into bytes at send time (so that timestamps are fresh). Every plan also says what a correct server may
// answer: which format, whether a 200 is possible at all (only for an intact signature), whether the server
// may close without a word (only when the client itself gave up mid-request).
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { OPERATIONS } from '../../src/api/catalogue.js';
import type { OpSpec } from '../../src/api/op.js';
import type { ParamSpec } from '../../src/api/shapes.js';
import { percentEncode } from '../../src/protocol/percent.js';
import { v1Sign, v1StringToSign } from '../../src/protocol/signature-v1.js';
import { v3CanonicalRequest, v3Hash, v3Sign, v3StringToSign, type V3Algorithm } from '../../src/protocol/signature-v3.js';
import { httpBytes } from './hardening-wire.js';

export interface Keys {
  main: { accessKeyId: string; accessKeySecret: string };
  other: { accessKeyId: string; accessKeySecret: string };
  disabled: { accessKeyId: string; accessKeySecret: string };
  readOnly: { accessKeyId: string; accessKeySecret: string };
}

export interface World {
  keys: Keys;
  /**
   * Instances and connection strings that exist, so that some requests reach the handlers. Read when a value is
   * drawn, not when the arbitrary is made: the fuzzer may delete an instance (it can lift the deletion protection
   * first) and the test puts a new one in its place, so later requests still reach the handlers.
   */
  instanceIds: string[];
  connectionStrings: string[];
}

const SIG_V1 = ['none', 'none', 'none', 'flip', 'empty', 'truncate', 'drop:AccessKeyId', 'drop:Signature', 'drop:SignatureNonce',
  'drop:Timestamp', 'drop:SignatureMethod', 'badMethod', 'badVersion', 'expired', 'future', 'badTimestamp', 'longNonce', 'sts', 'replay'] as const;
const SIG_V3 = ['none', 'none', 'none', 'flip', 'truncateAuth', 'noCredential', 'noSignature', 'badAlgorithm', 'unsignedHeader', 'badContentSha',
  'expired', 'badDate', 'noNonce', 'noDate', 'sts', 'otherScheme', 'replay', 'sm3'] as const;
export type SigMutation = (typeof SIG_V1)[number] | (typeof SIG_V3)[number];

/** Changes that keep the request meaningful and the signature valid. */
const HARMLESS = ['none', 'none', 'none', 'none', 'chunked', 'absoluteForm', 'http10', 'noHost', 'keepAlive'] as const;
/** Changes to the parameters on the wire (after signing). */
const PARAM_BREAKS = ['badPercent', 'invalidUtf8', 'nul', 'dupParam', 'hugeValue', 'manyParams', 'rawUtf8Body'] as const;
/** Changes to the HTTP message itself. */
const HTTP_BREAKS = ['method', 'path', 'truncatedBody', 'oversizedBody', 'oversizedChunked', 'wrongContentType', 'hugeHeader',
  'garbage', 'badHeaderLine', 'rawHighByteTarget', 'badChunk', 'contentLengthMismatch', 'badContentLength'] as const;
export type WireMutation = (typeof HARMLESS)[number] | (typeof PARAM_BREAKS)[number] | (typeof HTTP_BREAKS)[number];

export interface Plan {
  scheme: 'v1get' | 'v1post' | 'v3' | 'v3form' | 'none';
  action: string;
  params: Array<[string, string]>;
  format: 'JSON' | 'XML' | 'xml' | 'yaml' | undefined;
  key: 'main' | 'other' | 'unknown' | 'disabled' | 'readOnly';
  sig: SigMutation;
  wire: WireMutation;
  /** Drives positions and sizes inside a mutation. */
  n: number;
  method: string;
  path: string;
  garbage: Uint8Array;
}

export interface Built {
  bytes: Buffer;
  /** Sent again after the first answer (nonce replay). */
  replay: boolean;
  head: boolean;
  /** Format the answer must be in; undefined = either (the request could not be read far enough to know). */
  format: 'JSON' | 'XML' | undefined;
  /** A 200 is acceptable only for a request whose signature is intact. */
  mayBe200: boolean;
  /** The client gave up mid-request: the server may close without answering. */
  mayClose: boolean;
  /** Half-close after sending (the client gives up); otherwise the connection stays open for the answer. */
  end: boolean;
}

// ---------- parameter values ----------

/** Lone surrogates cannot be UTF-8 encoded by any client; the invalid-UTF-8 mutations cover those bytes. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(wellFormed),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '-1', '0', '1e309', '0x1F', '99999999999999999999', 'NaN', 'null', 'true', 'FALSE', '1.5', '%', '%%', '+',
    '\u202e', '\ufeff', '\u0085', "' OR 1=1 --", '"; drop table instances; --', '<x/>', ']]>', '${jndi:x}', '../../etc/passwd',
    'a'.repeat(300), '𝕏'.repeat(70), '1,2,3', ',', '0.0.0.0/0,0.0.0.0/0', '256.1.1.1', '1.2.3.4/33', '127.0.0.1/0'),
  fc.integer().map(String),
  fc.double().map(String),
);

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const prefix = fc.tuple(fc.constantFrom(...LOWER), fc.string({ unit: fc.constantFrom(...`${LOWER}0123456789-`), minLength: 7, maxLength: 20 }))
  .map(([a, b]) => a + b);

function goodValue(name: string, spec: ParamSpec, w: World): fc.Arbitrary<string> {
  switch (name) {
    case 'DBInstanceId': { // each instance twice as often as one that does not exist
      const n = w.instanceIds.length;
      return fc.nat({ max: 2 * n }).map((i) => (i === 2 * n ? 'rm-doesnotexist000000' : w.instanceIds[i % n] as string));
    }
    case 'CurrentConnectionString': return fc.nat({ max: w.connectionStrings.length }).map((i) => w.connectionStrings[i] ?? 'nope.mysql.rds.aliyuncs.com');
    case 'ConnectionStringPrefix': case 'ConnectionString': return prefix;
    case 'SecurityIps': case 'SecurityIPList': return fc.constantFrom('127.0.0.1', '0.0.0.0/0', '10.0.0.0/8,192.168.1.1', '127.0.0.1,10.1.1.1/32');
    case 'EngineVersion': return fc.constantFrom('8.0', '5.7', '16.0', '10.6', '2019_ent');
    case 'RegionId': return fc.constantFrom('cn-hangzhou', 'cn-beijing');
    case 'DBInstanceIPArrayName': return fc.constantFrom('default', 'Default', 'fuzz_group', 'a');
    case 'NextToken': return fc.constantFrom('a1c0ffee0000000000000001', 'zz');
    case 'UsedTime': return fc.nat({ max: 36 }).map(String);
  }
  if (spec.enum) return fc.constantFrom(...spec.enum);
  if (spec.kind === 'integer') return fc.integer({ min: spec.min ?? 0, max: Math.min(spec.max ?? 100, 100_000) }).map(String);
  if (spec.kind === 'boolean') return fc.constantFrom('true', 'false', 'True');
  if (spec.example) return fc.constant(spec.example);
  return fc.string({ minLength: spec.min ?? 0, maxLength: Math.min(spec.max ?? 20, 20) });
}

const UNKNOWN_ACTIONS = ['', 'Foo', 'describeDBInstances', 'ReleaseInstanceConnection', 'CreateAccount', 'Describe DBInstances', '__proto__', 'constructor', 'toString'];

type Params = Array<[string, string]>;
/** Arbitraries are costly to build (the chain would rebuild them for every plan): one per world and action. */
const paramCache = new WeakMap<World, Map<string, fc.Arbitrary<[Params, Params]>>>();

/**
 * Parameters for an action: each required one present 9 times in 10, each optional one 1 time in 4, all with
 * plausible values; then, 2 times in 3, one to three of them replaced by hostile values. Built once per action.
 */
function paramsFor(action: string, w: World): fc.Arbitrary<[Params, Params]> {
  const forWorld = paramCache.get(w) ?? new Map<string, fc.Arbitrary<[Params, Params]>>();
  paramCache.set(w, forWorld);
  const cached = forWorld.get(action);
  if (cached) return cached;
  const op = Object.prototype.hasOwnProperty.call(OPERATIONS, action) ? (OPERATIONS as Record<string, OpSpec>)[action] : undefined;
  let arb: fc.Arbitrary<[Params, Params]>;
  if (!op) {
    arb = fc.array(fc.tuple(fc.constantFrom('DBInstanceId', 'RegionId', 'X'), hostile), { maxLength: 3 }).map((ps) => [ps, ps]);
  } else {
    const present = Object.entries(op.params).map(([name, spec]) =>
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), goodValue(name, spec, w))
        .map(([r, v]) => (r < (spec.required ? 0.9 : 0.25) ? ([name, v] as [string, string]) : undefined)));
    const names = [...Object.keys(op.params), 'Unknown', 'SourceIp'];
    const spoil = fc.oneof({ weight: 1, arbitrary: fc.constant([]) },
      { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom(...names), hostile), { minLength: 1, maxLength: 3 }) });
    arb = fc.tuple(fc.tuple(...present), spoil).map(([ps, bad]) => {
      const clean = ps.filter((p): p is [string, string] => p !== undefined);
      const out = [...clean];
      for (const [k, v] of bad) {
        const i = out.findIndex(([n]) => n === k);
        if (i >= 0) out[i] = [k, v]; else out.push([k, v]);
      }
      return [clean, out];
    });
  }
  forWorld.set(action, arb);
  return arb;
}

/** One plan in four is clean (intact signature, plausible parameters, harmless transport), to reach the handlers. */
export function planArbitrary(w: World): fc.Arbitrary<Plan> {
  return fc.tuple(hostilePlan(w), fc.nat({ max: 3 }), fc.constantFrom(...HARMLESS), fc.constantFrom('main', 'main', 'other', 'readOnly') as fc.Arbitrary<Plan['key']>)
    .map(([p, dice, wire, key]) => (dice > 0 ? p : {
      ...p, scheme: p.scheme === 'none' ? 'v3' : p.scheme, sig: 'none', wire, key, params: p.cleanParams, format: p.format === 'yaml' ? undefined : p.format,
    }));
}

function hostilePlan(w: World): fc.Arbitrary<Plan & { cleanParams: Array<[string, string]> }> {
  const action = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...Object.keys(OPERATIONS)) }, { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_ACTIONS) });
  return action.chain((a) => fc.record({
    scheme: fc.constantFrom('v1get', 'v1post', 'v3', 'v3form', 'v1get', 'v3', 'none') as fc.Arbitrary<Plan['scheme']>,
    action: fc.constant(a),
    both: paramsFor(a, w),
    format: fc.constantFrom('JSON', 'XML', 'xml', undefined, undefined, 'yaml') as fc.Arbitrary<Plan['format']>,
    key: fc.constantFrom('main', 'main', 'main', 'other', 'unknown', 'disabled', 'readOnly') as fc.Arbitrary<Plan['key']>,
    sig: fc.constantFrom(...SIG_V1, ...SIG_V3) as fc.Arbitrary<SigMutation>,
    wire: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...HARMLESS) }, { weight: 3, arbitrary: fc.constantFrom(...PARAM_BREAKS) },
      { weight: 3, arbitrary: fc.constantFrom(...HTTP_BREAKS) }) as fc.Arbitrary<WireMutation>,
    n: fc.nat({ max: 1_000_000 }),
    method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO', 'get', 'PRI', 'CONNECT', 'M-SEARCH', 'PROPFIND'),
    path: fc.constantFrom('/x', '//', '/%2F', '/..', '*', '/?/', '/' + 'a'.repeat(2000), 'http://[', '/%', '/%ZZ', '/_localrds', '/explorer/../', 'http://127.0.0.1:1/x'),
    garbage: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }).map(({ both, ...rest }) => ({ ...rest, params: both[1], cleanParams: both[0] })));
}

// ---------- building the bytes ----------

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const enc = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);

function keyOf(p: Plan, w: World): { accessKeyId: string; accessKeySecret: string } {
  if (p.key === 'unknown') return { accessKeyId: `LTAIunknown${p.n}`, accessKeySecret: 'whatever' };
  return w.keys[p.key];
}

function signV1(p: Plan, w: World, method: string, pairs: Array<[string, string]>): Array<[string, string]> {
  const key = keyOf(p, w);
  const now = Date.now();
  const common: Array<[string, string]> = [
    ['AccessKeyId', key.accessKeyId], ['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'],
    ['SignatureNonce', randomBytes(16).toString('hex')], ['Timestamp', iso(now)], ['Version', '2014-08-15'],
  ];
  if (p.action !== '') common.push(['Action', p.action]);
  const set = (k: string, v: string) => { const e = common.find(([n]) => n === k); if (e) e[1] = v; else common.push([k, v]); };
  switch (p.sig) {
    case 'badMethod': set('SignatureMethod', 'HMAC-MD5'); break;
    case 'badVersion': set('SignatureVersion', '2.0'); break;
    case 'expired': set('Timestamp', iso(now - 20 * 60_000)); break;
    case 'future': set('Timestamp', iso(now + 20 * 60_000)); break;
    case 'badTimestamp': set('Timestamp', ['2026-13-45T99:00:00Z', 'yesterday', '2026-02-30T00:00:00Z', String(now)][p.n % 4] as string); break;
    case 'longNonce': set('SignatureNonce', 'n'.repeat(129 + (p.n % 1000))); break;
    case 'sts': set('SecurityToken', 'CAIS' + 'x'.repeat(p.n % 50)); break;
  }
  const all = [...common, ...pairs];
  const map = new Map<string, string>();
  for (const [k, v] of all) if (!map.has(k)) map.set(k, v);
  let sig = v1Sign(key.accessKeySecret, v1StringToSign(method, map));
  if (p.sig === 'flip') sig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  if (p.sig === 'empty') sig = '';
  if (p.sig === 'truncate') sig = sig.slice(0, p.n % sig.length);
  let out: Array<[string, string]> = [...all, ['Signature', sig]];
  if (p.sig.startsWith('drop:')) out = out.filter(([k]) => k !== p.sig.slice(5));
  return out;
}

interface V3Out { headers: Array<[string, string]> }

function signV3(p: Plan, w: World, query: Array<[string, string]>, body: Buffer, endpoint: string): V3Out {
  const key = keyOf(p, w);
  const alg: V3Algorithm = p.sig === 'sm3' ? 'ACS3-HMAC-SM3' : 'ACS3-HMAC-SHA256';
  const now = Date.now();
  const bodyHash = v3Hash(alg, body);
  const h: Record<string, string> = {
    host: endpoint, 'x-acs-version': '2014-08-15', 'x-acs-date': iso(now),
    'x-acs-signature-nonce': randomBytes(32).toString('hex'), 'x-acs-content-sha256': bodyHash,
  };
  if (p.action !== '') h['x-acs-action'] = p.action;
  if (body.length > 0) h['content-type'] = 'application/x-www-form-urlencoded';
  if (p.sig === 'expired') h['x-acs-date'] = iso(now - 16 * 60_000);
  if (p.sig === 'badDate') h['x-acs-date'] = 'Tue, 01 Jan 2026 00:00:00 GMT';
  if (p.sig === 'noNonce') delete h['x-acs-signature-nonce'];
  if (p.sig === 'noDate') delete h['x-acs-date'];
  if (p.sig === 'sts') h['x-acs-security-token'] = 'CAIS-token';
  if (p.sig === 'badContentSha') h['x-acs-content-sha256'] = createHash('sha256').update('other').digest('hex');
  const signed = Object.keys(h).sort();
  const canonical = v3CanonicalRequest({ method: 'POST', path: '/', query, headers: h, signedHeaders: signed, bodyHash });
  let sig = v3Sign(alg, key.accessKeySecret, v3StringToSign(alg, canonical));
  if (p.sig === 'flip') sig = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
  let auth = `${alg} Credential=${key.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${sig}`;
  if (p.sig === 'truncateAuth') auth = auth.slice(0, p.n % auth.length);
  if (p.sig === 'noCredential') auth = auth.replace(/Credential=[^,]*,/, '');
  if (p.sig === 'noSignature') auth = auth.replace(/,Signature=.*$/, '');
  if (p.sig === 'badAlgorithm') auth = auth.replace(alg, 'ACS3-HMAC-SHA1');
  if (p.sig === 'otherScheme') auth = `Bearer ${sig}`;
  const headers = Object.entries(h) as Array<[string, string]>;
  if (p.sig === 'unsignedHeader') headers.push(['x-acs-extra', 'not signed']);
  headers.push(['authorization', auth]);
  return { headers };
}

function insertAt(s: string, at: number, what: string): string {
  const i = s.length === 0 ? 0 : at % (s.length + 1);
  return s.slice(0, i) + what + s.slice(i);
}

/** Turns a plan into bytes now. `endpoint` is host:port (signed into V3's host header). */
export function build(p: Plan, w: World, endpoint: string): Built {
  const v1 = p.scheme === 'v1get' || p.scheme === 'v1post';
  const v3 = p.scheme === 'v3' || p.scheme === 'v3form';
  // A mutation of the other scheme's list does not apply (signV1 / signV3 ignore it): the signature stays intact.
  const breaking = (v1 ? SIG_V1 : SIG_V3).filter((m) => m !== 'none' && m !== 'replay' && m !== 'sm3') as readonly string[];
  const sigIntact = p.scheme !== 'none' && !breaking.includes(p.sig);
  const method = p.scheme === 'v1get' ? 'GET' : 'POST';
  const business: Array<[string, string]> = [...p.params];
  if (p.format !== undefined) business.push(['Format', p.format]);

  // Where each parameter travels.
  let query: Array<[string, string]> = [];
  let form: Array<[string, string]> = [];
  const headers: Array<[string, string]> = [];
  if (p.scheme === 'none') {
    query = [...(p.action ? [['Action', p.action] as [string, string]] : []), ['Version', '2014-08-15'], ...business];
  } else if (v1) {
    const signed = signV1(p, w, method, business);
    if (p.scheme === 'v1get') query = signed; else form = signed;
  } else {
    const fmt = business.filter(([k]) => k === 'Format');
    const rest = business.filter(([k]) => k !== 'Format');
    if (p.scheme === 'v3') query = [...fmt, ...rest];
    else { query = fmt; form = rest; }
  }

  // Wire mutations on the encoded parameters; Format is never touched so that the expected format stays known.
  let q = enc(query);
  let f = enc(form);
  let rawBody: Buffer | undefined;
  const target = () => (q.length > 0 ? q : f.length > 0 ? f : q);
  const pick = (list: string[]) => {
    const idx = list.map((x, i) => [x, i] as const).filter(([x]) => !x.startsWith('Format=')).map(([, i]) => i);
    return idx.length === 0 ? -1 : (idx[p.n % idx.length] as number);
  };
  let paramsBroken = false;
  let hugeInTarget = false;
  const breakOne = (fn: (s: string) => string) => {
    const list = target();
    const i = pick(list);
    if (i >= 0) { list[i] = fn(list[i] as string); paramsBroken = true; } else { list.push(fn('X=1')); paramsBroken = true; }
  };
  switch (p.wire) {
    // Never a valid escape, wherever it lands (V3 signs what is sent, so a valid one would be a valid request);
    // a lone '%' goes at the end of a pair.
    case 'badPercent': breakOne((s) => (p.n % 6 === 0 ? `${s}%` : insertAt(s, p.n, ['%', '%G', '%4G', '%ZZ', '%%41', '%u0041'][p.n % 6] as string))); break;
    case 'invalidUtf8': breakOne((s) => s + ['%FF', '%C3%28', '%ED%A0%80', '%E2%82', '%F8%88%80%80%80', '%C0%AF', '%80'][p.n % 7]); break;
    case 'nul': breakOne((s) => s + '%00'); break;
    case 'dupParam': {
      const list = target();
      const i = pick(list);
      const pair = i >= 0 ? (list[i] as string) : 'X=1';
      if (i < 0) list.push(pair);
      const again = `${pair.slice(0, pair.indexOf('=') + 1)}${p.n % 3 === 0 ? '' : 'other'}`;
      // The same name twice in one place, or once in the query and once in the body (which the server merges).
      if (p.n % 2 === 0) list.push(again); else (list === q ? f : q).push(again);
      paramsBroken = true;
      break;
    }
    case 'hugeValue': {
      const big = 'A'.repeat(65 * 1024 + (p.n % 1000));
      if (method === 'POST' || p.scheme === 'none') f.push(`Huge=${big}`); else { q.push(`Huge=${big}`); hugeInTarget = true; }
      paramsBroken = true;
      break;
    }
    case 'manyParams': {
      for (let i = 0; i < 513 + (p.n % 200); i++) f.push(`P${i}=${i}`);
      paramsBroken = true;
      break;
    }
    case 'rawUtf8Body': rawBody = Buffer.concat([Buffer.from(f.join('&') + '&X=', 'latin1'), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]); paramsBroken = true; break;
  }
  const httpMethod = method;
  let body = rawBody ?? Buffer.from(f.join('&'), 'latin1');
  const qs = q.join('&');
  let path = qs ? `/?${qs}` : '/';
  if (body.length > 0 || p.scheme === 'v1post' || p.scheme === 'v3form') headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  if (v3) {
    // The signature covers the decoded query and the body bytes actually sent.
    const sq: Array<[string, string]> = [];
    for (const part of qs.split('&').filter(Boolean)) {
      const eq = part.indexOf('=');
      try { sq.push([decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))]); } catch { sq.push([part, '']); }
    }
    const sig = signV3(p, w, sq, body, endpoint);
    for (const [k, v] of sig.headers) if (k !== 'content-type') headers.push([k, v]);
  }

  let format: Built['format'] = p.format === 'XML' || p.format === 'xml' ? 'XML' : 'JSON';
  const formatInQuery = q.some((x) => x.startsWith('Format='));
  let mayBe200 = sigIntact && !paramsBroken;
  let mayClose = false;
  let head = false;
  // The connection stays open for the answer: Node's HTTP server drops a request whose client half-closes before
  // the answer is ready (docs/security.md), so only a client that gives up mid-request half-closes here.
  let end = false;
  let noContentLength = false;
  let version = 'HTTP/1.1';
  let httpMethodOut = httpMethod;
  const parserError = () => { format = undefined; mayBe200 = false; };

  switch (p.wire) {
    case 'chunked': {
      const size = Math.max(1, p.n % 64);
      const parts: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) {
        const c = body.subarray(i, i + size);
        parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      headers.push(['Transfer-Encoding', 'chunked']);
      body = Buffer.concat(parts);
      noContentLength = true;
      break;
    }
    case 'absoluteForm': path = `http://${endpoint}${path}`; break;
    case 'http10': version = 'HTTP/1.0'; break;
    case 'noHost': if (!v3) headers.push(['Host', '']); break;
    case 'keepAlive': headers.push(['Connection', 'keep-alive']); break;
    case 'method':
      httpMethodOut = p.method;
      mayBe200 = false;
      head = p.method === 'HEAD';
      if (!['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'M-SEARCH', 'PROPFIND'].includes(p.method)) parserError();
      break;
    case 'path': {
      path = p.path + (qs ? (p.path.includes('?') ? '&' : '?') + qs : '');
      // "/.." and "/explorer/../" are "/" once normalised, and the signatures do not cover the path.
      const normal = URL.canParse(path, 'http://h') ? new URL(path, 'http://h') : undefined;
      mayBe200 = mayBe200 && normal?.pathname === '/' && normal.search === (qs ? `?${qs}` : '');
      break;
    }
    case 'truncatedBody': {
      headers.push(['Content-Length', String(body.length + 1 + (p.n % 100))]);
      noContentLength = true;
      parserError();
      mayClose = true;
      end = true;
      break;
    }
    case 'oversizedBody':
    case 'oversizedChunked': {
      const pad = Buffer.alloc(256 * 1024 + 1 + (p.n % 4096), 0x61);
      body = Buffer.concat([body, Buffer.from('&Pad='), pad]);
      if (p.wire === 'oversizedChunked') {
        body = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
        headers.push(['Transfer-Encoding', 'chunked']);
        noContentLength = true;
      }
      mayBe200 = false;
      if (!formatInQuery) format = 'JSON';
      // The server may answer before reading everything and close; that is the point of the limit.
      break;
    }
    case 'wrongContentType': {
      const i = headers.findIndex(([k]) => k === 'Content-Type');
      if (i >= 0) headers[i] = ['Content-Type', ['text/plain', 'application/json', 'multipart/form-data; boundary=x', ''][p.n % 4] as string];
      else headers.push(['Content-Type', 'text/plain']);
      // Only a body-less V1 GET stays valid: V3 signs the content type, and a body that is not a form is ignored.
      mayBe200 = mayBe200 && p.scheme === 'v1get' && body.length === 0;
      if (!formatInQuery) format = 'JSON';
      break;
    }
    case 'hugeHeader': headers.push(['X-Huge', 'h'.repeat(33 * 1024 + (p.n % 1000))]); parserError(); break;
    case 'badHeaderLine': headers.push(['Bad Header', 'x']); parserError(); break;
    case 'rawHighByteTarget': path = `/?${qs}&Raw=\u00e9\u00ff`; parserError(); break;
    case 'badChunk':
      headers.push(['Transfer-Encoding', 'chunked']);
      body = Buffer.from(`zz\r\n${body.toString('latin1')}\r\n0\r\n\r\n`, 'latin1');
      noContentLength = true;
      parserError();
      break;
    case 'contentLengthMismatch':
      // Both framings at once: a request-smuggling shape that must be refused, not guessed at.
      headers.push(['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']);
      noContentLength = true;
      parserError();
      break;
    case 'badContentLength': headers.push(['Content-Length', ['-1', '1x', '99999999999999999999', '1, 2'][p.n % 4] as string]); noContentLength = true; parserError(); break;
    case 'garbage':
      return { bytes: Buffer.from(p.garbage), replay: false, head: false, format: undefined, mayBe200: false, mayClose: true, end: true };
  }
  if (hugeInTarget) parserError();
  if (p.key === 'unknown' || p.key === 'disabled') mayBe200 = false;
  const bytes = httpBytes({ method: httpMethodOut, target: path, headers, body, version, noContentLength });
  return { bytes, replay: p.sig === 'replay' && sigIntact, head, format, mayBe200, mayClose, end };
}
