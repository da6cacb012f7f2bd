#!/usr/bin/env node
// The compiled CLI (built by the `prepare` script, which `npm ci` runs).
import '../dist/cli/run.js';
