// Stage 6 of the pipeline: RPC parameters -> the typed input the catalogue declares.
// Parameters the operation does not declare are ignored (Terraform sends RegionId and SourceIp everywhere).
import type { OpSpec } from '../api/op.js';
import type { ParamSpec } from '../api/shapes.js';
import { ApiError } from '../errors/api-error.js';

export function decodeParams(op: OpSpec, params: ReadonlyMap<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(op.params)) {
    const raw = params.get(name);
    if (raw === undefined || raw === '') {
      if (spec.required) throw new ApiError('MissingParameter', { name });
      continue;
    }
    input[name] = decodeValue(name, spec, raw);
  }
  return input;
}

function fail(name: string, spec: ParamSpec, detail: string): never {
  if (spec.invalidCode) throw new ApiError(spec.invalidCode, { name, detail });
  throw new ApiError('InvalidParameter', { name, detail });
}

function decodeValue(name: string, spec: ParamSpec, raw: string): string | number | boolean {
  switch (spec.kind) {
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
      const len = [...raw].length;
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
