#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/bundle/localrds.js, made by `npm run build` with esbuild: a few files
// to load at start instead of hundreds of modules), or tsc's dist/src when the bundle is missing or older than
// it (a `tsc` run alone leaves the bundle behind; running stale code would be worse than loading slowly).
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime('../dist/bundle/localrds.js');
const entry = bundled >= 0 && bundled >= mtime('../dist/src/cli/main.js') ? '../dist/bundle/localrds.js' : '../dist/src/cli/main.js';
const { main } = await import(entry);

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`localrds: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
