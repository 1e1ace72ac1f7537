// The live view: the account's instances, their endpoints with live state (listening or closed, open sessions)
// and whitelists, redrawn on every refresh without losing the keyboard focus. A public endpoint can be
// released from here; it then shows as closed.
import { callApi } from './api.mjs';
import { findError } from './catalogue.mjs';
import { announce, h, redrawKeepingFocus, replace } from './dom.mjs';
import { liveSnapshot, onLive, POLL_MS, refreshLive, type EndpointView, type InstanceView, type LiveSnapshot } from './live-data.mjs';
import { prefill } from './operation-view.mjs';
import { settings, updateSettings } from './settings.mjs';

let unsubscribe: (() => void) | undefined;
/** Outcome of the last release started here, by connection string. */
const releaseNotes = new Map<string, string>();

export function renderLive(main: HTMLElement): void {
  const region = h('div', { class: 'live', id: 'live-region' });
  const status = h('p', { class: 'muted live-status', role: 'status' });
  const regionInput = h('input', {
    id: 'live-region-id', type: 'text', value: settings().regionId, autocomplete: 'off', spellcheck: 'false',
    onchange: (e: Event) => {
      updateSettings({ regionId: (e.target as HTMLInputElement).value.trim() || 'cn-hangzhou' });
      void refreshLive();
    },
  });
  replace(main,
    h('header', {},
      h('h1', { tabindex: -1 }, 'Live view'),
      h('p', { class: 'summary' },
        `The instances of the account whose AccessKey the explorer signs with, refreshed every ${POLL_MS / 1000} s through the signed API `,
        '(DescribeDBInstances, DescribeDBInstanceNetInfo, DescribeDBInstanceIPArrayList) and /_localrds/live for the listeners.')),
    h('div', { class: 'filter' }, h('label', { for: 'live-region-id' }, 'Region '), regionInput),
    status,
    region);
  const draw = (s: LiveSnapshot) => {
    status.textContent = s.error
      ? `Refresh failed: ${s.error}`
      : s.at === 0 ? 'Loading…' : `Updated ${new Date(s.at).toLocaleTimeString()} · ${s.instances.length} instance${s.instances.length === 1 ? '' : 's'}`;
    status.classList.toggle('err', s.error !== undefined);
    redrawKeepingFocus(region, () => replace(region,
      nodesLine(s),
      s.at !== 0 && s.instances.length === 0
        ? h('p', {}, 'No instances in this region. Create one with ', h('a', { href: '#op/CreateDBInstance' }, 'CreateDBInstance'), '.')
        : s.instances.map(instanceCard)));
  };
  unsubscribe?.();
  unsubscribe = onLive((s) => { if (region.isConnected) draw(s); else unsubscribe?.(); });
  draw(liveSnapshot());
}

/** With several nodes over one store (issue 13): which node answered, and every node with its state and zone. */
function nodesLine(s: LiveSnapshot): HTMLElement | null {
  if (s.nodes.length < 2) return null;
  return h('p', { class: 'nodes' }, h('strong', {}, 'Nodes: '),
    s.nodes.map((n, k) => [k > 0 ? '; ' : '', h('code', {}, n.NodeId), ` ${n.State}`, n.ZoneId ? ` (zone ${n.ZoneId})` : '', n.NodeId === s.answeredBy ? ' (answering this page)' : '']));
}

function instanceCard(i: InstanceView): HTMLElement {
  const hasPublic = i.endpoints.some((e) => e.ipType === 'Public' && !e.releasedAt);
  return h('article', { class: 'instance', 'aria-labelledby': `inst-${i.id}`, 'data-instance': i.id },
    h('h2', { id: `inst-${i.id}` }, h('code', {}, i.id), ' ',
      h('span', { class: 'badge' }, `${i.engine} ${i.engineVersion}`), ' ',
      h('span', { class: `badge ${i.status === 'Running' ? 'ok' : 'busy'}` }, i.status),
      i.node && liveSnapshot().nodes.length > 1 ? [' ', h('span', { class: 'badge', 'data-node': i.node }, `node ${i.node}`)] : null),
    i.server ? h('p', { class: 'server' }, h('strong', {}, 'Server: '), i.server) : null,
    i.description ? h('p', { class: 'muted' }, i.description) : null,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'endpoints' },
        h('caption', {}, `Endpoints of ${i.id}`),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Connection string'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Address'),
          h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Sessions'), h('th', { scope: 'col' }, h('span', { class: 'offscreen' }, 'Actions')))),
        h('tbody', {}, i.endpoints.map((e) => endpointRow(i, e))))),
    h('p', { class: 'whitelist' }, h('strong', {}, 'Whitelist: '),
      i.groups.length === 0 ? 'none (nobody can connect)' : i.groups.map((g, n) => [n > 0 ? '; ' : '', h('code', {}, g.name), ' ', g.ips || '(empty)'])),
    hasPublic ? null : h('p', {}, h('a', {
      href: '#op/AllocateInstancePublicConnection', 'data-key': `allocate-${i.id}`,
      onclick: () => prefill('AllocateInstancePublicConnection', { DBInstanceId: i.id }),
    }, 'Allocate a public endpoint…')));
}

function endpointRow(i: InstanceView, e: EndpointView): HTMLElement {
  const note = releaseNotes.get(e.connectionString);
  return h('tr', { 'data-endpoint': e.connectionString, 'data-state': e.state },
    h('td', {}, h('code', {}, e.connectionString)),
    h('td', {}, e.ipType),
    h('td', { class: 'addr' }, h('code', {}, `${e.address}:${e.port}`)),
    h('td', {}, h('span', { class: `state ${e.state}` }, e.state), e.reason ? h('span', { class: 'muted' }, ` (${e.reason})`) : null),
    h('td', {}, String(e.openSessions)),
    h('td', {},
      e.ipType === 'Public' && !e.releasedAt
        ? h('button', { type: 'button', class: 'danger', 'data-key': `release-${e.connectionString}`, onclick: () => void release(i.id, e.connectionString) },
          'Release', h('span', { class: 'offscreen' }, ` ${e.connectionString}`))
        : null,
      note ? h('span', { class: 'muted' }, ` ${note}`) : null));
}

async function release(instanceId: string, connectionString: string): Promise<void> {
  releaseNotes.set(connectionString, 'releasing…');
  try {
    const r = await callApi('ReleaseInstancePublicConnection', [['DBInstanceId', instanceId], ['CurrentConnectionString', connectionString]]);
    const code = typeof r.json?.Code === 'string' ? r.json.Code : undefined;
    const note = code ? `${code}: ${findError(code)?.hint ?? String(r.json?.Message ?? '')}` : `released (RequestId ${String(r.json?.RequestId ?? '')})`;
    releaseNotes.set(connectionString, note);
    announce(code ? `Release failed: ${code}` : `Released ${connectionString}`);
  } catch (e) {
    releaseNotes.set(connectionString, `failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  await refreshLive();
}
