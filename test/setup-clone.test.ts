// A new user's first minutes, for real: a fresh clone of this commit, plain `npm ci` in an empty
// environment (only PATH and a fresh HOME), then the README's main command. Then `npm pack` of that
// clone, installed into an empty project, runs `attrament --help` and the README's library example.
// For speed (and because CI's network may be slow or absent) npm uses this user's package cache
// (npm_config_cache = ~/.npm, which npm's default would be with the real HOME); nothing else is set.
// The third-party model and background come from the shared folder, found as every test finds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, runProcess } from './helpers/cli.js';
import { sharedDir } from '../src/paths.js';

let tmp: string;
let home: string;
const clone = (): string => path.join(tmp, 'attrament');
const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

/** An environment with nothing of this process's but PATH (no ONNXRUNTIME_*, no ATTRAMENT_*). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH!, HOME: home, npm_config_cache: path.join(os.homedir(), '.npm'), ...extra };
}

async function sh(command: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  const result = await runProcess('sh', ['-c', command], { cwd, env });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** The README's set-up block: the first ```sh block, `npm ci` then the main command. */
function readmeSetup(): string[] {
  const m = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has a set-up block');
  return m[1]!.trim().split('\n');
}

function readmeLibraryExample(): string {
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('\n## Library\n')));
  assert.ok(m, 'README has a library example');
  return m[1]!;
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'attrament-clone-'));
  home = path.join(tmp, 'home');
  await mkdir(home);
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('fresh clone: plain `npm ci` with no environment, then the README main command', async () => {
  const git = await sh(`git clone --quiet "${projectRoot}" attrament`, tmp, cleanEnv());
  assert.equal(git.code, 0, git.stderr);
  const [install, main] = readmeSetup();
  assert.equal(install, 'npm ci');
  const ci = await sh(install!, clone(), cleanEnv());
  console.log(`npm ci in a fresh clone: ${ci.seconds.toFixed(1)} s`);
  assert.equal(ci.code, 0, `npm ci failed:\n${ci.stderr}`);
  // No download attempt of onnxruntime-node's CUDA files, and npm 11's install-script policy settled.
  assert.doesNotMatch(ci.stdout + ci.stderr, /nuget|ENOTFOUND|install-scripts/);
  assert.ok(existsSync(path.join(clone(), 'dist', 'index.js')), 'prepare built dist');

  assert.match(main!, /^npx attrament report examples\/pairs\.tsv --out report\.html$/);
  const r = await sh(main!, clone(), cleanEnv({ ATTRAMENT_SHARED: sharedDir() }));
  console.log(`README main command: ${r.seconds.toFixed(1)} s`);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(path.join(clone(), 'report.html'), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/i);
  // The 8 example pairs, the first one (let-7a / PIGN) with its score.
  const ids = readFileSync(path.join(clone(), 'examples', 'pairs.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!);
  assert.equal(ids.length, 8);
  for (const id of ids) assert.ok(html.includes(id), `report has ${id}`);
  assert.ok(html.includes('0.8525'), 'let-7a/PIGN scored 0.8525');
});

test('npm pack of the clone installs into an empty project: bin, viewer with its examples, and the library example work', async () => {
  assert.ok(existsSync(path.join(clone(), 'node_modules')), 'the clone test ran first');
  const pack = await sh('npm pack --json --ignore-scripts --pack-destination ..', clone(), cleanEnv());
  assert.equal(pack.code, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = new Set(info!.files.map((f) => f.path));
  const pkg = JSON.parse(readFileSync(path.join(clone(), 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    exports: Record<string, string | { types: string; default: string }>;
  };
  const needed = ['README.md', 'package.json', 'examples/pairs.tsv', 'dist/viewer/main.js', 'schemas/explain.schema.json', ...Object.values(pkg.bin)];
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'string') needed.push(target.replace(/^\.\//, ''));
    else needed.push(target.types.replace(/^\.\//, ''), target.default.replace(/^\.\//, ''));
  }
  for (const file of needed) assert.ok(files.has(file), `the package ships ${file}`);
  for (const file of files) assert.match(file, /^(bin|dist|examples|schemas)\/|^(README\.md|package\.json|LICENSE)$/, `only what runs: ${file}`);

  // An empty project that depends on the tarball. Its own .npmrc line is what the README tells
  // dependants to add (onnxruntime-node's CUDA download otherwise).
  const app = path.join(tmp, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await writeFile(path.join(app, '.npmrc'), 'onnxruntime-node-install=skip\n');
  const install = await sh(`npm install --no-audit --no-fund --prefer-offline ../${info!.filename}`, app, cleanEnv());
  console.log(`npm install of the packed tarball: ${install.seconds.toFixed(1)} s`);
  assert.equal(install.code, 0, install.stderr);

  const help = await sh('npx attrament --help', app, cleanEnv());
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: attrament /m);
  for (const command of ['explain', 'report', 'scan', 'classes', 'viewer']) assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  assert.ok(existsSync(path.join(app, 'node_modules', 'attrament', 'examples', 'pairs.tsv')), "the viewer's default examples are installed");

  // The viewer from the installed package: its app bundles from dist, its default examples are there.
  // The installed bin itself (not through npx), so that the kill below reaches the server.
  const viewer = spawn(path.join(app, 'node_modules', '.bin', 'attrament'), ['viewer', '--port', '0'], { cwd: app, env: cleanEnv({ ATTRAMENT_SHARED: sharedDir() }), stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      viewer.stdout.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        const m = /on (http:\/\/\S+)/.exec(log);
        if (m) resolve(m[1]!);
      });
      viewer.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
      viewer.on('close', (code) => reject(new Error(`viewer exited (${code}): ${log}`)));
    });
    const session = (await (await fetch(new URL('session.json', url))).json()) as { examples: unknown[] };
    assert.equal(session.examples.length, 8, 'the 8 example pairs of the installed package');
    const bundle = await fetch(new URL('app.js', url));
    assert.equal(bundle.status, 200);
    assert.ok((await bundle.text()).length > 10_000, 'the browser app, bundled from the installed dist');
  } finally {
    if (viewer.exitCode === null && viewer.signalCode === null) {
      const closed = new Promise((resolve) => viewer.once('close', resolve));
      viewer.kill('SIGTERM');
      await closed;
    }
  }

  // The README's library example, as plain JavaScript in the consumer project.
  await writeFile(path.join(app, 'example.mjs'), readmeLibraryExample());
  const r = await sh('node example.mjs', app, cleanEnv({ ATTRAMENT_SHARED: sharedDir() }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[0], '0.8525 offset 6mer');
  assert.ok(r.stdout.includes("miRNA   3' GATATGTTGGATG-ATGGAGT------------------------------ 5'"), r.stdout);
});
