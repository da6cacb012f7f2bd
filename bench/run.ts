/**
 * `npm run bench`: every benchmark in one run, so figures are compared side by side.
 * Pass names to run a subset: `npm run bench -- alignment deepshap`.
 */
const suites: Record<string, () => Promise<void>> = {
  predict: async () => (await import('./predict.js')).benchPredict(),
  deepshap: async () => (await import('./deepshap.js')).benchDeepShap(),
  alignment: async () => (await import('./alignment.js')).benchAlignment(),
  'deepshap-parity': async () => (await import('./deepshap-parity.js')).benchDeepShapParity(),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(suites);
for (const name of names) {
  const run = suites[name];
  if (!run) {
    process.stderr.write(`unknown benchmark '${name}' (have: ${Object.keys(suites).join(', ')})\n`);
    process.exitCode = 2;
    continue;
  }
  process.stdout.write(`\n=== ${name} ===\n`);
  await run();
}
