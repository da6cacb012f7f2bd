// The package as a library: the README's Library example (taken from README.md, so they cannot
// drift) typechecks and runs against the built package through its own name, and every subpath
// export resolves to the built module with its types.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot, runProcess, type CliResult } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
};
const SUBPATHS = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function run(args: string[], cwd = projectRoot): Promise<CliResult> {
  return runProcess(process.execPath, args, { cwd });
}

/** Source files newer than their build output (dist is what the package name resolves to). */
function staleSources(dir = path.join(projectRoot, 'src')): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) stale.push(...staleSources(file));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const built = path.join(projectRoot, 'dist', path.relative(path.join(projectRoot, 'src'), file)).replace(/\.ts$/, '.js');
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) stale.push(file);
    }
  }
  return stale;
}

/** The first ```ts block of the README's "## Library" section. */
function readmeLibraryExample(): string {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has a ```ts block in its Library section');
  return m[1]!;
}

/** The built package's module `sub` (`''` for the root), imported by its name as a consumer would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function load(sub = ''): Promise<any> {
  const specifier = sub ? `${pkg.name}/${sub}` : pkg.name;
  return import(specifier);
}

const work = path.join(projectRoot, 'test-output', `library-${process.pid}`);

before(async () => {
  // `npm ci` builds dist (prepare); after editing src without `npm run build`, build it here.
  if (staleSources().length > 0) {
    // What `npm run build` does: the Node code, then the browser app with its own tsconfig.
    for (const config of ['tsconfig.build.json', 'src/viewer/tsconfig.json']) {
      const r = await run([tsc, '-p', config]);
      assert.equal(r.code, 0, `build (${config}) failed: ${r.stdout}${r.stderr}`);
    }
  }
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
});

test('README Library example: at most 5 lines, typechecks (with every subpath) and runs against the built package', async () => {
  const example = readmeLibraryExample();
  const lines = example.trimEnd().split('\n');
  assert.ok(lines.length <= 5, `5 lines, got ${lines.length}`);
  assert.match(example, /from 'attrament'/);
  // Inside the package folder, so `attrament` resolves to this package (self-reference) → dist.
  const file = path.join(work, 'readme-library.mts');
  await writeFile(file, example);
  // With it, one consumer file importing every subpath: their .d.ts resolve by the package name too.
  const subpaths = path.join(work, 'subpaths.mts');
  await writeFile(
    subpaths,
    SUBPATHS.map((sub, i) => `import * as m${i} from 'attrament/${sub.slice(2)}';\nexport const n${i}: number = Object.keys(m${i}).length;\n`).join('') +
      "import { reverseComplement } from 'attrament/encoding';\nexport const rc: string = reverseComplement('ACGU');\n",
  );
  const types = await run([tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', file, subpaths]);
  assert.equal(types.code, 0, `tsc: ${types.stdout}${types.stderr}`);
  const r = await run(['--import', 'tsx', file]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.equal(out[0], '0.8525 offset 6mer');
  // The duplex and vector of the README's "What it does, on one pair".
  assert.ok(out.includes("miRNA   3' GATATGTTGGATG-ATGGAGT------------------------------ 5'"), r.stdout);
  assert.ok(out.some((l) => l.startsWith('miRNA importance (position 1 = 5\' end): 1:0.00 2:0.23 3:0.25 4:0.00 5:0.34')), r.stdout);
});

test('package root: the jobs the CLI runs and explainPair, as a small surface', async () => {
  const root = (await load()) as Record<string, unknown>;
  for (const name of ['explainPair', 'runExplain', 'runScan', 'runClasses', 'loadBackground', 'runPredict', 'runReport', 'openDeepShapEngine', 'loadModelGraph']) {
    assert.equal(typeof root[name], 'function', name);
  }
  const names = Object.keys(root);
  assert.ok(names.length <= 40, `a small surface, got ${names.length} names: ${names.join(' ')}`);
  // Pure helpers live in their subpaths, not at the root.
  assert.equal(root.alignAttributions, undefined);
  assert.equal(root.encodePairs, undefined);
});

test('explainPair: bad input names the argument, not a temporary file', async () => {
  const { explainPair, AttramentError, InputError } = await load();
  const target = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';
  await assert.rejects(explainPair('TGAGGTAGTAXGTTGTATAG', target), (e: Error) => {
    assert.equal(e.message, "explainPair: miRNA contains 'X' at position 11 (allowed: ACGTUN)");
    assert.ok(e instanceof InputError && e instanceof AttramentError, 'an InputError, an AttramentError');
    return true;
  });
  await assert.rejects(explainPair('TGAGGTAGTAGGTTGTATAG\tX', target), { message: 'explainPair: miRNA contains a tab or line break' });
  await assert.rejects(explainPair('TGAGGTAGTAGGTTGTATAG', target, { method: 'ism' }), /use runExplain/);
});

test('subpath exports: each resolves by the package name to dist, with its .d.ts, and works', async () => {
  assert.deepEqual(SUBPATHS.sort(), ['./alignment', './analysis', './attribution', './encoding', './io', './model', './pipeline', './render']);
  for (const sub of SUBPATHS) {
    const target = pkg.exports[sub] as { types: string; default: string };
    assert.ok(existsSync(path.join(projectRoot, target.types)), `${sub}: ${target.types}`);
    // Self-reference: the package name resolves through `exports` to the built file.
    const resolved = import.meta.resolve(`${pkg.name}/${sub.slice(2)}`);
    assert.equal(resolved, new URL(target.default, `file://${projectRoot}/`).href);
  }
  const encoding = await load('encoding');
  assert.equal(encoding.reverseComplement('AACGTT'), 'AACGTT');
  assert.equal(encoding.PAIR_SIZE, 1000);
  const analysis = await load('analysis');
  assert.equal(analysis.rocAuc([1, 0, 1, 0], [0.9, 0.8, 0.2, 0.1]), 0.75);
  const io = await load('io');
  const npy = io.parseNpy(io.encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]));
  assert.deepEqual([...npy.shape], [2, 3]);
  assert.deepEqual([...npy.data], [1, 2, 3, 4, 5, 6]);
  const alignment = await load('alignment');
  const { alignAttributions, formatDuplex } = await import('../src/alignment/index.js');
  const matrix = new Float32Array(1000);
  // Attribution on target positions 9–16 × miRNA 2–8 (the seed match of let-7a on PIGN), the rest zero.
  for (let k = 0; k < 7; k++) matrix[(15 - k) * 20 + (1 + k)] = 1;
  const [m, t] = ['TGAGGTAGTAGGTTGTATAG', 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT'];
  const fromSrc = formatDuplex(alignAttributions(m, t, matrix));
  assert.equal(alignment.formatDuplex(alignment.alignAttributions(m, t, matrix)), fromSrc);
  for (const sub of ['model', 'attribution', 'render', 'pipeline']) {
    const mod = (await load(sub)) as Record<string, unknown>;
    assert.ok(Object.keys(mod).length > 3, sub);
  }
  assert.equal(typeof (await load('pipeline')).runExplain, 'function');
  assert.equal(typeof (await load('render')).buildReport, 'function');
});
