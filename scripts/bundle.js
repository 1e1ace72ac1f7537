#!/usr/bin/env node
// Bundles the compiled server (dist/src, from tsc) into dist/bundle/ with esbuild, so that `localrds serve`
// loads a handful of files at start instead of every module of the sources and their dependencies.
// Entry points: dist/bundle/localrds.js (the CLI: bin/localrds.js imports its `main`) and
// dist/bundle/dataplane-worker.js (the data plane's worker thread, started by the CLI bundle).
// Code splitting: what the server loads only on first use (dynamic import(): the engines' database drivers,
// pg for a PostgreSQL store, prom-client on the first scrape, dns-packet, the explorer's code) goes into
// dist/bundle/chunks/, so a start compiles and runs only what it needs; modules both entries use go there too.
// better-sqlite3's JavaScript is bundled too; only its native addon is loaded from node_modules, by its path,
// instead of through the `bindings` package's search of a dozen candidate paths (that search and resolving the
// package's modules one by one were enough path work at start-up for V8 to optimise node:path's functions,
// which pages in the optimising compiler: about 3.5 MB of RSS).
// Left out: pg-native (optional, never installed) and esbuild itself (the explorer bundles its browser code
// on first use).
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bindings('better_sqlite3.node')` becomes a require of the addon in better-sqlite3's build directory. */
const sqliteAddon = {
  name: 'better-sqlite3-addon',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'localrds-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'localrds-addon' }, () => ({
      contents: "module.exports = () => require('better-sqlite3/build/Release/better_sqlite3.node');",
      loader: 'js',
    }));
    b.onResolve({ filter: /\.node$/ }, (a) => ({ path: a.path, external: true }));
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    localrds: join(root, 'dist', 'src', 'cli', 'main.js'),
    'dataplane-worker': join(root, 'dist', 'src', 'dataplane', 'worker-main.js'),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['pg-native', 'esbuild'],
  plugins: [sqliteAddon],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __localrdsRequire } from 'node:module'; const require = __localrdsRequire(import.meta.url);" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
