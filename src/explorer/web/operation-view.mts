// One operation: what it does, its parameters as a form (type, required, limits, values, description),
// Call (signed in the page), the raw exchange, code samples for the filled-in form, the response shape
// and the errors it can answer with.
import type { OperationDoc, ParamDoc } from '../catalogue-types.js';
import { generateSamples, type SampleLanguage } from '../samples.js';
import type { SignatureScheme } from '../signer.js';
import { callApi, NetworkError, type CallResult } from './api.mjs';
import { catalogue, errorHref, findError, limitsText, shapeTree, typeText, wireParams } from './catalogue.mjs';
import { announce, copyText, h, replace, type Child } from './dom.mjs';
import { refreshLive } from './live-data.mjs';
import { settings } from './settings.mjs';

/** Form values per operation, kept while the page is open so that moving between operations loses nothing. */
const formValues = new Map<string, Record<string, string>>();
const results = new Map<string, CallResult | Error>();
let sampleLanguage: SampleLanguage = 'typescript';
/** Redraws the samples of the operation on screen (they embed the credentials). */
let currentSamples: (() => void) | undefined;

export function redrawSamples(): void {
  currentSamples?.();
}

/** Fills a form from elsewhere (the live view's shortcuts). */
export function prefill(action: string, values: Record<string, string>): void {
  formValues.set(action, { ...(formValues.get(action) ?? {}), ...values });
}

function valuesOf(op: OperationDoc): Record<string, string> {
  let v = formValues.get(op.name);
  if (!v) {
    v = {};
    formValues.set(op.name, v);
  }
  return v;
}

export function renderOperation(main: HTMLElement, op: OperationDoc): void {
  const values = valuesOf(op);
  const required = op.params.filter((p) => p.required);
  const optional = op.params.filter((p) => !p.required);
  const samplesBox = h('div', { class: 'samples' });
  const resultBox = h('div', { id: 'result', class: 'result' });
  let scheme: SignatureScheme = settings().scheme;

  const drawSamples = () => { if (samplesBox.isConnected) renderSamples(samplesBox, op, values); };
  currentSamples = drawSamples;
  const field = (p: ParamDoc) => paramField(p, values, drawSamples);

  const callButton = h('button', { type: 'submit', class: 'primary', id: 'call' }, 'Call');
  const form = h('form', {
    class: 'call-form', 'aria-labelledby': 'params-h', novalidate: true,
    onsubmit: (e: Event) => {
      e.preventDefault();
      void call(op, values, scheme, resultBox, callButton);
    },
  },
  h('h2', { id: 'params-h' }, 'Parameters'),
  required.length === 0 ? h('p', { class: 'muted' }, 'No required parameters.') : null,
  required.map(field),
  optional.length > 0
    ? h('details', { class: 'optional', open: optional.some((p) => (values[p.name] ?? '') !== '') },
      h('summary', {}, `Optional parameters (${optional.length})`), optional.map(field))
    : null,
  h('div', { class: 'call-bar' },
    h('label', { for: 'scheme' }, 'Signature '),
    h('select', {
      id: 'scheme',
      onchange: (e: Event) => { scheme = (e.target as HTMLSelectElement).value as SignatureScheme; },
    },
    h('option', { value: 'V3', selected: scheme === 'V3' }, 'V3 ACS3-HMAC-SHA256'),
    h('option', { value: 'V1', selected: scheme === 'V1' }, 'V1 HMAC-SHA1')),
    callButton,
    h('button', {
      type: 'button', class: 'quiet',
      onclick: () => {
        formValues.set(op.name, {});
        results.delete(op.name);
        renderOperation(main, op);
      },
    }, 'Clear')));

  replace(main,
    h('header', { class: 'op-head' },
      h('h1', { tabindex: -1 }, op.name),
      h('p', { class: 'badges' },
        h('span', { class: 'badge' }, op.group),
        h('span', { class: `badge ${op.mutates ? 'writes' : 'reads'}` }, op.mutates ? 'changes state' : 'read-only'),
        h('span', { class: 'badge' }, `Version ${catalogue().apiVersion}`)),
      h('p', { class: 'summary' }, op.summary)),
    form,
    resultBox,
    h('section', { 'aria-labelledby': 'code-h' }, h('h2', { id: 'code-h' }, 'Code'),
      h('p', { class: 'muted' }, 'The filled-in form as a program, configured for this localrds. Empty fields are left out.'),
      samplesBox),
    h('section', { 'aria-labelledby': 'response-h' }, h('h2', { id: 'response-h' }, 'Response'), shapeTree(op.output)),
    h('section', { 'aria-labelledby': 'errors-h' }, h('h2', { id: 'errors-h' }, 'Errors'), errorList(op)));
  renderSamples(samplesBox, op, values);
  const last = results.get(op.name);
  if (last) renderResult(resultBox, last);
}

