// Stage 6 of the pipeline: RPC parameters -> the typed input the catalogue declares.
// Parameters the operation does not declare are ignored (Terraform sends RegionId and SourceIp everywhere).
import type { OpSpec } from '../api/op.js';
import type { ParamSpec } from '../api/shapes.js';
import { ApiError } from '../errors/api-error.js';

// An operation's declared parameters as a list, made once per operation rather than once per call.
const declared = new WeakMap<OpSpec, Array<[string, ParamSpec]>>();

export function decodeParams(op: OpSpec, params: ReadonlyMap<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  let entries = declared.get(op);
  if (entries === undefined) declared.set(op, (entries = Object.entries(op.params)));
  for (const [name, spec] of entries) {
    if (spec.kind === 'stringList' || spec.kind === 'tagList') {
      const items = decodeList(name, spec, params);
      if (items.length === 0) {
        if (spec.required) throw new ApiError('MissingParameter', { name: `${name}.1` });
        continue;
      }
      input[name] = items;
      continue;
    }
    const raw = params.get(name);
    if (raw === '' && spec.emptyOk) {
      input[name] = '';
      continue;
    }
    if (raw === undefined || raw === '') {
      if (spec.required) throw new ApiError('MissingParameter', { name });
      continue;
    }
    input[name] = decodeValue(name, spec, raw);
  }
  return input;
}

const LIST_ITEM = /^(.+)\.(\d{1,4})(?:\.(Key|Value))?$/;

/**
 * Name.N (stringList) or Name.N.Key / Name.N.Value (tagList), ordered by N. Gaps in N are allowed (clients
 * number from 1 but may skip); an empty item is left out, as the SDKs leave out empty list members.
 */
function decodeList(name: string, spec: ParamSpec, params: ReadonlyMap<string, string>): Array<string | { Key: string; Value: string }> {
  const byN = new Map<number, { value?: string; Key?: string; Value?: string }>();
  for (const [k, v] of params) {
    const m = LIST_ITEM.exec(k);
    if (!m || m[1] !== name) continue;
    const n = Number(m[2]);
    const item = byN.get(n) ?? {};
    if (spec.kind === 'stringList' && m[3] === undefined) item.value = v;
    else if (spec.kind === 'tagList' && m[3] !== undefined) item[m[3] as 'Key' | 'Value'] = v;
    else continue;
    byN.set(n, item);
  }
  const ordered = [...byN.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
  const items = spec.kind === 'stringList'
    ? ordered.map((i) => i.value ?? '').filter((v) => v !== '')
    : ordered.filter((i) => (i.Key ?? '') !== '' || (i.Value ?? '') !== '').map((i) => ({ Key: i.Key ?? '', Value: i.Value ?? '' }));
  if (spec.maxItems !== undefined && items.length > spec.maxItems) {
    if (spec.tooManyCode) throw new ApiError(spec.tooManyCode, { name, detail: `At most ${spec.maxItems}.` });
    fail(name, spec, `At most ${spec.maxItems} items.`);
  }
  if (spec.max !== undefined) {
    for (const i of items) {
      const texts = typeof i === 'string' ? [i] : [i.Key, i.Value];
      if (texts.some((t) => [...t].length > spec.max!)) fail(name, spec, `Each value takes at most ${spec.max} characters.`);
    }
  }
  return items;
}

function fail(name: string, spec: ParamSpec, detail: string): never {
  if (spec.invalidCode) throw new ApiError(spec.invalidCode, { name, detail });
  throw new ApiError('InvalidParameter', { name, detail });
}

function decodeValue(name: string, spec: ParamSpec, raw: string): string | number | boolean {
  switch (spec.kind) {
    case 'stringList':
    case 'tagList':
      throw new Error('lists are decoded by decodeList');
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(raw.trim())) fail(name, spec, 'Expected an integer.');
      const n = Number(raw.trim());
      if (spec.min !== undefined && n < spec.min) fail(name, spec, `Must be at least ${spec.min}.`);
      if (spec.max !== undefined && n > spec.max) fail(name, spec, `Must be at most ${spec.max}.`);
      return n;
    }
    case 'boolean': {
      const b = raw.toLowerCase();
      if (b !== 'true' && b !== 'false') fail(name, spec, 'Expected true or false.');
      return b === 'true';
    }
    case 'string': {
      const len = codePoints(raw);
      if (spec.min !== undefined && len < spec.min) fail(name, spec, `Must be at least ${spec.min} characters.`);
      if (spec.max !== undefined && len > spec.max) fail(name, spec, `Must be at most ${spec.max} characters.`);
      if (spec.enum) {
        const hit = spec.enum.find((e) => (spec.enumIgnoreCase ? e.toLowerCase() === raw.toLowerCase() : e === raw));
        if (hit === undefined) fail(name, spec, `Must be one of ${spec.enum.join(', ')}.`);
        return hit;
      }
      if (spec.pattern && !spec.pattern.test(raw)) fail(name, spec, 'Has the wrong format.');
      return raw;
    }
  }
}

/** [...s].length without the array: a surrogate pair counts once, a lone surrogate once. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
