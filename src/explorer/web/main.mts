// The explorer page: layout, hash router (#op/<Action>, #errors, #errors/<Code>, #live), the operation search,
// the credentials panel and keyboard shortcuts ("/" focuses the search).
import type { CatalogueDoc, OperationDoc } from '../catalogue-types.js';
import { catalogue, findOp, loadCatalogue } from './catalogue.mjs';
import { h, replace } from './dom.mjs';
import { renderErrors } from './errors-view.mjs';
import { onLive, refreshLive, startLivePolling } from './live-data.mjs';
import { renderLive } from './live-view.mjs';
import { redrawSamples, renderOperation } from './operation-view.mjs';
import { initSettings, onSettings, settings, updateSettings } from './settings.mjs';

type Route = { view: 'op'; op: OperationDoc } | { view: 'errors'; code?: string } | { view: 'live' } | { view: 'home' };

function parseRoute(hash: string): Route {
  const [view = '', ...rest] = hash.replace(/^#/, '').split('/');
  const arg = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
  if (view === 'op' && arg) {
    const op = findOp(arg);
    if (op) return { view: 'op', op };
  }
  if (view === 'errors') return { view: 'errors', code: arg };
  if (view === 'live') return { view: 'live' };
  return { view: 'home' };
}

const GROUP_TITLES: Record<string, string> = { network: 'Network', security: 'Whitelist', instances: 'Instances' };

function opList(filter: string, current: string | undefined): HTMLElement {
  const f = filter.trim().toLowerCase();
  const ops = catalogue().operations;
  const match = (o: OperationDoc) => f === '' || o.name.toLowerCase().includes(f);
  const groups = [...new Set(ops.map((o) => o.group))];
  const shown = ops.filter(match);
  return h('nav', { 'aria-label': 'Operations', class: 'op-nav' },
    shown.length === 0 ? h('p', { class: 'muted' }, 'No operation matches.') : null,
    groups.map((g) => {
      const items = shown.filter((o) => o.group === g);
      if (items.length === 0) return null;
      return h('div', { class: 'op-group' },
        h('h2', {}, GROUP_TITLES[g] ?? g),
        h('ul', {}, items.map((o) => h('li', {},
          h('a', { href: `#op/${o.name}`, 'aria-current': o.name === current ? 'page' : undefined, class: o.mutates ? 'writes' : undefined }, o.name)))));
    }));
}

function credentialsPanel(): HTMLElement {
  const s = settings();
  const save = () => {
    const id = (document.getElementById('cred-id') as HTMLInputElement).value.trim();
    const secret = (document.getElementById('cred-secret') as HTMLInputElement).value;
    const scheme = (document.getElementById('cred-scheme') as HTMLSelectElement).value === 'V1' ? 'V1' : 'V3';
    updateSettings({ accessKeyId: id, accessKeySecret: secret, scheme });
    const note = document.getElementById('cred-note');
    if (note) note.textContent = 'Saved in this browser (localStorage).';
  };
  return h('details', { class: 'credentials' },
    h('summary', {}, 'Credentials'),
    h('form', { onsubmit: (e: Event) => { e.preventDefault(); save(); }, class: 'cred-form' },
      h('label', { for: 'cred-id' }, 'AccessKey ID'),
      h('input', { id: 'cred-id', type: 'text', value: s.accessKeyId, autocomplete: 'off', spellcheck: 'false', onchange: save }),
      h('label', { for: 'cred-secret' }, 'AccessKey secret'),
      h('input', { id: 'cred-secret', type: 'password', value: s.accessKeySecret, autocomplete: 'off', onchange: save }),
      h('label', { for: 'cred-scheme' }, 'Default signature'),
      h('select', { id: 'cred-scheme', onchange: save },
        h('option', { value: 'V3', selected: s.scheme === 'V3' }, 'V3 ACS3-HMAC-SHA256'),
        h('option', { value: 'V1', selected: s.scheme === 'V1' }, 'V1 HMAC-SHA1')),
      h('button', { type: 'submit' }, 'Save'),
      h('p', { id: 'cred-note', class: 'muted', role: 'status' },
        'The explorer signs in this page; the secret never leaves the browser. `localrds serve` prints the development key.')));
}

function home(main: HTMLElement): void {
  const c = catalogue();
  replace(main,
    h('header', {},
      h('h1', { tabindex: -1 }, 'localrds API explorer'),
      h('p', { class: 'summary' }, `Alibaba Cloud RDS OpenAPI ${c.apiVersion} as this localrds serves it: ${c.operations.length} operations, ${c.errors.length} error codes.`)),
    h('ul', { class: 'home-links' },
      h('li', {}, 'Pick an operation on the left (press ', h('kbd', {}, '/'), ' to search) to read its parameters, call it and get code.'),
      h('li', {}, h('a', { href: '#errors' }, 'Error center'), ': every code, its status, who raises it and what to do.'),
      h('li', {}, h('a', { href: '#live' }, 'Live view'), ': your instances and their endpoints, listening or closed, right now.')));
}

function datalists(): HTMLElement[] {
  const instances = h('datalist', { id: 'dl-instances' });
  const connections = h('datalist', { id: 'dl-connections' });
  onLive((s) => {
    replace(instances, s.instances.map((i) => h('option', { value: i.id })));
    replace(connections, s.instances.flatMap((i) => i.endpoints.filter((e) => !e.releasedAt).map((e) => h('option', { value: e.connectionString }, `${i.id} ${e.ipType}`))));
  });
  return [instances, connections];
}

async function start(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  let c: CatalogueDoc;
  try {
    c = await loadCatalogue();
  } catch (e) {
    replace(root, h('p', { role: 'alert' }, `The catalogue could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
    return;
  }
  initSettings(c.devCredentials);

  const search = h('input', {
    id: 'op-search', type: 'search', placeholder: 'Search operations', autocomplete: 'off', spellcheck: 'false',
    'aria-label': 'Search operations by name', 'aria-controls': 'op-list', 'aria-keyshortcuts': '/',
  });
  const list = h('div', { id: 'op-list' });
  const count = h('p', { class: 'offscreen', 'aria-live': 'polite' });
  const main = h('main', { id: 'main', tabindex: -1 });
  const navLink = (href: string, text: string) => h('a', { href, class: 'tab-link' }, text);
  const liveBadge = h('span', { class: 'live-dot', 'aria-hidden': 'true' });

  replace(root,
    h('a', { class: 'skip', href: '#main', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('header', { class: 'top' },
      h('a', { class: 'brand', href: '#' }, 'localrds', h('span', {}, ' API explorer')),
      h('nav', { 'aria-label': 'Sections', class: 'sections' },
        navLink('#', 'Operations'), navLink('#errors', 'Errors'), h('a', { href: '#live', class: 'tab-link' }, liveBadge, 'Live')),
      credentialsPanel()),
    h('div', { class: 'layout' },
      h('aside', { class: 'side' }, h('div', { class: 'search' }, search), count, list,
        h('p', { class: 'legend muted' }, h('span', { class: 'dot', 'aria-hidden': 'true' }, '●'), ' changes state (audited, moves listeners)')),
      main),
    datalists(),
    h('div', { id: 'announcer', class: 'offscreen', 'aria-live': 'polite' }));
  root.removeAttribute('aria-busy');

  let current: string | undefined;
  const drawList = () => {
    replace(list, opList(search.value, current));
    const n = catalogue().operations.filter((o) => o.name.toLowerCase().includes(search.value.trim().toLowerCase())).length;
    count.textContent = `${n} operation${n === 1 ? '' : 's'}`;
  };
  search.addEventListener('input', drawList);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      const first = list.querySelector<HTMLAnchorElement>('a[href^="#op/"]');
      if (first) location.hash = first.getAttribute('href') ?? '';
    } else if (e.key === 'Escape') {
      search.value = '';
      drawList();
    }
  });

  const route = () => {
    const r = parseRoute(location.hash);
    current = r.view === 'op' ? r.op.name : undefined;
    for (const a of root.querySelectorAll<HTMLAnchorElement>('.sections a')) {
      const href = a.getAttribute('href');
      const on = (href === '#errors' && r.view === 'errors') || (href === '#live' && r.view === 'live') || (href === '#' && (r.view === 'op' || r.view === 'home'));
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    drawList();
    if (r.view === 'op') renderOperation(main, r.op);
    else if (r.view === 'errors') renderErrors(main, r.code);
    else if (r.view === 'live') renderLive(main);
    else home(main);
    document.title = `${r.view === 'op' ? r.op.name : r.view === 'errors' ? (r.code ?? 'Error center') : r.view === 'live' ? 'Live view' : 'API explorer'} · localrds`;
    // Move the focus to the new content, except for an error entry (renderErrors focused it already).
    if (!(r.view === 'errors' && r.code)) main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: r.view === 'home' });
  };
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      search.focus();
      search.select();
    }
  });
  onLive((s) => liveBadge.classList.toggle('on', s.at !== 0 && !s.error));
  // New credentials: the samples show them, and the live view lists another account.
  onSettings(() => {
    redrawSamples();
    void refreshLive();
  });
  route();
  startLivePolling();
}

void start();
