#!/usr/bin/env node
// The executable entry: `bin/attrament.js` loads the compiled copy of this file.
import { main } from './main.js';

process.exitCode = await main(process.argv);
