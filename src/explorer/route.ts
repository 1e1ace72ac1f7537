// The explorer's HTTP routes, tried before the RPC endpoint (see AdminRoute in src/http/server.ts):
//   /explorer/                 the page (hash routes #op/<Action>, #errors/<Code>, #live)
//   /explorer/app.js, app.css  the browser code, bundled on first use (assets.ts)
//   /explorer/catalogue.json   OPERATIONS + ERROR_CODES as JSON (catalogue-json.ts)
//   /_localrds/live            signed, account-scoped live endpoint states (live.ts)
// Static parts are public (they describe the API, not anyone's data); the live view needs a signed request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminRoute } from '../http/server.js';
import { AssetsUnavailable, loadAssets } from './assets.js';
import { buildCatalogueDoc } from './catalogue-json.js';
import { LIVE_PATH, serveLive, type LiveDeps } from './live.js';
import { PAGE_CSP, PAGE_HTML, unavailablePage } from './page.js';

export const EXPLORER_PATH = '/explorer';

export type ExplorerOptions = LiveDeps;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function explorerRoute(o: ExplorerOptions): AdminRoute {
  // Built on the first request for it, not at start-up: most servers never serve the explorer.
  let catalogue: string | undefined;
  const catalogueJson = (): string => (catalogue ??= JSON.stringify(buildCatalogueDoc()));
  return async (req, res, url) => {
    if (url.pathname === LIVE_PATH) {
      await serveLive(req, res, url, o);
      return true;
    }
    if (url.pathname === EXPLORER_PATH) {
      // Relative asset URLs in the page need the trailing slash.
      send(res, 308, 'text/plain;charset=utf-8', 'See /explorer/', { location: `${EXPLORER_PATH}/${url.search}` });
      return true;
    }
    if (!url.pathname.startsWith(`${EXPLORER_PATH}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain;charset=utf-8', 'Method not allowed', { allow: 'GET, HEAD' });
      return true;
    }
    await serveStatic(req, res, url.pathname.slice(EXPLORER_PATH.length + 1), catalogueJson, o);
    return true;
  };
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, name: string, catalogue: () => string, o: ExplorerOptions): Promise<void> {
  switch (name) {
    case '':
    case 'index.html':
      try {
        await loadAssets(); // builds the bundle while the browser parses the page
        send(res, 200, 'text/html;charset=utf-8', PAGE_HTML, { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-cache' }, req);
      } catch (e) {
        send(res, 503, 'text/html;charset=utf-8', unavailablePage(unavailableReason(e, o)), {}, req);
      }
      return;
    case 'catalogue.json':
      send(res, 200, 'application/json;charset=utf-8', catalogue(), { 'cache-control': 'no-cache' }, req);
      return;
    case 'app.js':
    case 'app.css': {
      try {
        const a = await loadAssets();
        const [body, etag, type] = name === 'app.js' ? [a.js, a.jsTag, 'text/javascript;charset=utf-8'] : [a.css, a.cssTag, 'text/css;charset=utf-8'];
        if (req.headers['if-none-match'] === etag) {
          send(res, 304, type, '', { etag, 'cache-control': 'no-cache' });
          return;
        }
        send(res, 200, type, body, { etag, 'cache-control': 'no-cache' }, req);
      } catch (e) {
        send(res, 503, 'text/plain;charset=utf-8', unavailableReason(e, o));
      }
      return;
    }
    default:
      send(res, 404, 'text/plain;charset=utf-8', 'Not found');
  }
}

function unavailableReason(e: unknown, o: ExplorerOptions): string {
  if (e instanceof AssetsUnavailable) return e.message;
  o.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'explorer bundle failed');
  return 'The explorer could not be built; the server log says why.';
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}, req?: IncomingMessage): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  for (const [k, v] of Object.entries({ ...SECURITY_HEADERS, ...headers })) res.setHeader(k, v);
  if (status === 304) {
    res.end();
    return;
  }
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(req?.method === 'HEAD' ? undefined : body);
}
