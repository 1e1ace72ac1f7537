// The catalogue the page was given (/explorer/catalogue.json), loaded once.
import type { CatalogueDoc, ErrorDoc, OperationDoc, ParamDoc } from '../catalogue-types.js';
import type { OutShape } from '../../api/shapes.js';
import { h, type Child } from './dom.mjs';

let doc: CatalogueDoc;

export async function loadCatalogue(): Promise<CatalogueDoc> {
  const res = await fetch('catalogue.json', { cache: 'no-cache' });
  if (!res.ok) throw new Error(`catalogue.json: HTTP ${res.status}`);
  doc = (await res.json()) as CatalogueDoc;
  return doc;
}

export function catalogue(): CatalogueDoc {
  return doc;
}

export function findOp(name: string): OperationDoc | undefined {
  return doc.operations.find((o) => o.name === name);
}

export function findError(code: string): ErrorDoc | undefined {
  return doc.errors.find((e) => e.code === code);
}

export function errorHref(code: string): string {
  return `#errors/${encodeURIComponent(code)}`;
}

export function typeText(p: ParamDoc): string {
  if (p.kind === 'stringList') return `List (${p.name}.1, ${p.name}.2, …; comma-separated here)`;
  if (p.kind === 'tagList') return `Tags (${p.name}.N.Key / .Value; key=value, comma-separated here)`;
  return p.kind === 'integer' && p.wireType === 'String' ? 'String (integer)' : p.wireType;
}

/** The form's text for a parameter as wire parameters: lists typed comma-separated expand to Name.N (.Key/.Value). */
export function wireParams(p: ParamDoc, value: string): Array<[string, string]> {
  if (p.kind !== 'stringList' && p.kind !== 'tagList') return [[p.name, value]];
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (p.kind === 'stringList') return items.map((v, i) => [`${p.name}.${i + 1}`, v]);
  return items.flatMap((kv, i): Array<[string, string]> => {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const val = eq < 0 ? '' : kv.slice(eq + 1);
    return [[`${p.name}.${i + 1}.Key`, key], [`${p.name}.${i + 1}.Value`, val]];
  });
}

/** The rules of a parameter in words: ranges, lengths, values, pattern, default. */
export function limitsText(p: ParamDoc): string[] {
  const out: string[] = [];
  const range = (unit: string) => {
    if (p.min !== undefined && p.max !== undefined) out.push(`${unit}${p.min}–${p.max}`);
    else if (p.min !== undefined) out.push(`${unit}at least ${p.min}`);
    else if (p.max !== undefined) out.push(`${unit}at most ${p.max}`);
  };
  if (p.kind === 'integer') range('');
  if (p.kind === 'string') range('length ');
  if (p.enum) out.push(`one of ${p.enum.join(', ')}${p.enumIgnoreCase ? ' (any case)' : ''}`);
  if (p.kind === 'boolean') out.push('true or false');
  if (p.pattern) out.push(`matches /${p.pattern}/`);
  if (p.default !== undefined) out.push(`default ${p.default}`);
  return out;
}

/** The response body as an indented tree: RequestId first, as every answer carries it. */
export function shapeTree(output: OutShape): HTMLElement {
  const withId: OutShape = output.t === 'object'
    ? { ...output, fields: { RequestId: { t: 'string', description: 'Id of this request (also the x-acs-request-id header).' }, ...output.fields } }
    : output;
  return h('ul', { class: 'shape' }, shapeChildren(withId));
}

function shapeChildren(s: OutShape): Child[] {
  if (s.t === 'object') return Object.entries(s.fields).map(([name, f]) => shapeItem(name, f));
  if (s.t === 'array') return shapeChildren(s.item);
  return [];
}

function shapeItem(name: string, s: OutShape): HTMLElement {
  const type = s.t === 'array' ? `array of ${s.item.t}` : s.t;
  const nested = s.t === 'object' || (s.t === 'array' && s.item.t === 'object');
  return h('li', {},
    h('code', { class: 'field' }, name), ' ', h('span', { class: 'type' }, type), s.optional ? h('span', { class: 'opt' }, ' optional') : null,
    s.description ? h('span', { class: 'desc' }, ` — ${s.description}`) : null,
    nested ? h('ul', {}, shapeChildren(s)) : null);
}
