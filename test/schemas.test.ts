import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { runCli, projectRoot } from './helpers/cli.js';
import { sharedPath } from '../src/paths.js';

const MODEL = sharedPath('models', 'mirbind-resnet');
const examples = path.join(projectRoot, 'examples');
const PAIRS = path.join(examples, 'pairs.tsv');
const schemaDir = path.join(projectRoot, 'schemas');

async function schema(name: string): Promise<{ validate: ValidateFunction; properties: string[] }> {
  const json = JSON.parse(await readFile(path.join(schemaDir, `${name}.schema.json`), 'utf8'));
  // strict: an unknown keyword or a typo in a schema fails here, not silently.
  const validate = new Ajv({ strict: true, allErrors: true }).compile(json);
  return { validate, properties: Object.keys(json.properties) };
}

function records(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

/** Every record valid; the errors of the first that is not, as ajv words them. */
function assertValid(validate: ValidateFunction, rows: Record<string, unknown>[], what: string): void {
  assert.ok(rows.length > 0, `${what}: records to validate`);
  for (const [k, r] of rows.entries()) assert.ok(validate(r), `${what} record ${k + 1}: ${JSON.stringify(validate.errors)}`);
}

/** The input with an extra column (`note`) and one named like a record field (`score`), as users' files have. */
async function pairsWithExtras(dir: string, n = 8): Promise<string> {
  const rows = (await readFile(PAIRS, 'utf8')).trim().split('\n').slice(1, n + 1);
  const file = path.join(dir, 'pairs.tsv');
  await writeFile(file, 'id\tmiRNA\tgene\tlabel\tnote\tscore\n' + rows.map((r, i) => `${r}\tnote ${i + 1}\t${-20 - i}`).join('\n') + '\n');
  return file;
}

test('schemas/: one per record type, each a valid draft-07 schema that ajv compiles strictly; package.json ships them', async () => {
  const files = (await readdir(schemaDir)).sort();
  assert.deepEqual(files, ['align', 'classes', 'classes-summary', 'evaluate', 'explain-ism', 'explain', 'predict', 'scan-site'].map((n) => `${n}.schema.json`).sort());
  for (const f of files) await schema(f.replace('.schema.json', ''));
  const pkg = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8'));
  assert.ok(pkg.files.includes('schemas'), 'package.json "files" ships schemas/');
  assert.ok(pkg.devDependencies.ajv, 'ajv is a devDependency');
  // The README's records table links every schema.
  const readme = await readFile(path.join(projectRoot, 'README.md'), 'utf8');
  for (const f of files) assert.ok(readme.includes(`(schemas/${f})`), `README links schemas/${f}`);
});

test('real outputs validate: predict, explain, explain --method ism, align, scan and classes records, JSON and TSV', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attrament-schemas-'));
  const input = await pairsWithExtras(dir);
  const common = ['--model', MODEL, '--quiet'];
  const bg = ['--background', PAIRS];

  // predict: JSON lines and TSV, with the input's other columns carried through.
  const predict = await schema('predict');
  const pj = await runCli(['predict', input, '--json', ...common]);
  assert.equal(pj.code, 0, pj.stderr);
  const pr = records(pj.stdout);
  assertValid(predict.validate, pr, 'predict');
  assert.deepEqual(Object.keys(pr[0]!), ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'label', 'note', 'input_score', 'score']);
  assert.equal(pr[0]!.mirna_id, 'TGAGGTAGTAGGTTGTATAG');
  assert.equal(pr[0]!.target_id, 'clash_test_1');
  assert.equal(pr[0]!.note, 'note 1');
  assert.equal(pr[0]!.input_score, '-20');
  assert.ok(Math.abs((pr[0]!.score as number) - 0.8525336) < 1e-6);
  const pt = await runCli(['predict', input, ...common]);
  assert.deepEqual(pt.stdout.split('\n')[0]!.split('\t'), Object.keys(pr[0]!), 'the TSV has the JSON record\'s fields as columns');

  // FASTA pairs: names from the headers.
  const fa = await runCli(['predict', path.join(examples, 'mirna.fa'), '--targets', path.join(examples, 'targets.fa'), '--json', ...common]);
  assert.equal(fa.code, 0, fa.stderr);
  const far = records(fa.stdout);
  assertValid(predict.validate, far, 'predict (FASTA)');
  assert.equal(far[0]!.mirna_id, 'let-7a');
  assert.equal(far[0]!.target_id, 'PIGN');

  // explain (DeepSHAP against the 8 example rows) with its array for align.
  const explain = await schema('explain');
  const npy = path.join(dir, 'a.npy');
  const out = path.join(dir, 'e.jsonl');
  const ej = await runCli(['explain', input, ...bg, '--out', out, '--npy', npy, ...common]);
  assert.equal(ej.code, 0, ej.stderr);
  const er = records(await readFile(out, 'utf8'));
  assertValid(explain.validate, er, 'explain');
  assert.equal(er.length, 8);
  assert.equal((er[0]!.attributions as number[][]).length, 50, '[50][20] for the miRBind model');
  assert.equal(er[0]!.note, 'note 1', 'explain records carry the input\'s other columns');
  const et = await runCli(['explain', input, ...bg, '--tsv', '--no-matrix', ...common]);
  assert.equal(et.code, 0, et.stderr);
  const tsvColumns = et.stdout.split('\n')[0]!.split('\t');
  assert.deepEqual(tsvColumns.slice(0, 8), ['mirna_id', 'target_id', 'id', 'miRNA', 'target', 'label', 'note', 'input_score'], 'explain --tsv carries them too');
  for (const c of tsvColumns.slice(8)) assert.ok(explain.properties.includes(c), `TSV column ${c} is a schema field`);
  assert.equal(et.stdout.split('\n')[1]!.split('\t')[6], 'note 1');

  // ISM records, whose mutant_scores the README documents.
  const ism = await schema('explain-ism');
  const ij = await runCli(['explain', input, '--method', 'ism', '--json', ...common]);
  assert.equal(ij.code, 0, ij.stderr);
  const ir = records(ij.stdout);
  assertValid(ism.validate, ir, 'explain --method ism');
  // mutant_scores: score − mean of a position's 3 mutants is its importance.
  const first = ir[0]!;
  const ms = first.mutant_scores as number[][];
  const imp = first.mirna_importance as number[];
  for (let p = 0; p < 20; p++) assert.ok(Math.abs((first.score as number) - (ms[p]![0]! + ms[p]![1]! + ms[p]![2]!) / 3 - imp[p]!) < 1e-5, `position ${p + 1}`);

  // align: the explain array back through the alignment.
  const align = await schema('align');
  const aj = await runCli(['align', input, '--attributions', npy, '--json', ...common.slice(2)]);
  assert.equal(aj.code, 0, aj.stderr);
  const ar = records(aj.stdout);
  assertValid(align.validate, ar, 'align');
  assert.deepEqual(ar.map((r) => r.aligned_mirna), er.map((r) => r.aligned_mirna), 'align reproduces explain\'s alignment');

  // scan: site records of the planted seed.
  const site = await schema('scan-site');
  const sj = await runCli(['scan', path.join(examples, 'planted-seeds.tsv'), ...bg, '--json', ...common]);
  assert.equal(sj.code, 0, sj.stderr);
  const sr = records(sj.stdout);
  assertValid(site.validate, sr, 'scan site');
  assert.equal(sr[0]!.target_id, 'planted');
  assert.equal(sr[0]!.rank, 1);
  const st = await runCli(['scan', path.join(examples, 'planted-seeds.tsv'), ...bg, '--tsv', ...common]);
  for (const c of st.stdout.split('\n')[0]!.split('\t')) assert.ok(site.properties.includes(c), `scan TSV column ${c} is a schema field`);

  // classes of the explain records, as JSON lines and TSV.
  const classes = await schema('classes');
  const cj = path.join(dir, 'c.jsonl');
  const cr = await runCli(['classes', out, '--k', '3', '--out', cj, '--json', '--quiet']);
  assert.equal(cr.code, 0, cr.stderr);
  const crr = records(await readFile(cj, 'utf8'));
  assertValid(classes.validate, crr, 'classes');
  assertValid((await schema('classes-summary')).validate, records(cr.stdout), 'classes --json summary');
  const ev = await runCli(['evaluate', input, '--json', ...common]);
  assert.equal(ev.code, 0, ev.stderr);
  assertValid((await schema('evaluate')).validate, records(ev.stdout), 'evaluate --json');
  assert.deepEqual(crr.map((r) => r.target_id), er.map((r) => r.target_id), 'classes keep the records\' names');

  // A wrong record is caught: the schemas are not vacuous.
  assert.equal(predict.validate({ ...pr[0], score: '0.5' }), false, 'a string score is refused');
  assert.equal(explain.validate({ ...er[0], mirna_importance: ['0.1'] }), false, 'an importance vector of strings is refused');
  assert.equal(site.validate({ ...sr[0], rank: 0 }), false, 'rank 0 is refused');
  const { mirna_id: _, ...unnamed } = pr[0]!;
  assert.equal(predict.validate(unnamed), false, 'a record without mirna_id is refused');
});
