// The error center: every code with its HTTP status, message, the operations that raise it and what to do.
// Error bodies link here (Recommend: <base>/explorer/#errors/<Code>); each code is an element with the id
// errors/<Code>, and the router scrolls to it and moves the focus there.
import type { ErrorDoc } from '../catalogue-types.js';
import { catalogue } from './catalogue.mjs';
import { h, replace } from './dom.mjs';

export function renderErrors(main: HTMLElement, target?: string): void {
  const all = catalogue().errors;
  const list = h('div', { class: 'error-list' });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const draw = (filter: string) => {
    const f = filter.trim().toLowerCase();
    const shown = all.filter((e) => f === '' || e.code.toLowerCase().includes(f) || e.message.toLowerCase().includes(f));
    replace(list, shown.map((e) => errorCard(e, e.code === target)));
    count.textContent = f === '' ? `${all.length} codes` : `${shown.length} of ${all.length} codes`;
  };
  replace(main,
    h('header', {},
      h('h1', { tabindex: -1 }, 'Error center'),
      h('p', { class: 'summary' }, 'Every code localrds answers with. Error bodies carry a Recommend link to their entry here; {placeholders} in a message are filled in per request.')),
    h('div', { class: 'filter' },
      h('label', { for: 'error-filter' }, 'Filter codes '),
      h('input', { id: 'error-filter', type: 'search', autocomplete: 'off', oninput: (e: Event) => draw((e.target as HTMLInputElement).value) })),
    count,
    list);
  draw('');
  if (target !== undefined) {
    const el = document.getElementById(`errors/${target}`);
    if (el) {
      el.scrollIntoView({ block: 'start' });
      el.focus({ preventScroll: true });
    } else {
      list.prepend(h('p', { class: 'error-box', role: 'alert' }, `localrds has no error code "${target}".`));
    }
  }
}

function errorCard(e: ErrorDoc, isTarget: boolean): HTMLElement {
  return h('article', { id: `errors/${e.code}`, class: `error-card${isTarget ? ' target' : ''}`, tabindex: -1, 'aria-labelledby': `eh-${e.code}` },
    h('h2', { id: `eh-${e.code}` }, h('code', {}, e.code), h('span', { class: 'badge' }, `HTTP ${e.status}`)),
    h('dl', {},
      h('dt', {}, 'Message'), h('dd', {}, e.message),
      h('dt', {}, 'Raised by'), h('dd', {},
        e.gateway ? 'Any operation (gateway: checked before the operation runs)' : null,
        e.gateway && e.raisedBy.length > 0 ? '; declared by ' : null,
        e.raisedBy.map((op, n) => [n > 0 ? ', ' : '', h('a', { href: `#op/${op}` }, op)])),
      h('dt', {}, 'What to do'), h('dd', {}, e.hint)));
}
