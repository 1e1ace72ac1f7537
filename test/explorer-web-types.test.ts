// The explorer's browser code (src/explorer/web/*.mts) is outside the node build; this type-checks it against
// the DOM (src/explorer/web/tsconfig.json) and bundles it the way the server does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadAssets, webSourceDir } from '../src/explorer/assets.js';

const ROOT = resolve(import.meta.dirname, '../..');

test('the browser code type-checks under strict with DOM types', async () => {
  const tsc = resolve(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const project = resolve(webSourceDir(), 'tsconfig.json');
  const r = await promisify(execFile)(process.execPath, [tsc, '-p', project], { cwd: ROOT })
    .then(() => ({ ok: true, out: '' }), (e: { stdout?: string }) => ({ ok: false, out: e.stdout ?? String(e) }));
  assert.ok(r.ok, `tsc -p src/explorer/web/tsconfig.json:\n${r.out}`);
});

test('the server bundles it once and serves the same bundle afterwards', async () => {
  const a = await loadAssets();
  assert.match(a.js, /^"use strict";\(\(\)=>\{/);
  assert.ok(a.css.includes('.error-card'));
  assert.equal(await loadAssets(), a);
});