function paramField(p: ParamDoc, values: Record<string, string>, changed: () => void): HTMLElement {
  const id = `p-${p.name}`;
  const onInput = (e: Event) => {
    values[p.name] = (e.target as HTMLInputElement | HTMLSelectElement).value;
    changed();
  };
  const current = values[p.name] ?? '';
  const described = `${id}-desc`;
  let input: HTMLElement;
  if (p.enum || p.kind === 'boolean') {
    const options = p.enum ?? ['true', 'false'];
    input = h('select', { id, name: p.name, 'aria-describedby': described, 'aria-required': p.required ? 'true' : undefined, onchange: onInput },
      h('option', { value: '' }, p.default !== undefined ? `(not set: ${p.default})` : '(not set)'),
      options.map((o) => h('option', { value: o, selected: o === current }, o)));
  } else {
    const list = p.name === 'DBInstanceId' ? 'dl-instances' : p.name === 'CurrentConnectionString' ? 'dl-connections' : undefined;
    input = h('input', {
      id, name: p.name, type: 'text', value: current, autocomplete: 'off', spellcheck: 'false', list,
      inputmode: p.kind === 'integer' ? 'numeric' : undefined,
      placeholder: p.example ?? (p.default !== undefined ? p.default : undefined),
      'aria-describedby': described, 'aria-required': p.required ? 'true' : undefined, oninput: onInput,
    });
  }
  const rules = [typeText(p), ...limitsText(p)];
  return h('div', { class: 'param' },
    h('label', { for: id }, h('code', {}, p.name), p.required ? h('span', { class: 'req' }, ' required') : null),
    input,
    h('p', { id: described, class: 'param-doc' },
      h('span', { class: 'rules' }, rules.join(' · ')),
      p.invalidCode ? [' · invalid: ', h('a', { href: errorHref(p.invalidCode) }, p.invalidCode)] : null,
      h('br'), p.description));
}

async function call(op: OperationDoc, values: Record<string, string>, scheme: SignatureScheme, box: HTMLElement, button: HTMLButtonElement): Promise<void> {
  const params = op.params.filter((p) => (values[p.name] ?? '') !== '').flatMap((p) => wireParams(p, values[p.name] as string));
  button.disabled = true;
  button.textContent = 'Calling…';
  let outcome: CallResult | Error;
  try {
    outcome = await callApi(op.name, params, scheme);
  } catch (e) {
    outcome = e instanceof Error ? e : new Error(String(e));
  }
  button.disabled = false;
  button.textContent = 'Call';
  results.set(op.name, outcome);
  renderResult(box, outcome);
  const heading = box.querySelector<HTMLElement>('h2');
  heading?.focus();
  if (outcome instanceof Error) announce(`Call failed: ${outcome.message}`);
  else announce(`${op.name} answered HTTP ${outcome.status}${outcome.json?.Code ? ` ${String(outcome.json.Code)}` : ''}`);
  if (op.mutates) void refreshLive();
}

function renderResult(box: HTMLElement, r: CallResult | Error): void {
  if (r instanceof Error) {
    replace(box, h('h2', { tabindex: -1 }, 'Result'),
      h('p', { class: 'status err' }, r instanceof NetworkError ? r.message : `The request could not be made: ${r.message}`));
    return;
  }
  const body = r.json;
  const ok = r.status >= 200 && r.status < 300;
  const code = typeof body?.Code === 'string' ? body.Code : undefined;
  const requestId = typeof body?.RequestId === 'string' ? body.RequestId : r.headers.find(([k]) => k === 'x-acs-request-id')?.[1];
  const err = code ? findError(code) : undefined;
  const requestText = [
    `${r.signed.method} ${r.signed.url} HTTP/1.1`,
    ...Object.entries(r.signed.signedHeaders).map(([k, v]) => `${k}: ${v}`),
    ...(r.signed.signedHeaders.host ? [] : [`host: ${location.host}`]),
  ].join('\n');
  replace(box,
    h('h2', { tabindex: -1 }, 'Result'),
    h('p', { class: `status ${ok ? 'ok' : 'err'}` }, `HTTP ${r.status} ${r.statusText}`, h('span', { class: 'muted' }, ` · ${r.ms} ms`)),
    requestId ? h('p', { class: 'request-id' }, 'RequestId ', h('code', {}, requestId)) : null,
    code ? h('div', { class: 'error-box', role: 'note' },
      h('p', {}, h('strong', {}, code), err ? ` · HTTP ${err.status}` : ''),
      h('p', {}, typeof body?.Message === 'string' ? body.Message : ''),
      err ? h('p', {}, h('strong', {}, 'What to do: '), err.hint) : null,
      h('p', {}, h('a', { href: errorHref(code) }, `${code} in the error center`))) : null,
    block('Response body', body ? JSON.stringify(body, null, 2) : r.bodyText, true),
    block('Response headers', r.headers.map(([k, v]) => `${k}: ${v}`).join('\n')),
    block('Request (as signed and sent; the browser adds its own headers too)', requestText),
    r.signed.canonicalRequest !== undefined ? block('Canonical request', r.signed.canonicalRequest) : null,
    block('String to sign', r.signed.stringToSign));
}

