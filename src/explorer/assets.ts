// The explorer's browser code (src/explorer/web/*.mts, plain TypeScript) bundled by esbuild on first use and kept
// in memory: no build step, no CDN, nothing written to disk. The .mts sources are outside the node build
// (tsconfig.json includes src/**/*.ts) and are type-checked against the DOM by src/explorer/web/tsconfig.json.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExplorerAssets {
  js: string;
  css: string;
  jsTag: string;
  cssTag: string;
}

/** esbuild is missing (a production install without dev dependencies): the page says so instead of failing. */
export class AssetsUnavailable extends Error {}

let cached: Promise<ExplorerAssets> | undefined;

export function loadAssets(): Promise<ExplorerAssets> {
  cached ??= buildAssets().catch((e: unknown) => {
    cached = undefined; // a later request may succeed (e.g. esbuild installed meanwhile)
    throw e;
  });
  return cached;
}

/**
 * From src/explorer (running the sources), dist/src/explorer (built) or dist/bundle (the bundled server): the
 * browser sources only live in src/.
 */
export function webSourceDir(): string {
  for (const rel of ['./web/', '../../../src/explorer/web/', '../../src/explorer/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'main.mts'))) return dir;
  }
  throw new AssetsUnavailable('The explorer sources (src/explorer/web) are not installed.');
}

const tag = (s: string) => `"${createHash('sha256').update(s).digest('base64url').slice(0, 22)}"`;

async function buildAssets(): Promise<ExplorerAssets> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new AssetsUnavailable('The explorer is bundled by esbuild on first use: install it with `npm install esbuild`.');
  }
  const dir = webSourceDir();
  const out = await esbuild.build({
    entryPoints: [join(dir, 'main.mts'), join(dir, 'app.css')],
    bundle: true,
    write: false,
    outdir: '/explorer-out',
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const css = out.outputFiles.find((f) => f.path.endsWith('.css'))?.text;
  if (js === undefined || css === undefined) throw new Error('esbuild produced no explorer bundle');
  return { js, css, jsTag: tag(js), cssTag: tag(css) };
}
