// The shapes DSL: request parameters and response bodies are declared once, as data.
// Parsing, validation, encoding, the explorer and the TypeScript types all read these declarations.
import type { ErrorCode } from '../errors/codes.js';

// ---------- request parameters ----------

/** stringList: `Name.1`, `Name.2`, ...; tagList: `Name.1.Key`, `Name.1.Value`, ... (the RPC repeatList style). */
export type ParamKind = 'string' | 'integer' | 'boolean' | 'stringList' | 'tagList';

export interface ParamSpec<K extends ParamKind = ParamKind, R extends boolean = boolean> {
  readonly kind: K;
  readonly required: R;
  /** Wire type as the API reference names it (Port is a String on the wire yet holds a number). */
  readonly wireType: 'String' | 'Integer' | 'Long' | 'Boolean' | 'RepeatList';
  readonly description: string;
  readonly example?: string;
  /** integer: value range; string: length range. */
  readonly min?: number;
  readonly max?: number;
  readonly enum?: readonly string[];
  /** Enum matching ignores case (the value handed to the handler is the canonical spelling). */
  readonly enumIgnoreCase?: boolean;
  readonly pattern?: RegExp;
  readonly default?: string;
  /** Code raised when this parameter breaks a rule (else InvalidParameter naming it). */
  readonly invalidCode?: ErrorCode;
  /** string: an empty value is a value (''), not an absent parameter. */
  readonly emptyOk?: boolean;
  /** Lists: most items (min/max then bound each item's length), and the code raised beyond it. */
  readonly maxItems?: number;
  readonly tooManyCode?: ErrorCode;
}

interface CommonOpts {
  description?: string;
  example?: string;
  default?: string;
  invalidCode?: ErrorCode;
}
interface StrOpts extends CommonOpts { required?: boolean; min?: number; max?: number; enum?: readonly string[]; enumIgnoreCase?: boolean; pattern?: RegExp; emptyOk?: boolean }
interface ListOpts extends CommonOpts { required?: boolean; max?: number; maxItems: number; tooManyCode?: ErrorCode }
interface IntOpts extends CommonOpts { required?: boolean; min?: number; max?: number; wireType?: 'String' | 'Integer' | 'Long' }
interface BoolOpts extends CommonOpts { required?: boolean }

type Req<O> = O extends { required: true } ? true : false;

export function str<const O extends StrOpts>(description: string, o: O = {} as O): ParamSpec<'string', Req<O>> {
  return { ...o, kind: 'string', wireType: 'String', description, required: (o.required ?? false) as Req<O> };
}
export function int<const O extends IntOpts>(description: string, o: O = {} as O): ParamSpec<'integer', Req<O>> {
  return { ...o, kind: 'integer', wireType: o.wireType ?? 'Integer', description, required: (o.required ?? false) as Req<O> };
}
export function bool<const O extends BoolOpts>(description: string, o: O = {} as O): ParamSpec<'boolean', Req<O>> {
  return { ...o, kind: 'boolean', wireType: 'Boolean', description, required: (o.required ?? false) as Req<O> };
}

/** `Name.N` values in N order; `max` bounds each item's length. */
export function strList<const O extends ListOpts>(description: string, o: O): ParamSpec<'stringList', Req<O>> {
  return { ...o, kind: 'stringList', wireType: 'RepeatList', description, required: (o.required ?? false) as Req<O> };
}
/** `Name.N.Key` / `Name.N.Value` pairs in N order (a missing Value is ''). */
export function tagList<const O extends ListOpts>(description: string, o: O): ParamSpec<'tagList', Req<O>> {
  return { ...o, kind: 'tagList', wireType: 'RepeatList', description, required: (o.required ?? false) as Req<O> };
}

export interface TagPair { Key: string; Value: string }

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type ValueOf<S> = S extends ParamSpec<'integer', boolean> ? number : S extends ParamSpec<'boolean', boolean> ? boolean
  : S extends ParamSpec<'stringList', boolean> ? string[] : S extends ParamSpec<'tagList', boolean> ? TagPair[] : string;
type RequiredKeys<P> = { [K in keyof P]: P[K] extends ParamSpec<ParamKind, true> ? K : never }[keyof P];
type OptionalKeys<P> = Exclude<keyof P, RequiredKeys<P>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The typed input a handler receives, derived from the parameter declarations. */
export type InputOf<P> = Simplify<{ [K in RequiredKeys<P>]: ValueOf<P[K]> } & { [K in OptionalKeys<P>]?: ValueOf<P[K]> }>;

// ---------- response bodies ----------

export type OutShape =
  | { readonly t: 'string'; readonly optional?: boolean; readonly description?: string }
  | { readonly t: 'integer'; readonly optional?: boolean; readonly description?: string }
  | { readonly t: 'boolean'; readonly optional?: boolean; readonly description?: string }
  | { readonly t: 'object'; readonly fields: Readonly<Record<string, OutShape>>; readonly optional?: boolean; readonly description?: string }
  | { readonly t: 'array'; readonly item: OutShape; readonly optional?: boolean; readonly description?: string };

export const o = {
  str: (description?: string) => ({ t: 'string', description }) as const,
  int: (description?: string) => ({ t: 'integer', description }) as const,
  bool: (description?: string) => ({ t: 'boolean', description }) as const,
  obj: <const F extends Record<string, OutShape>>(fields: F, description?: string) => ({ t: 'object', fields, description }) as const,
  list: <const I extends OutShape>(item: I, description?: string) => ({ t: 'array', item, description }) as const,
  opt: <const S extends OutShape>(s: S) => ({ ...s, optional: true }) as S & { readonly optional: true },
};

type OptKeys<F> = { [K in keyof F]: F[K] extends { optional: true } ? K : never }[keyof F];
type ReqKeys<F> = Exclude<keyof F, OptKeys<F>>;

/** The typed output a handler returns, derived from the response declaration. */
export type OutputOf<S> =
  S extends { t: 'string' } ? string
  : S extends { t: 'integer' } ? number
  : S extends { t: 'boolean' } ? boolean
  : S extends { t: 'array'; item: infer I } ? OutputOf<I>[]
  : S extends { t: 'object'; fields: infer F } ? Simplify<{ [K in ReqKeys<F>]: OutputOf<F[K]> } & { [K in OptKeys<F>]?: OutputOf<F[K]> }>
  : never;
