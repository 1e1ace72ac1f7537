#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm run build produces dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`localrds: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
