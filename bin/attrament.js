#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';
main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`attrament: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
);