function block(title: string, text: string, open = false): HTMLElement {
  return h('details', { class: 'block', open },
    h('summary', {}, title),
    h('div', { class: 'pre-wrap' }, h('pre', {}, text), copyButton(text, title)));
}

function copyButton(text: string | (() => string), what: string): HTMLElement {
  return h('button', {
    type: 'button', class: 'copy', 'aria-label': `Copy ${what}`,
    onclick: async (e: Event) => {
      const b = e.currentTarget as HTMLButtonElement;
      const ok = await copyText(typeof text === 'function' ? text() : text);
      b.textContent = ok ? 'Copied' : 'Copy failed';
      announce(ok ? `${what} copied` : 'Copy failed');
      window.setTimeout(() => { b.textContent = 'Copy'; }, 1500);
    },
  }, 'Copy');
}

function renderSamples(box: HTMLElement, op: OperationDoc, values: Record<string, string>): void {
  const s = settings();
  const samples = generateSamples({ op, values, endpoint: location.host, accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret });
  if (!samples.some((x) => x.language === sampleLanguage)) sampleLanguage = 'typescript';
  const current = samples.find((x) => x.language === sampleLanguage) ?? samples[0];
  if (!current) return;
  const focusedTab = box.contains(document.activeElement) && document.activeElement?.getAttribute('role') === 'tab';
  const select = (lang: SampleLanguage, focus: boolean) => {
    sampleLanguage = lang;
    renderSamples(box, op, values);
    if (focus) box.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus();
  };
  const tabs = h('div', { role: 'tablist', 'aria-label': 'Code samples', class: 'tabs' },
    samples.map((x, n) => h('button', {
      type: 'button', role: 'tab', id: `tab-${x.language}`, 'aria-controls': 'sample-panel',
      'aria-selected': x.language === current.language ? 'true' : 'false', tabindex: x.language === current.language ? 0 : -1,
      onclick: () => select(x.language, true),
      onkeydown: (e: Event) => {
        const k = (e as KeyboardEvent).key;
        const step = k === 'ArrowRight' ? 1 : k === 'ArrowLeft' ? -1 : 0;
        if (step === 0) return;
        e.preventDefault();
        const next = samples[(n + step + samples.length) % samples.length];
        if (next) select(next.language, true);
      },
    }, x.label)));
  replace(box, tabs,
    h('div', { role: 'tabpanel', id: 'sample-panel', 'aria-labelledby': `tab-${current.language}`, class: 'pre-wrap' },
      h('p', { class: 'muted filename' }, current.filename),
      h('pre', { class: 'code', tabindex: 0, 'data-language': current.language }, h('code', {}, current.code)),
      copyButton(current.code, `${current.label} sample`)));
  if (focusedTab) box.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus();
}

function errorList(op: OperationDoc): Child {
  const gateway = catalogue().errors.filter((e) => e.gateway).length;
  return [
    op.errors.length === 0 ? h('p', { class: 'muted' }, 'No operation-specific errors.') : h('ul', { class: 'errors' },
      op.errors.map((code) => {
        const e = findError(code);
        return h('li', {}, h('a', { href: errorHref(code) }, code), e ? h('span', { class: 'muted' }, ` · HTTP ${e.status} · ${e.hint}`) : null);
      })),
    h('p', { class: 'muted' }, `Plus the ${gateway} gateway codes every operation can answer with (signature, parameters, throttling…): see the `,
      h('a', { href: '#errors' }, 'error center'), '.'),
  ];
}
